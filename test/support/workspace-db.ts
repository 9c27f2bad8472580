/**
 * A test database seeded with scripts/seed-workspace.ts for the tests of one describe block:
 * made in its beforeAll, disconnected and removed in its afterAll. `use` receives the client
 * (jest runs a block's beforeAll hooks in order, so a later one can add rows of its own).
 */
import fs from 'node:fs';
import type { Db } from '../../infra/db';
import { seedWorkspace, type SeedOptions } from '../../scripts/seed-workspace';
import { createTestDb } from './fixtures';

export function seededWorkspaceDb(opts: SeedOptions, use: (db: Db) => void): void {
  let db: Db | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    const made = createTestDb();
    db = made.db;
    dir = made.dir;
    use(db);
    await seedWorkspace(db, opts);
  });
  afterAll(async () => {
    await db?.$disconnect();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
}
