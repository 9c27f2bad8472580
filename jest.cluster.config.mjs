/**
 * `npm run test:cluster`: the tests against a full Temporal server on PostgreSQL with several
 * worker processes (test/cluster/). Kept out of `npm test`, whose config ignores that folder.
 */
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  reporters: base.reporters,
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  // One server and two worker processes at a time on two cores.
  maxWorkers: 1,
  testTimeout: 300_000,
};
