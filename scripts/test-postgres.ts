/**
 * `npm run test:postgres [-- <jest args>]`: the jest suite on PostgreSQL. Every test file gets a
 * database of its own on the TEST_DATABASE_URL server (default: the local role and database that
 * .ci/run creates), dropped at the end. Typecheck and lint are the same as for `npm test`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { dialectOf, redactUrl } from '../infra/db-url';
import { repoRoot } from './paths';

const DEFAULT_TEST_DATABASE_URL = 'postgresql://conciliaflow:conciliaflow@localhost:5432/conciliaflow';

const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
if (dialectOf(url) !== 'postgresql') {
  process.stderr.write(`TEST_DATABASE_URL=${redactUrl(url)} is not a PostgreSQL URL.\n`);
  process.exit(2);
}
process.stdout.write(`[test:postgres] one database per test file on ${redactUrl(url)}\n`);
const jest = path.join(path.dirname(require.resolve('jest/package.json')), 'bin', 'jest.js');
const res = spawnSync(process.execPath, [jest, ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, TEST_DATABASE_URL: url },
});
process.exit(res.status ?? 1);
