/**
 * Configuration from the environment, validated once at start-up. Every variable has an embedded
 * default that runs the local stack; the README lists them all.
 */
import { z } from 'zod';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { databaseUrl } from '../infra/db-url';
import { DEFAULT_RECIPIENT_QUOTAS, type RecipientQuotas } from '../domain/participant-limits';

/** A secret generated once per checkout, so opt-out links keep working across restarts. */
function localSecret(): string {
  const file = path.resolve(__dirname, '..', 'var', 'preferences.secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('conciliaflow'),
  TEMPORAL_PORT: z.coerce.number().int().default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().default(8233),
  TEMPORAL_TLS: z.enum(['on', 'off']).optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  SMTP_URL: z.string().optional(),
  MAIL_CATCHER_PORT: z.coerce.number().int().default(1025),
  MAIL_CATCHER_PAGES: z.enum(['on', 'off'], { message: "must be 'on' or 'off'" }).optional(),
  MAIL_FROM: z.string().default('Conciliazione vita-lavoro <noreply@conciliaflow.local>'),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(5),
  SMTP_RATE_PER_SECOND: z.coerce.number().int().min(1).default(50),
  PREFERENCES_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CONSULTANT_DIGEST_THRESHOLD: z.coerce.number().int().min(1).default(3),
  SCHEDULES: z.enum(['on', 'off']).default('on'),
  WORKFLOW_BUNDLE: z.string().optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  WORKER_TASKS: z
    .enum(['all', 'workflows', 'activities'], { message: "must be 'all', 'workflows' or 'activities'" })
    .default('all'),
  WORKER_MEMORY_MB: z.coerce
    .number()
    .int('must be a whole number of MiB')
    .min(128, 'must be at least 128 (MiB): the worker needs about 280 MiB before caching anything')
    .optional(),
  REMINDER_LEAD_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  DISPATCH_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  DISPATCH_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  RECIPIENTS_PER_DAY: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_RECIPIENT_QUOTAS.perDay),
  RECIPIENTS_PER_DAY_COORDINATOR: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_RECIPIENT_QUOTAS.coordinatorPerDay),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type WorkerTasks = 'all' | 'workflows' | 'activities';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string;
  /** Undefined: the embedded stack starts its own dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  taskQueue: string;
  temporalPort: number;
  temporalUiPort: number;
  /** TLS and credentials for a remote cluster or Temporal Cloud; undefined: plain connection. */
  temporalTls?: TemporalTlsConfig;
  temporalApiKey?: string;
  /** Undefined: the embedded stack starts its own mail catcher. */
  smtpUrl?: string;
  mailCatcherPort: number;
  /**
   * Serve the mail catcher's pages (/mail, admins only): by default only when the API listens on
   * loopback, since every caught email carries working opt-out links.
   */
  mailCatcherPages: boolean;
  mailFrom: string;
  smtpMaxConnections: number;
  smtpRatePerSecond: number;
  logLevel: string;
  /** Overdue pathways from which a consultant's escalations wait for the daily digest. */
  consultantDigestThreshold: number;
  /** A prebuilt workflow bundle (bundleWorkflowCode output): the worker starts without bundling. */
  workflowBundle?: string;
  /**
   * Pathways a worker keeps in memory between their workflow tasks (Temporal's sticky cache); one
   * that is not cached replays its whole history when its next timer fires. Undefined: sized from
   * the worker's memory (worker/cache-size.ts).
   */
  workerMaxCachedWorkflows?: number;
  /** The memory the worker is given, in MiB; undefined: the cgroup limit, else a share of the machine's. */
  workerMemoryMb?: number;
  /**
   * What a worker process takes from the task queue: `all`; `workflows` (workflow tasks and the
   * local activities they run, such as the milestone write); `activities` (the other activities:
   * emails, digests, reports; and the dispatcher of staged emails).
   */
  workerTasks: WorkerTasks;
  /**
   * How far ahead a pathway stages each reminder in the outbox, for the dispatcher to send on
   * time (0: no staging, each reminder is sent by its own activity when its timer fires).
   */
  reminderLeadMs: number;
  /** The dispatcher's pause between polls when nothing is due. */
  dispatchPollMs: number;
  /** After this long, emails claimed by a dispatcher that stopped are taken back by another. */
  dispatchLeaseMs: number;
  /** The reconciler's pause between passes over enrollments whose workflow start was never recorded. */
  reconcileIntervalMs: number;
  /** Rows younger than this are left to the request that wrote them (it may still be starting the workflow). */
  reconcileGraceMs: number;
  /** Create the digest and report schedules at start-up. */
  schedules: boolean;
  /** Signs opt-out links; the embedded stack generates one and keeps it in var/. */
  preferencesSecret: string;
  /** New participant addresses an account may add in 24 hours (admins: no limit). */
  recipientQuotas: RecipientQuotas;
}

export class ConfigError extends Error {}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) or localhost: an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return !!m && m.slice(1).every((o) => Number(o) <= 255) && m[1] === '127';
}

/** File paths, read when connecting (so a rotated certificate is picked up at the next start). */
export interface TemporalTlsConfig {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
}

function temporalTls(e: z.infer<typeof schema>): TemporalTlsConfig | undefined {
  if (!!e.TEMPORAL_TLS_CERT !== !!e.TEMPORAL_TLS_KEY)
    throw new ConfigError(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its private key, PEM files): set both or neither.',
    );
  const wanted =
    e.TEMPORAL_TLS === 'on' ||
    (e.TEMPORAL_TLS !== 'off' &&
      !!(e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME || e.TEMPORAL_API_KEY));
  if (!wanted) {
    if (e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME)
      throw new ConfigError(
        'TEMPORAL_TLS=off contradicts TEMPORAL_TLS_CERT/_CA/_SERVER_NAME: remove one or the other.',
      );
    return undefined;
  }
  if (!e.TEMPORAL_ADDRESS)
    throw new ConfigError(
      'TLS or an API key for Temporal needs TEMPORAL_ADDRESS (e.g. my-ns.a1b2c.tmprl.cloud:7233); the embedded dev server is plain.',
    );
  for (const [name, file] of [
    ['TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT],
    ['TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY],
    ['TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA],
  ] as const) {
    if (file && !fs.existsSync(file))
      throw new ConfigError(`${name}: no file at ${file} (give the path of a PEM file).`);
  }
  return {
    certPath: e.TEMPORAL_TLS_CERT,
    keyPath: e.TEMPORAL_TLS_KEY,
    caPath: e.TEMPORAL_TLS_CA,
    serverName: e.TEMPORAL_TLS_SERVER_NAME,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(
      `Invalid configuration:\n${lines.join('\n')}\nFix these environment variables (see README, "Configuration").`,
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL ?? databaseUrl(),
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    temporalTls: temporalTls(e),
    temporalApiKey: e.TEMPORAL_API_KEY,
    smtpUrl: e.SMTP_URL,
    mailCatcherPort: e.MAIL_CATCHER_PORT,
    mailCatcherPages: e.MAIL_CATCHER_PAGES ? e.MAIL_CATCHER_PAGES === 'on' : isLoopbackHost(e.HOST),
    mailFrom: e.MAIL_FROM,
    smtpMaxConnections: e.SMTP_MAX_CONNECTIONS,
    smtpRatePerSecond: e.SMTP_RATE_PER_SECOND,
    logLevel: e.LOG_LEVEL,
    consultantDigestThreshold: e.CONSULTANT_DIGEST_THRESHOLD,
    schedules: e.SCHEDULES === 'on',
    workflowBundle: e.WORKFLOW_BUNDLE,
    workerMaxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    workerMemoryMb: e.WORKER_MEMORY_MB,
    workerTasks: e.WORKER_TASKS,
    reminderLeadMs: e.REMINDER_LEAD_MINUTES * 60_000,
    dispatchPollMs: e.DISPATCH_POLL_MS,
    dispatchLeaseMs: e.DISPATCH_LEASE_SECONDS * 1000,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_SECONDS * 1000,
    reconcileGraceMs: e.RECONCILE_GRACE_SECONDS * 1000,
    preferencesSecret: e.PREFERENCES_SECRET ?? localSecret(),
    recipientQuotas: { perDay: e.RECIPIENTS_PER_DAY, coordinatorPerDay: e.RECIPIENTS_PER_DAY_COORDINATOR },
  };
}
