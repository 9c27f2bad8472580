/**
 * Throwaway databases for the test suite: a SQLite file per test file by default. When
 * TEST_DATABASE_URL (or DATABASE_URL) is a postgres:// or postgresql:// URL, every test file gets a
 * database of its own on that server instead, created through that URL's connection (its role
 * needs CREATEDB) and dropped when the run ends. Names carry the run's start time, so databases
 * left by an interrupted run are dropped by a later one.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dialectOf, redactUrl } from '../../infra/db-url';

const repoRoot = path.resolve(__dirname, '..', '..');
const PREFIX = 'cft_';
/** Databases of runs that started longer ago than this are leftovers. */
const STALE_AFTER_SECONDS = 6 * 3600;

/** The PostgreSQL server to test on, or undefined for SQLite files (the default). */
export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const url of [env.TEST_DATABASE_URL, env.DATABASE_URL]) {
    if (url && dialectOf(url) === 'postgresql') return url;
  }
  return undefined;
}

/**
 * The URL of a fresh, empty database (no migrations applied): a SQLite file in a new temporary
 * directory, or a new database on the TEST_DATABASE_URL server.
 */
export function createTestDatabaseUrl(): { url: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-db-'));
  const server = testPostgresUrl();
  return { url: server ? createPgTestDatabase(server) : `file:${path.join(dir, 'test.db')}`, dir };
}

/** This run's name prefix: set once by the global setup and inherited by the jest workers. */
function runPrefix(): string {
  process.env.CF_PG_TEST_RUN ??= `${PREFIX}${Math.floor(Date.now() / 1000)}_${process.pid}`;
  return process.env.CF_PG_TEST_RUN;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database on the server and returns its URL. Synchronous (through a child
 * process) because createTestDb is: test files call it outside any async hook.
 */
export function createPgTestDatabase(serverUrl: string): string {
  // Jest gives each test file a fresh module registry in a reused worker: a counter would repeat.
  const name = `${runPrefix()}_${crypto.randomBytes(5).toString('hex')}`;
  const script = `
    const { Client } = require('pg');
    const client = new Client({ connectionString: process.env.CF_ADMIN_URL });
    client.connect()
      .then(() => client.query('CREATE DATABASE "${name}"'))
      .then(() => client.end())
      .catch((err) => { process.stderr.write(String(err && err.message || err)); process.exit(1); });
  `;
  const res = spawnSync(process.execPath, ['-e', script], {
    cwd: repoRoot,
    env: { ...process.env, CF_ADMIN_URL: serverUrl },
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    throw new Error(
      `could not create the test database ${name} on ${redactUrl(serverUrl)}: ${res.stderr.trim()}\n` +
        'The role in TEST_DATABASE_URL needs CREATEDB (see README, "PostgreSQL").',
    );
  }
  return withDatabase(serverUrl, name);
}

/** Drops the given databases' connections and the databases themselves. */
async function dropDatabases(client: pg.Client, names: string[]): Promise<void> {
  for (const name of names) {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function testDatabases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname`,
    [`${PREFIX.replace('_', '\\_')}%`],
  );
  return rows.map((r) => r.datname);
}

/**
 * Global setup: checks that the server is reachable, fixes this run's prefix for the workers and
 * drops databases that interrupted runs left behind. DATABASE_URL is pointed at the server too, so
 * code that falls back on it (the report activities' SQL dialect, when a test worker passes none)
 * sees PostgreSQL, as it sees SQLite in a default run. Test data still goes to per-file databases.
 */
export async function preparePgTestServer(serverUrl: string): Promise<void> {
  runPrefix();
  process.env.DATABASE_URL = serverUrl;
  try {
    await withClient(serverUrl, async (client) => {
      const now = Date.now() / 1000;
      const stale = (await testDatabases(client)).filter((name) => {
        const started = Number(name.slice(PREFIX.length).split('_')[0]);
        return Number.isFinite(started) && now - started > STALE_AFTER_SECONDS;
      });
      await dropDatabases(client, stale);
    });
  } catch (err) {
    throw new Error(
      `PostgreSQL at ${redactUrl(serverUrl)} is not usable for the tests: ${(err as Error).message}\n` +
        'Start the server and create the role (see README, "PostgreSQL"), or unset TEST_DATABASE_URL to test on SQLite.',
      { cause: err },
    );
  }
}

/** Global teardown: drops every database this run created. */
export async function dropPgTestDatabases(serverUrl: string): Promise<void> {
  const prefix = `${runPrefix()}_`;
  await withClient(serverUrl, async (client) => {
    await dropDatabases(
      client,
      (await testDatabases(client)).filter((name) => name.startsWith(prefix)),
    );
  });
}
