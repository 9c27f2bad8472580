/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Views are .tsx (Preact JSX rendered on the server); plain .ts keeps the parser without JSX, so
  // `<T>(x) => …` generics and `<T>value` casts there still mean what they say.
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic', importSource: 'preact' } },
        },
      },
    ],
    // Documents: pkijs and its helpers ship ES modules only; compiled to CommonJS like our own code.
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(pkijs|asn1js|bytestreamjs|@noble/hashes|@peculiar/utils|pvtsutils|pvutils)/)',
  ],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Drops the per-file PostgreSQL databases of a TEST_DATABASE_URL run (SQLite files stay in /tmp).
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Temporal servers and a JVM per file: two cores, so at most two files at once.
  maxWorkers: 2,
  testTimeout: 120_000,
  // Jest's summary, then one plain closing line that CI logs are read by.
  reporters: ['default', '<rootDir>/test/support/closing-line-reporter.js'],
  // test/cluster/ runs on a full Temporal server with PostgreSQL: `npm run test:cluster`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  // Screenshots and other artifacts are kept in test-artifacts/ (gitignored).
};
