/**
 * The CLI commands that work on the database directly (DATABASE_URL, default the embedded SQLite):
 * the funding ledger, the reports, users and API tokens. Loaded by main.ts only when one of them
 * runs, since Prisma and the report code are the bulk of what the CLI could load.
 */
import fs from 'node:fs';
import { createDb, databaseUrl, type Db } from '../../infra/db';
import { dialectOf } from '../../infra/db-url';
import { enrollmentTimeline, milestoneReport } from '../../reports/milestones';
import { REPORT_DIMENSIONS, type ReportDimension } from '../../reports/dimensions';
import { renderMilestoneReport, type ReportFormat } from '../../reports/render-milestones';
import { addDays, formatRomeDateTime, parseIsoDate, romeToEpochMs } from '../../domain/calendar';
import { isDomainError } from '../../domain/errors';
import { eurosToCents, formatEuro } from '../../domain/money';
import { migrate } from '../../infra/migrate';
import { cliActor } from '../audit';
import {
  createApiToken,
  createUser,
  listApiTokens,
  listUsers,
  MAX_TOKEN_DAYS,
  resetPassword,
  revokeApiToken,
  setUserDisabled,
} from '../auth/users';
import { buildFundingReport, renderFundingReport } from '../funding-report';
import { allocateFunds, fundingLedger, importFundingCsv, loadFundingProjects } from '../funding-store';
import { ensureProgrammeSeeds } from '../programmes';
import { CliError, printJson } from './common';

const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
  const url = databaseUrl();
  migrate(url);
  const db = createDb(url);
  try {
    // The milestone report reads the editions (their current ends) from the database.
    await ensureProgrammeSeeds(db);
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
};

const domainFailure = (err: unknown): never => {
  if (isDomainError(err)) {
    const details = (
      err.details as { errors?: { line: number; column: string | null; message: { it: string; en: string } }[] }
    )?.errors;
    const lines = (details ?? []).map(
      (e) => `  riga/line ${e.line}${e.column ? ` [${e.column}]` : ''}: ${e.message.it} / ${e.message.en}`,
    );
    throw new CliError([err.messages.it, ...lines].join('\n'), 3);
  }
  throw err;
};

export async function fundingImport(file: string, json: boolean): Promise<void> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, 2);
  }
  const { imported } = await withDb((db) => importFundingCsv(db, text, cliActor())).catch(domainFailure);
  if (json) process.stdout.write(JSON.stringify({ imported }) + '\n');
  else process.stdout.write(`importati/imported: ${imported}\n`);
}

export async function fundingAllocate(o: { budget: string }, json: boolean): Promise<void> {
  let cents: number;
  try {
    cents = eurosToCents(o.budget);
  } catch (err) {
    return domainFailure(err);
  }
  const round = await withDb((db) => allocateFunds(db, cents, cliActor())).catch(domainFailure);
  if (json) return printJson(round);
  process.stdout.write(
    `finanziati/funded: ${round.funded.join(', ') || '-'}\nassegnati/granted: ${formatEuro(round.grantedCents, 'it')}, residuo/left: ${formatEuro(round.remainingCents, 'it')}\n`,
  );
}

export async function reportFunding(o: { by: string; format: string; locale: string }): Promise<void> {
  if (o.by !== 'province') throw new CliError('--by: only "province" is available for funding', 2);
  if (!['csv', 'json', 'html'].includes(o.format)) throw new CliError('--format must be csv, json or html', 2);
  const [projects, ledger] = await withDb(
    async (db) => [await loadFundingProjects(db), await fundingLedger(db)] as const,
  );
  const report = buildFundingReport(projects, undefined, {
    allocatedCents: ledger.allocatedCents,
    remainingCents: ledger.remainingCents,
  });
  process.stdout.write(renderFundingReport(report, o.format as 'csv', o.locale === 'en' ? 'en' : 'it'));
}

/** The options of `report milestones`, as commander parses them. */
export interface ReportMilestonesOptions {
  by: string;
  programme?: string;
  network?: string;
  from?: string;
  to?: string;
  format: string;
  locale: string;
}

export async function reportMilestones(o: ReportMilestonesOptions): Promise<void> {
  if (!(REPORT_DIMENSIONS as readonly string[]).includes(o.by))
    throw new CliError(`--by must be one of ${REPORT_DIMENSIONS.join(', ')}`, 2);
  if (!['csv', 'json', 'html'].includes(o.format)) throw new CliError('--format must be csv, json or html', 2);
  const day = (s: string, flag: string) => {
    try {
      return parseIsoDate(s);
    } catch {
      throw new CliError(`${flag} must be a date YYYY-MM-DD, got "${s}"`, 2);
    }
  };
  const from = o.from ? day(o.from, '--from') : undefined;
  const to = o.to ? addDays(day(o.to, '--to'), 1) : undefined;
  const url = databaseUrl();
  const result = await withDb((db) =>
    milestoneReport(db, dialectOf(url), {
      by: o.by as ReportDimension,
      ...(o.programme ? { programme: o.programme } : {}),
      ...(o.network ? { atsCode: o.network } : {}),
      ...(from ? { from: romeToEpochMs(from.year, from.month, from.day) } : {}),
      ...(to ? { to: romeToEpochMs(to.year, to.month, to.day) } : {}),
      asOf: Date.now(),
    }),
  );
  process.stdout.write(renderMilestoneReport(result, o.format as ReportFormat, o.locale === 'en' ? 'en' : 'it'));
}

export async function reportTimeline(enrollmentId: string, json: boolean): Promise<void> {
  const entries = await withDb((db) => enrollmentTimeline(db, enrollmentId));
  if (entries.length === 0)
    throw new CliError(`No milestones for enrollment ${enrollmentId}: check the id with \`conciliaflow list\``, 3);
  if (json) return printJson(entries);
  for (const e of entries)
    process.stdout.write(
      `${formatRomeDateTime(Date.parse(e.occurredAt), 'it').padEnd(40)} ${e.type.padEnd(24)} ${(e.stepKey ?? '').padEnd(18)} ${e.actor}${e.onTime === false ? '  (in ritardo / late)' : ''}\n`,
    );
}

/** Reads a line from the terminal without echoing it (a password). */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('interrupted', 1));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The password of --password-env, or one typed twice on the terminal; a usage error otherwise. */
async function newPasswordFrom(passwordEnv: string | undefined): Promise<string> {
  if (passwordEnv) {
    const value = process.env[passwordEnv];
    if (!value) throw new CliError(`--password-env: ${passwordEnv} is not set`, 2);
    return value;
  }
  if (!process.stdin.isTTY)
    throw new CliError('no terminal to type the password on: pass --password-env <VAR> with the password in VAR', 2);
  const first = await promptHidden('Nuova password / new password: ');
  const second = await promptHidden('Ripetere / repeat: ');
  if (first !== second) throw new CliError('le password non coincidono / the passwords differ: nothing changed', 2);
  return first;
}

function tokenDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOKEN_DAYS)
    throw new CliError(`--expires-in-days must be a whole number from 1 to ${MAX_TOKEN_DAYS}, got "${value}"`, 2);
  return n;
}

function printToken(t: { id: string; token: string; name: string; expiresAt: string }): void {
  process.stdout.write(
    `API token ${t.id} ("${t.name}", expires ${t.expiresAt}; the secret is shown once, keep it secret):\n${t.token}\n`,
  );
}

/** The options of `users create`, as commander parses them. */
export interface UsersCreateOptions {
  role: string;
  email: string;
  name: string;
  network?: string;
  company?: string;
  locale: string;
  passwordEnv?: string;
  token?: string;
}

export async function usersCreate(o: UsersCreateOptions, json: boolean): Promise<void> {
  const password = o.passwordEnv ? process.env[o.passwordEnv] : undefined;
  if (o.passwordEnv && !password) throw new CliError(`--password-env: ${o.passwordEnv} is not set`, 2);
  const out = await withDb(async (db) => {
    const user = await createUser(
      db,
      {
        role: o.role,
        email: o.email,
        name: o.name,
        atsCode: o.network,
        companyVatNumber: o.company,
        locale: o.locale,
        password,
      },
      cliActor(),
    );
    const token = o.token ? await createApiToken(db, user.id, o.token, cliActor()) : undefined;
    return { user, token };
  }).catch(domainFailure);
  if (json) return printJson(out);
  process.stdout.write(`created ${out.user.role} ${out.user.email} (${out.user.id})\n`);
  if (out.token) {
    printToken(out.token);
    process.stdout.write(`use it with: export CONCILIAFLOW_TOKEN=${out.token.token}\n`);
  }
}

export async function usersList(o: { role?: string }, json: boolean): Promise<void> {
  const page = await withDb((db) => listUsers(db, { limit: 200, ...(o.role ? { role: o.role } : {}) }));
  if (json) return printJson(page);
  for (const u of page.items)
    process.stdout.write(
      `${u.email.padEnd(36)} ${u.role.padEnd(12)} ${(u.atsCode ?? '').padEnd(16)} ${u.disabled ? 'disabled' : ''}\n`,
    );
}

const userByEmail = async (db: Db, email: string) => {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) throw new CliError(`No user ${email}: see \`conciliaflow users list\``, 3);
  return user;
};

export async function usersToken(email: string, o: { name: string; expiresInDays: string }, json: boolean) {
  const days = tokenDays(o.expiresInDays);
  const out = await withDb(async (db) =>
    createApiToken(db, (await userByEmail(db, email)).id, o.name, cliActor(), days),
  );
  if (json) return printJson(out);
  printToken(out);
}

export async function usersTokens(email: string, json: boolean): Promise<void> {
  const page = await withDb(async (db) => listApiTokens(db, (await userByEmail(db, email)).id, { limit: 200 }));
  if (json) return printJson(page);
  for (const t of page.items)
    process.stdout.write(
      `${t.id.padEnd(26)} ${t.name.padEnd(20)} ${(t.revokedAt ? 'revoked' : t.active ? 'active' : 'expired').padEnd(8)} created ${t.createdAt}  last used ${t.lastUsedAt ?? '-'}  expires ${t.expiresAt}\n`,
    );
}

export async function usersRevokeToken(email: string, tokenId: string, json: boolean): Promise<void> {
  const ok = await withDb(async (db) => revokeApiToken(db, (await userByEmail(db, email)).id, tokenId, cliActor()));
  if (!ok) throw new CliError(`No live token ${tokenId} of ${email}: see \`conciliaflow users tokens ${email}\``, 3);
  process.stdout.write(json ? JSON.stringify({ revoked: tokenId }) + '\n' : `revoked ${tokenId}\n`);
}

export async function usersPassword(email: string, o: { passwordEnv?: string }, json: boolean): Promise<void> {
  const password = await newPasswordFrom(o.passwordEnv);
  const out = await withDb((db) => resetPassword(db, email, password, cliActor())).catch(domainFailure);
  if (json) return printJson(out);
  process.stdout.write(`password of ${out.user.email} changed; sessions ended: ${out.sessionsEnded}\n`);
}

export async function usersSetDisabled(action: 'deactivate' | 'reactivate', email: string, json: boolean) {
  const out = await withDb(async (db) =>
    setUserDisabled(db, (await userByEmail(db, email)).id, action === 'deactivate', cliActor()),
  ).catch(domainFailure);
  if (json) return printJson(out);
  process.stdout.write(
    action === 'deactivate'
      ? `deactivated ${out.user.email}; sessions ended: ${out.sessionsEnded}, tokens revoked: ${out.tokensRevoked}\n`
      : `reactivated ${out.user.email}\n`,
  );
}
