/**
 * A full Temporal server (go.temporal.io/server, the same binary a self-hosted cluster runs) on
 * PostgreSQL, for tests and trials past the single-process dev server:
 * - builds the server and temporal-sql-tool once with `go install` into the cache directory;
 * - creates the persistence and visibility databases and applies the server's own schema with
 *   temporal-sql-tool (idempotent: existing databases are only brought up to the latest version);
 * - starts the server from a generated config in a temp directory, registers the namespace and
 *   returns { address, stop() }.
 *
 * PostgreSQL: TEMPORAL_PG_URL (postgresql://user:password@host:port/database) or TEMPORAL_PG_HOST,
 * TEMPORAL_PG_PORT, TEMPORAL_PG_USER, TEMPORAL_PG_PASSWORD, TEMPORAL_PG_DATABASE; visibility goes in
 * TEMPORAL_PG_VISIBILITY_DATABASE (default: <database>_visibility). Defaults: temporal:temporal on
 * 127.0.0.1:5432, database "temporal". Run as root on a machine with Debian's postgresql package,
 * it starts a local cluster that is down and creates the missing role. The frontend listens on
 * TEMPORAL_PG_FRONTEND_PORT for `start` (default: a free port, printed).
 *
 *   tsx scripts/temporal-pg.ts build       build (or find) the server and temporal-sql-tool
 *   tsx scripts/temporal-pg.ts provision   also set up the schema, then exit
 *   tsx scripts/temporal-pg.ts start       also start the server; prints its address; Ctrl-C stops it
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { cacheDir } from './paths';

/**
 * The newest go.temporal.io/server whose go.mod asks for no newer Go than the machines' 1.26.8
 * (v1.30.9, v1.31.5 and v1.32.2 need 1.26.10) and that has no replace directive, so it go-installs.
 */
export const TEMPORAL_SERVER_VERSION = process.env.TEMPORAL_SERVER_VERSION ?? 'v1.32.1';
const SQL_PLUGIN = 'postgres12';
/** Fixed when the persistence database is created; a server must use the same count ever after. */
const HISTORY_SHARDS = 4;

export class TemporalPgError extends Error {}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  version: string;
}

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  visibilityDatabase: string;
}

export interface TemporalPgServer {
  address: string;
  namespace: string;
  /** The generated config, dynamic config and the server log live here until stop(). */
  dir: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function say(quiet: boolean, msg: string): void {
  if (!quiet) process.stderr.write(`[temporal-pg] ${msg}\n`);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function temporalServerDir(version = TEMPORAL_SERVER_VERSION): string {
  return path.join(cacheDir(), 'temporal-server', version);
}

/**
 * The server and temporal-sql-tool binaries, built once per machine (`go install` names them after
 * their package directories: server and sql). TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH point
 * at existing ones instead.
 */
export function ensureTemporalServer(quiet = false): TemporalServerBinaries {
  const version = TEMPORAL_SERVER_VERSION;
  const binDir = path.join(temporalServerDir(version), 'bin');
  const server = process.env.TEMPORAL_SERVER_PATH ?? path.join(binDir, 'server');
  const sqlTool = process.env.TEMPORAL_SQL_TOOL_PATH ?? path.join(binDir, 'sql');
  for (const [name, file] of [
    ['TEMPORAL_SERVER_PATH', process.env.TEMPORAL_SERVER_PATH],
    ['TEMPORAL_SQL_TOOL_PATH', process.env.TEMPORAL_SQL_TOOL_PATH],
  ] as const) {
    if (file && !fs.existsSync(file)) throw new TemporalPgError(`${name}=${file} does not exist.`);
  }
  if (fs.existsSync(server) && fs.existsSync(sqlTool)) return { server, sqlTool, version };
  if (!has('go')) {
    throw new TemporalPgError(
      `The Temporal server ${version} is not cached in ${binDir} and Go is not installed. Put Go 1.26.8 or ` +
        "newer on PATH (e.g. /usr/local/go/bin; Debian 12's golang package is too old for this server) and run " +
        '`npm run test:cluster` again, ' +
        'or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH to existing binaries.',
    );
  }
  fs.mkdirSync(binDir, { recursive: true });
  say(quiet, `building go.temporal.io/server ${version} (server + temporal-sql-tool) into ${binDir}`);
  say(quiet, 'this takes 5 to 15 minutes on two cores, once per machine...');
  const started = Date.now();
  const res = spawnSync(
    'go',
    ['install', `go.temporal.io/server/cmd/server@${version}`, `go.temporal.io/server/cmd/tools/sql@${version}`],
    {
      // GOTOOLCHAIN=local: a version that wants a newer Go fails with a clear message instead of
      // trying to download a toolchain.
      env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' },
      stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit',
    },
  );
  if (res.status !== 0 || !fs.existsSync(server) || !fs.existsSync(sqlTool)) {
    const tail = res.stderr ? res.stderr.toString().slice(-2000) : '';
    throw new TemporalPgError(
      `go install of go.temporal.io/server ${version} failed (exit ${res.status}). ${tail}\n` +
        'Check that the Go module proxy is reachable (GOPROXY). If Go asks for a newer toolchain, set ' +
        'TEMPORAL_SERVER_VERSION to an older server release whose go.mod your Go satisfies.',
    );
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  fs.writeFileSync(
    path.join(temporalServerDir(version), 'build.json'),
    JSON.stringify({ version, seconds, builtAt: new Date().toISOString(), go: goVersion() }, null, 2),
  );
  say(quiet, `built in ${seconds} s`);
  return { server, sqlTool, version };
}

function goVersion(): string {
  return spawnSync('go', ['version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
}

export function pgTargetFromEnv(env: NodeJS.ProcessEnv = process.env): PgTarget {
  let url: URL | undefined;
  if (env.TEMPORAL_PG_URL) {
    try {
      url = new URL(env.TEMPORAL_PG_URL);
    } catch {
      throw new TemporalPgError('TEMPORAL_PG_URL is not a URL: expected postgresql://user:password@host:port/db');
    }
  }
  const database = url?.pathname.replace(/^\//, '') || env.TEMPORAL_PG_DATABASE || 'temporal';
  return {
    host: url?.hostname || env.TEMPORAL_PG_HOST || '127.0.0.1',
    port: Number(url?.port || env.TEMPORAL_PG_PORT || 5432),
    user: decodeURIComponent(url?.username ?? '') || env.TEMPORAL_PG_USER || 'temporal',
    password: decodeURIComponent(url?.password ?? '') || env.TEMPORAL_PG_PASSWORD || 'temporal',
    database,
    visibilityDatabase: env.TEMPORAL_PG_VISIBILITY_DATABASE || `${database}_visibility`,
  };
}

function describe(t: PgTarget): string {
  return `${t.user}@${t.host}:${t.port}`;
}

function runSqlTool(bin: TemporalServerBinaries, t: PgTarget, database: string, args: string[]) {
  // Credentials through the tool's environment variables, so they stay out of `ps`.
  const res = spawnSync(bin.sqlTool, args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      SQL_PLUGIN,
      SQL_HOST: t.host,
      SQL_PORT: String(t.port),
      SQL_USER: t.user,
      SQL_PASSWORD: t.password,
      SQL_DATABASE: database,
    },
  });
  return { ok: res.status === 0, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

function isLocal(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/**
 * On a machine with Debian's postgresql package, as root: create and start the local cluster if
 * needed and create the login role (with CREATEDB) if it is missing; otherwise throws with what to
 * install or run.
 */
function bootstrapLocalPostgres(t: PgTarget, quiet: boolean): void {
  if (!has('pg_lsclusters')) {
    throw new TemporalPgError(
      `PostgreSQL is not reachable as ${describe(t)} and not installed here. Install it ` +
        '(`apt-get install -y postgresql`) or point TEMPORAL_PG_URL at a server where the role may create databases.',
    );
  }
  if (process.getuid?.() !== 0) {
    throw new TemporalPgError(
      `PostgreSQL is not reachable as ${describe(t)}. Start the local cluster (pg_ctlcluster <version> main start) and ` +
        `create the role: sudo -u postgres psql -c "CREATE ROLE ${t.user} LOGIN CREATEDB PASSWORD '...'"`,
    );
  }
  let clusters = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).stdout.trim();
  if (!clusters) {
    const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
    say(quiet, `creating PostgreSQL cluster ${versions.at(-1)}/main`);
    spawnSync('pg_createcluster', [versions.at(-1)!, 'main'], { stdio: 'ignore' });
    clusters = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).stdout.trim();
  }
  const line = clusters
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((cols) => Number(cols[2]) === t.port);
  if (!line) {
    throw new TemporalPgError(`No local PostgreSQL cluster listens on port ${t.port} (pg_lsclusters:\n${clusters})`);
  }
  const [ver, name, , status] = line;
  if (status !== 'online') {
    say(quiet, `starting PostgreSQL cluster ${ver}/${name}`);
    const r = spawnSync('pg_ctlcluster', [ver!, name!, 'start'], { encoding: 'utf8' });
    if (r.status !== 0) throw new TemporalPgError(`pg_ctlcluster ${ver} ${name} start failed: ${r.stderr}`);
  }
  const psql = (sql: string) =>
    spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-p', String(t.port), '-qtAX', '-v', 'ON_ERROR_STOP=1'], {
      input: sql,
      encoding: 'utf8',
      cwd: '/',
    });
  const exists = psql(`SELECT 1 FROM pg_roles WHERE rolname = '${t.user.replace(/'/g, "''")}'`);
  if (exists.status !== 0) throw new TemporalPgError(`psql as postgres failed: ${exists.stderr}`);
  if (exists.stdout.trim() !== '1') {
    say(quiet, `creating PostgreSQL role ${t.user} (LOGIN CREATEDB)`);
    const ident = `"${t.user.replace(/"/g, '""')}"`;
    const r = psql(`CREATE ROLE ${ident} LOGIN CREATEDB PASSWORD '${t.password.replace(/'/g, "''")}'`);
    if (r.status !== 0) throw new TemporalPgError(`could not create role ${t.user}: ${r.stderr}`);
  }
}

/**
 * Creates the two databases if missing and applies the server's schema up to the latest version.
 * Every step is idempotent: create-database ignores an existing database, setup-schema -v 0.0
 * leaves a newer version alone, update-schema applies only what is missing.
 * reset: drop them first (a clean server: the tests use databases of their own for this).
 */
export function ensureTemporalSchema(
  bin: TemporalServerBinaries,
  t: PgTarget,
  opts: { reset?: boolean; quiet?: boolean } = {},
): void {
  const quiet = opts.quiet ?? false;
  const dbs = [
    { name: t.database, schema: 'postgresql/v12/temporal' },
    { name: t.visibilityDatabase, schema: 'postgresql/v12/visibility' },
  ];
  for (const [i, db] of dbs.entries()) {
    if (opts.reset) runSqlTool(bin, t, db.name, ['drop-database', '--force']);
    let created = runSqlTool(bin, t, db.name, ['create-database']);
    if (!created.ok && i === 0 && isLocal(t.host)) {
      bootstrapLocalPostgres(t, quiet);
      created = runSqlTool(bin, t, db.name, ['create-database']);
    }
    if (!created.ok) {
      throw new TemporalPgError(
        `temporal-sql-tool could not create database ${db.name} as ${describe(t)}:\n${created.out.slice(-1500)}\n` +
          'Check that PostgreSQL runs (pg_lsclusters), that the role exists with CREATEDB and the password is right ' +
          '(TEMPORAL_PG_URL or TEMPORAL_PG_USER/TEMPORAL_PG_PASSWORD), or install it: apt-get install -y postgresql.',
      );
    }
    for (const args of [
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', db.schema],
    ]) {
      const r = runSqlTool(bin, t, db.name, args);
      if (!r.ok) throw new TemporalPgError(`${args[0]} on ${db.name} failed:\n${r.out.slice(-1500)}`);
    }
    say(quiet, `database ${db.name}: schema ${db.schema} up to date`);
  }
}

function serverConfig(t: PgTarget, ports: Record<string, number>, dynamicConfigFile: string): string {
  const q = (s: string) => JSON.stringify(s);
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: ${SQL_PLUGIN}
        databaseName: ${q(database)}
        connectAddr: ${q(`${t.host}:${t.port}`)}
        connectProtocol: tcp
        user: ${q(t.user)}
        password: ${q(t.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (name: string) => `  ${name}:
    rpc:
      grpcPort: ${ports[`${name}Grpc`]}
      membershipPort: ${ports[`${name}Membership`]}
      bindOnLocalHost: true${name === 'frontend' ? `\n      httpPort: ${ports.frontendHttp}` : ''}`;
  return `# Generated by scripts/temporal-pg.ts: one process running every service, on PostgreSQL.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    default:
${store(t.database, 20)}
    visibility:
${store(t.visibilityDatabase, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
${['frontend', 'history', 'matching', 'worker'].map(service).join('\n')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${ports.frontendGrpc}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${q(dynamicConfigFile)}
  pollInterval: 10s
`;
}

// Namespaces registered on a running server are seen by every service within a second, not ten.
const DYNAMIC_CONFIG = `system.namespaceCacheRefreshInterval:
  - value: 1s
limit.maxIDLength:
  - value: 255
`;

/**
 * A free port below 32768: the server stores its membership ports in a PostgreSQL smallint, so
 * the kernel's ephemeral range (32768 and up) would not fit.
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) {
      taken.add(port);
      return port;
    }
  }
  throw new TemporalPgError('no free port found between 20000 and 32000');
}

/** Builds if needed, sets up the schema, starts the server, registers the namespace. */
export async function startTemporalPostgres(
  opts: {
    pg?: PgTarget;
    namespace?: string;
    /** The frontend's gRPC port (what TEMPORAL_ADDRESS names); default: a free one. */
    frontendPort?: number;
    reset?: boolean;
    quiet?: boolean;
    timeoutMs?: number;
  } = {},
): Promise<TemporalPgServer> {
  const quiet = opts.quiet ?? false;
  const namespace = opts.namespace ?? 'default';
  const pg = opts.pg ?? pgTargetFromEnv();
  const bin = ensureTemporalServer(quiet);
  ensureTemporalSchema(bin, pg, { reset: opts.reset, quiet });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-temporal-pg-'));
  const ports: Record<string, number> = {};
  const taken = new Set<number>(opts.frontendPort ? [opts.frontendPort] : []);
  for (const name of ['frontend', 'history', 'matching', 'worker']) {
    ports[`${name}Grpc`] = name === 'frontend' && opts.frontendPort ? opts.frontendPort : await freeLowPort(taken);
    ports[`${name}Membership`] = await freeLowPort(taken);
  }
  ports.frontendHttp = await freeLowPort(taken);
  const dynamicConfigFile = path.join(dir, 'dynamic-config.yaml');
  fs.writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, serverConfig(pg, ports, dynamicConfigFile), { mode: 0o600 });
  const logFile = path.join(dir, 'server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(bin.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code, signal) => (exited = code ?? (signal ? 128 : -1)));
  const address = `127.0.0.1:${ports.frontendGrpc}`;

  const stop = async () => {
    if (exited === null) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const logTail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  let registered = false;
  for (;;) {
    if (exited !== null) {
      const tail = logTail();
      await stop();
      throw new TemporalPgError(`The Temporal server exited with code ${exited} at start. Log:\n${tail}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        if (!registered) {
          await conn.workflowService
            .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
            .catch((err: { code?: number }) => {
              if (err.code !== 6 /* ALREADY_EXISTS */) throw err;
            });
          registered = true;
        }
        // Through the frontend's namespace cache, then matching's: ready for workers and clients.
        await conn.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        await conn.workflowService.describeTaskQueue({ namespace, taskQueue: { name: 'readiness-probe' } });
      } finally {
        await conn.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        const tail = logTail();
        await stop();
        throw new TemporalPgError(`The Temporal server did not get ready on ${address}: ${String(err)}\nLog:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  say(quiet, `Temporal ${bin.version} on PostgreSQL ${describe(pg)}/${pg.database} serving ${address}`);
  return { address, namespace, dir, logFile, process: child, stop };
}

async function main(): Promise<void> {
  const cmd = process.argv[2] ?? 'provision';
  try {
    if (cmd === 'build') {
      const bin = ensureTemporalServer();
      say(false, `server: ${bin.server}`);
      say(false, `temporal-sql-tool: ${bin.sqlTool}`);
    } else if (cmd === 'provision') {
      const pg = pgTargetFromEnv();
      const bin = ensureTemporalServer();
      ensureTemporalSchema(bin, pg);
      say(false, `server: ${bin.server}`);
      say(false, `temporal-sql-tool: ${bin.sqlTool}`);
    } else if (cmd === 'start') {
      const port = process.env.TEMPORAL_PG_FRONTEND_PORT;
      const server = await startTemporalPostgres({ frontendPort: port ? Number(port) : undefined });
      process.stdout.write(`TEMPORAL_ADDRESS=${server.address}\nlog: ${server.logFile}\n`);
      const shutdown = () => void server.stop().then(() => process.exit(0));
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    } else {
      process.stderr.write('usage: tsx scripts/temporal-pg.ts build|provision|start\n');
      process.exit(2);
    }
  } catch (err) {
    if (err instanceof TemporalPgError) {
      process.stderr.write(`\n[temporal-pg] ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

if (require.main === module) void main();
