/** Once after the test run: drops the PostgreSQL databases the test files created, if any. */
import { dropPgTestDatabases, testPostgresUrl } from './test-databases';

export default async function globalTeardown(): Promise<void> {
  const pgServer = testPostgresUrl();
  if (pgServer) await dropPgTestDatabases(pgServer);
}
