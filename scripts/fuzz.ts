/**
 * `npm run fuzz`: hostile-input fuzzing of the HTTP API from its own OpenAPI document.
 *
 * Starts an isolated stack on free ports (an in-memory Temporal dev server, a temporary SQLite
 * database, the mail catcher, a worker and the API), seeds users and enrollments, then runs
 * Schemathesis (from PyPI, in a virtualenv kept outside the repository) against /openapi.json, once
 * per role. The server watches every request itself:
 * - any 5xx is a failure;
 * - a request answered with a 4xx must leave the database as it was: every table's rows are
 *   fingerprinted before and after such a request (requests run one at a time), and any difference
 *   is a failure.
 * Schemathesis adds its own checks (server errors, status codes, content types and response schemas
 * as documented). Exits non-zero on any failure; reports and schemathesis's own output
 * are kept in test-artifacts/fuzz/<role>/.
 *
 *   npm run fuzz -- [--max-examples 25] [--seed 1] [--roles admin,sme] [--serve] [-- <schemathesis args>]
 *
 * --serve starts the stack, prints the URL and tokens, and waits (to replay a failure by hand).
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { createDb, tuneSqlite, type Db } from '../infra/db';
import { enrollRequestSchema } from '../client/schemas';
import { MailCatcher } from '../mail/mail-catcher';
import { createTransport } from '../mail/transport';
import { buildApi } from '../client/api/server';
import { createApiToken, createUser } from '../client/auth/users';
import { ensureSchedules, scheduleDefinitions } from '../client/schedules';
import { CATALOGUE } from '../domain/catalogue';
import { PROVINCES } from '../domain/territory';
import { createService } from '../client/service';
import { createWorker } from '../worker/create-worker';
import { pinoTemporalLogger } from '../worker/temporal-logger';
import { freePort, startDevServer } from './dev-server';
import { migrate } from '../infra/migrate';
import { cacheDir, repoRoot } from './paths';
import { ensureTemporalCli } from './provision';

export const SCHEMATHESIS_VERSION = '4.32.5';
const ROLES = ['admin', 'sme', 'consultant'] as const;
type FuzzRole = (typeof ROLES)[number];

const USAGE =
  'usage: npm run fuzz -- [--max-examples N] [--seed N] [--roles admin,sme,consultant] [--serve] [-- <schemathesis args>]';

function say(msg: string): void {
  process.stdout.write(`[fuzz] ${msg}\n`);
}

/** The schemathesis executable of a virtualenv under the cache directory, created on first use. */
export function ensureSchemathesis(): string {
  if (process.env.SCHEMATHESIS_BIN) return process.env.SCHEMATHESIS_BIN;
  const venv = path.join(cacheDir(), 'schemathesis-venv');
  const bin = path.join(venv, 'bin', 'schemathesis');
  const version = () => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  if (fs.existsSync(bin) && version().includes(SCHEMATHESIS_VERSION)) return bin;
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${venv} (once per machine)...`);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
  };
  if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) run('python3', ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  if (!version().includes(SCHEMATHESIS_VERSION)) throw new Error(`schemathesis ${SCHEMATHESIS_VERSION} not in ${venv}`);
  return bin;
}

/**
 * A digest of every table's rows. `ApiToken.lastUsedAt` is left out: it records that a token was
 * used (at most once a minute), which any authenticated request may do, refused or not. So are the
 * sign-in throttle's counts and the lockouts it audits: counting refused sign-ins is their purpose.
 */
async function fingerprint(db: Db): Promise<Map<string, string>> {
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%' ORDER BY name",
  );
  const out = new Map<string, string>();
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${name}" ORDER BY rowid`);
    const hash = crypto.createHash('sha256');
    if (name === 'SignInThrottle') continue;
    let counted = 0;
    for (const row of rows) {
      if (name === 'AuditLog' && row.action === 'signin.lockout') continue;
      counted++;
      if (name === 'ApiToken') delete row.lastUsedAt;
      hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
    }
    out.set(name, `${counted}:${hash.digest('hex').slice(0, 16)}`);
  }
  return out;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .filter((n) => before.get(n) !== after.get(n))
    .map((n) => `${n} ${before.get(n)} -> ${after.get(n)}`);
}

interface Observed {
  method: string;
  url: string;
  status: number;
  body?: string;
  changed?: string[];
}

/** Counts of what the server saw, per role pass. */
class Observer {
  requests = 0;
  byClass: Record<string, number> = {};
  serverErrors: Observed[] = [];
  dataChanges: Observed[] = [];
  checked4xx = 0;
  unchecked4xx = 0;
  /** Statuses per route, to see which operations the fuzzer got past validation. */
  byRoute: Record<string, Record<string, number>> = {};

  reset(): Observer {
    const copy = Object.assign(new Observer(), this);
    this.requests = 0;
    this.byClass = {};
    this.serverErrors = [];
    this.dataChanges = [];
    this.checked4xx = 0;
    this.unchecked4xx = 0;
    this.byRoute = {};
    return copy;
  }
}

async function startStack(tmp: string) {
  const logFile = path.join(tmp, 'api.log');
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination({ dest: logFile, sync: true }));
  Runtime.install({ shutdownSignals: [], logger: pinoTemporalLogger(logger.child({ part: 'temporal' })) });
  const server = await startDevServer({
    cliPath: ensureTemporalCli(true),
    port: await freePort(),
    logFile: path.join(tmp, 'temporal.log'),
  });
  const url = `file:${path.join(tmp, 'fuzz.db')}`;
  migrate(url);
  const db = createDb(url);
  await tuneSqlite(db, url);
  const catcher = await MailCatcher.start({ port: 0 });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const taskQueue = 'fuzz';
  const transport = createTransport({ url: `smtp://127.0.0.1:${catcher.port}`, maxConnections: 2, ratePerSecond: 100 });
  const publicUrl = 'http://127.0.0.1';
  const preferencesSecret = crypto.randomBytes(24).toString('hex');
  say('bundling workflows and starting the worker...');
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { db, transport, from: 'Fuzz <noreply@fuzz.test>', publicUrl, logger, preferencesSecret },
  });
  const workerRun = worker.run();
  await ensureSchedules(temporal, taskQueue, logger);
  const service = createService({ db, temporal, taskQueue });
  const api = await buildApi({ service, db, temporal, logger, preferencesSecret, mailCatcher: catcher });
  return {
    db,
    api,
    service,
    catcher,
    logFile,
    async stop() {
      await api.close();
      worker.shutdown();
      await workerRun.catch(() => undefined);
      transport.close();
      await connection.close();
      await nativeConnection.close();
      await catcher.stop();
      await db.$disconnect();
      await server.stop();
    },
  };
}

interface Seeded {
  tokens: Record<FuzzRole, string>;
  /** A second token of each user, for DELETE /me/tokens/{tokenId} to find. */
  spareTokenIds: string[];
  /** Enrollments for reads and pathway actions; withdrawing them is left to `withdrawable`. */
  enrollmentIds: string[];
  withdrawable: string[];
}

/** Admin, an SME and a consultant, each with a token, and enrollments for reads and pathway actions. */
async function seed(stack: Awaited<ReturnType<typeof startStack>>): Promise<Seeded> {
  const system = { id: 'system:fuzz', role: 'system' };
  const enrollmentIds: string[] = [];
  for (let n = 1; n <= 6; n++) {
    // Parsed here, at this caller's edge, as the API parses its bodies.
    const { enrollment } = await stack.service.enroll(
      enrollRequestSchema.parse({
        programme: 'demo-2026-2027',
        kind: 'congedo-flessibilita',
        company: {
          name: `Tessitura Fuzz ${n} S.r.l.`,
          vatNumber: `0123456789${n}`,
          province: n % 2 ? 'MB' : 'MI',
          city: n % 2 ? 'monza' : 'milano',
          sector: 'industria',
          staff: 35,
          turnoverCents: 450_000_000,
          balanceSheetCents: 300_000_000,
          declaration: { declarantName: 'Marco Rossi', declarantRole: 'legal-representative' },
        },
        consultant: { name: 'Giulia Bianchi', email: 'giulia@consulenti.test' },
        participants: [{ name: 'Marco Rossi', email: `titolare${n}@fuzz.test`, role: 'owner' }],
      }),
    );
    enrollmentIds.push(enrollment.id);
  }
  const users: [FuzzRole, Parameters<typeof createUser>[1]][] = [
    ['admin', { role: 'admin', email: 'admin@fuzz.test', name: 'Admin', password: 'quiet-harbour-lantern-47' }],
    ['sme', { role: 'sme', email: 'titolare@fuzz.test', name: 'Titolare', companyVatNumber: '01234567891' }],
    ['consultant', { role: 'consultant', email: 'giulia@consulenti.test', name: 'Giulia Bianchi' }],
  ];
  const tokens = {} as Record<FuzzRole, string>;
  const spareTokenIds: string[] = [];
  for (const [role, input] of users) {
    const u = await createUser(stack.db, input, system);
    tokens[role] = (await createApiToken(stack.db, u.id, 'fuzz', system)).token;
    spareTokenIds.push((await createApiToken(stack.db, u.id, 'spare', system)).id);
  }
  return { tokens, spareTokenIds, enrollmentIds: enrollmentIds.slice(0, 4), withdrawable: enrollmentIds.slice(4) };
}

/**
 * Strings an attacker would try in any text field: SQL, template and header injection, markup,
 * control characters. Schemathesis puts them in every string parameter and in the text fields of
 * the bodies, in valid requests (where the schema allows them) and invalid ones.
 */
export const HOSTILE_STRINGS = [
  '\'; DROP TABLE "Enrollment"; --',
  "' OR '1'='1",
  "Robert'); DELETE FROM \"User\" WHERE ('1'='1",
  '1 UNION SELECT tokenHash FROM ApiToken --',
  "{{constructor.constructor('return process')()}}",
  '{{#each this}}{{@key}}={{this}} {{/each}}',
  '{{> layout}}',
  '${process.env}',
  '<%= 7*7 %>',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'mario@rossi.test\r\nBcc: victim@evil.test',
  'Mario Rossi\r\nBcc: victim@evil.test',
  'Mario\nSubject: hi',
  '%0d%0aSet-Cookie: cf_session=x',
  '=HYPERLINK("http://evil.test","x")',
  '../../../../etc/passwd',
  'nul\u0000byte',
  'bidi\u202eevil',
  'line\u2028separator',
];

/** schemathesis.toml for one pass: the hostile strings everywhere, real ids some of the time. */
function schemathesisConfig(seeded: Seeded): string {
  const list = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  // The seeded pathways' steps; the other kinds' keys are only one more kind of unknown key.
  const stepKeys = CATALOGUE['congedo-flessibilita']!.steps.map((s) => s.key);
  const textFields = [
    'name',
    'email',
    'reason',
    'evidence',
    'note',
    'password',
    'alliance',
    'idempotencyKey',
    'company.name',
    'company.city',
    'consultant.name',
    'consultant.email',
    'participants[*].name',
    'participants[*].email',
    'company.members[*].name',
    'company.members[*].participants[*].name',
    'company.members[*].participants[*].email',
  ];
  const lines = [
    '# Written by scripts/fuzz.ts for one run.',
    '[dictionaries.hostile]',
    `values = ${list(HOSTILE_STRINGS)}`,
    '[dictionaries.enrollments]',
    `values = ${list(seeded.enrollmentIds)}`,
    '[dictionaries.steps]',
    `values = ${list(stepKeys)}`,
    '[dictionaries.tokens]',
    `values = ${list(seeded.spareTokenIds)}`,
    '[dictionaries.withdrawable]',
    `values = ${list(seeded.withdrawable)}`,
    '[dictionaries.schedules]',
    `values = ${list(scheduleDefinitions('fuzz').map((d) => d.scheduleId!))}`,
    '[dictionaries.kinds]',
    `values = ${list(Object.keys(CATALOGUE))}`,
    '[dictionaries.provinces]',
    `values = ${list(PROVINCES.map((p) => p.code))}`,
    // The bearer header authenticates every request; a generated session cookie would only add noise.
    '[generation]',
    'with-security-parameters = false',
    '[generation.dictionaries]',
    'string = { dictionary = "hostile", probability = 0.2 }',
    '[parameters]',
    '"path.id" = { dictionary = "enrollments", probability = 0.6 }',
    '"path.stepKey" = { dictionary = "steps", probability = 0.6 }',
    '"path.tokenId" = { dictionary = "tokens", probability = 0.3 }',
    '"body.kind" = { dictionary = "kinds", probability = 0.9 }',
    '"body.company.province" = { dictionary = "provinces", probability = 0.9 }',
    ...textFields.map((f) => `"body.${f}" = { dictionary = "hostile", probability = 0.3 }`),
    '[[operations]]',
    'include-operation-id = "controlSchedule"',
    'parameters = { "path.id" = { dictionary = "schedules", probability = 0.6 } }',
    // A withdrawn pathway refuses every action after it: keep the other enrollments open.
    '[[operations]]',
    'include-operation-id = "withdraw"',
    'parameters = { "path.id" = { dictionary = "withdrawable", probability = 0.6 } }',
  ];
  return lines.join('\n') + '\n';
}

/** Hooks that watch every request: 5xx, and the database before and after each refused one. */
function observe(stack: Awaited<ReturnType<typeof startStack>>, observer: Observer): void {
  const { api, db } = stack;
  let inFlight = 0;
  let overlapped = false;
  let unsettled = false;
  /** After an accepted change the worker may still be writing (milestones, outbox): wait for quiet. */
  const settle = async () => {
    const deadline = Date.now() + 5000;
    let last = JSON.stringify([...(await fingerprint(db))]);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const now = JSON.stringify([...(await fingerprint(db))]);
      if (now === last) return;
      last = now;
    }
  };
  type Watched = { fuzzBefore?: Map<string, string> };
  api.addHook('onRequest', async (req) => {
    inFlight++;
    if (inFlight > 1) overlapped = true;
    if (unsettled) {
      await settle();
      unsettled = false;
    }
    (req as unknown as Watched).fuzzBefore = await fingerprint(db);
  });
  api.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode >= 500) (req as unknown as { fuzzBody?: string }).fuzzBody = String(payload).slice(0, 500);
    return payload;
  });
  api.addHook('onResponse', async (req, reply) => {
    const status = reply.statusCode;
    observer.requests++;
    const cls = `${Math.floor(status / 100)}xx`;
    observer.byClass[cls] = (observer.byClass[cls] ?? 0) + 1;
    const route = `${req.method} ${req.routeOptions.url ?? '(no route)'}`;
    observer.byRoute[route] ??= {};
    observer.byRoute[route][status] = (observer.byRoute[route][status] ?? 0) + 1;
    const seen: Observed = { method: req.method, url: req.url, status };
    if (status >= 500)
      observer.serverErrors.push({ ...seen, body: (req as unknown as { fuzzBody?: string }).fuzzBody });
    const before = (req as unknown as Watched).fuzzBefore;
    if (status >= 400 && status < 500) {
      if (before && !overlapped) {
        observer.checked4xx++;
        const changed = changedTables(before, await fingerprint(db));
        if (changed.length > 0) observer.dataChanges.push({ ...seen, changed });
      } else observer.unchecked4xx++;
    } else if (req.method !== 'GET') unsettled = true;
    inFlight--;
    if (inFlight === 0) overlapped = false;
  });
}

async function runSchemathesis(
  bin: string,
  opts: { url: string; token: string; config: string; reportDir: string; args: string[] },
) {
  const args = [
    '--config-file',
    opts.config,
    'run',
    `${opts.url}/openapi.json`,
    '--header',
    `Authorization: Bearer ${opts.token}`,
    '--checks',
    'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
    '--workers',
    '1',
    '--request-timeout',
    '15',
    '--report',
    'junit,ndjson',
    '--report-dir',
    opts.reportDir,
    '--no-color',
    ...opts.args,
  ];
  // Schemathesis closes its output the way pytest does ("==== 3 warnings in 47.03s ===="), and a
  // reader of CI logs takes such a line for a pytest run that executed no test. Its output therefore
  // goes to a file beside its reports; the terminal shows it live only when a person is watching,
  // and the log gets one digest line, or the whole output (each line marked) after a failure.
  fs.mkdirSync(opts.reportDir, { recursive: true });
  const logFile = path.join(opts.reportDir, 'schemathesis.log');
  const out = fs.createWriteStream(logFile);
  const live = process.stdout.isTTY === true;
  // Run from the temporary directory: schemathesis keeps its example database in the working directory.
  const child = spawn(bin, args, { cwd: path.dirname(opts.config), stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      out.write(chunk);
      if (live) process.stdout.write(chunk);
    });
  }
  const exit = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  await new Promise<void>((resolve) => out.end(resolve));
  const text = fs.readFileSync(logFile, 'utf8');
  if (exit !== 0 && !live) for (const line of text.split('\n')) process.stdout.write(`[schemathesis] ${line}\n`);
  return { exit, digest: schemathesisDigest(text), logFile };
}

/** "1422 test cases generated, 1422 passed; 3 warnings", read from schemathesis's summary. */
function schemathesisDigest(output: string): string {
  const cases = /Test cases:\s*\n\s*(.+)/.exec(output)?.[1]?.trim();
  const closing = /^=+ (.+?) in [\d.]+s =+$/m.exec(output)?.[1];
  return [cases ? `test cases ${cases}` : 'no test case summary', closing].filter(Boolean).join('; ');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'max-examples': { type: 'string', default: process.env.FUZZ_MAX_EXAMPLES ?? '25' },
      seed: { type: 'string', default: process.env.FUZZ_SEED ?? '20260' },
      roles: { type: 'string', default: 'admin,sme' },
      serve: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const roles = values.roles.split(',').filter(Boolean) as FuzzRole[];
  const unknown = roles.filter((r) => !ROLES.includes(r));
  if (unknown.length > 0) throw new Error(`unknown role ${unknown.join(', ')}\n${USAGE}`);

  const bin = values.serve ? '' : ensureSchemathesis();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-fuzz-'));
  const artifacts = path.join(repoRoot, 'test-artifacts', 'fuzz');
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  say(`starting an isolated stack in ${tmp}...`);
  const stack = await startStack(tmp);
  const observer = new Observer();
  let failed = false;
  try {
    const seeded = await seed(stack);
    const { tokens } = seeded;
    const config = path.join(tmp, 'schemathesis.toml');
    fs.writeFileSync(config, schemathesisConfig(seeded));
    observe(stack, observer);
    const url = await stack.api.listen({ port: 0, host: '127.0.0.1' });
    if (values.serve) {
      say(`API at ${url}; log in ${stack.logFile}`);
      for (const r of ROLES) say(`  ${r}: Authorization: Bearer ${tokens[r]}`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      return;
    }
    const passes: { role: FuzzRole; seen: Observer; exit: number; seconds: number }[] = [];
    for (const role of roles) {
      say(`schemathesis as ${role} against ${url}/openapi.json (max ${values['max-examples']} examples per operation)`);
      const started = Date.now();
      const { exit, digest, logFile } = await runSchemathesis(bin, {
        url,
        token: tokens[role],
        config,
        reportDir: path.join(artifacts, role),
        args: ['--max-examples', values['max-examples'], '--seed', values.seed, ...positionals],
      });
      say(`  schemathesis as ${role}: exit ${exit}, ${digest} (output in ${path.relative(process.cwd(), logFile)})`);
      passes.push({ role, seen: observer.reset(), exit, seconds: Math.round((Date.now() - started) / 1000) });
    }

    say('summary');
    for (const { role, seen, exit, seconds } of passes) {
      const classes = Object.entries(seen.byClass)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      say(
        `  ${role}: ${seen.requests} requests in ${seconds} s (${classes}); ` +
          `${seen.serverErrors.length} server errors; ${seen.checked4xx} refused requests checked for data changes, ` +
          `${seen.dataChanges.length} changed data${seen.unchecked4xx ? ` (${seen.unchecked4xx} not checked)` : ''}; ` +
          `schemathesis exit ${exit}`,
      );
      for (const [route, counts] of Object.entries(seen.byRoute).sort())
        say(
          `    ${route.padEnd(52)} ${Object.entries(counts)
            .sort()
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
      for (const e of seen.serverErrors.slice(0, 20))
        say(`    5xx: ${e.method} ${e.url} -> ${e.status} ${e.body ?? ''}`);
      for (const c of seen.dataChanges.slice(0, 20))
        say(`    data changed by a refused request: ${c.method} ${c.url} -> ${c.status}: ${c.changed!.join('; ')}`);
      if (exit !== 0 || seen.serverErrors.length > 0 || seen.dataChanges.length > 0) failed = true;
    }
    say(`reports in ${path.relative(process.cwd(), artifacts)}/${failed ? `, API log in ${stack.logFile}` : ''}`);
    say(failed ? 'FAILED' : 'passed: no server error, no data changed by a refused request');
  } finally {
    await stack.stop();
  }
  if (failed) process.exitCode = 1;
  // The database and the logs are kept only to look into a failure.
  else fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`[fuzz] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
