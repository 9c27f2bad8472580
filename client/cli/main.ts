/**
 * `conciliaflow`: the command line. Pathway commands talk to the HTTP API (CONCILIAFLOW_URL,
 * default http://localhost:3000), so the CLI works the same against a local or a remote service.
 *
 * Exit codes: 0 ok, 1 unexpected failure, 2 usage error, 3 refused by the service (4xx),
 * 4 service unreachable or failing (5xx).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { listTemplates, renderMessage, sampleContext, TemplateError } from '../../activities/mail/render';
import { createDb, databaseUrl, type Db } from '../../activities/db';
import { addDays, formatRomeDateTime, parseIsoDate, romeToEpochMs } from '../../domain/calendar';
import { dialectOf } from '../../activities/db-url';
import {
  enrollmentTimeline,
  milestoneReport,
  REPORT_DIMENSIONS,
  type ReportDimension,
} from '../../activities/reports/milestones';
import { renderMilestoneReport, type ReportFormat } from '../../activities/reports/render-milestones';
import { isDomainError } from '../../domain/errors';
import { eurosToCents, formatEuro } from '../../domain/money';
import { migrate } from '../../scripts/migrate';
import { buildFundingReport, renderFundingReport } from '../funding-report';
import { allocateFunds, importFundingCsv, loadFundingProjects } from '../funding-store';
import { CATALOGUE } from '../../domain/catalogue';
import { cliActor } from '../audit';
import {
  createApiToken,
  createUser,
  DEFAULT_TOKEN_DAYS,
  listApiTokens,
  listUsers,
  MAX_TOKEN_DAYS,
  resetPassword,
  revokeApiToken,
  setUserDisabled,
} from '../auth/users';
import { cliToken } from '../auth/bootstrap';
import { ENROLLMENT_CSV_COLUMNS, parseEnrollmentCsvStream } from '../enrollment-csv';
import { ensureProgrammeSeeds } from '../programmes';
import { registerProgrammeCommands } from './programmes';

// Against the local embedded stack, the token `npm start` created is used when none is given.
const token = () =>
  process.env.CONCILIAFLOW_URL ? process.env.CONCILIAFLOW_TOKEN : cliToken(path.resolve(__dirname, '..', '..', 'var'));
const baseUrl = () => (process.env.CONCILIAFLOW_URL ?? 'http://localhost:3000').replace(/\/$/, '');

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; text: string }> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'accept-language': process.env.CONCILIAFLOW_LANG ?? 'it',
        ...(token() ? { authorization: `Bearer ${token()}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(
      `Cannot reach ${baseUrl()} (${(err as Error).message}). Start the service with \`npm start\` or set CONCILIAFLOW_URL.`,
      4,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

function failure(r: { status: number; json: unknown; text: string }): CliError {
  const e = (r.json as { error?: { code?: string; message?: string } })?.error;
  const hint =
    r.status === 401
      ? '\nSet CONCILIAFLOW_TOKEN to an API token (create one with `conciliaflow users token <email>`).'
      : '';
  return new CliError(`${e?.code ?? r.status}: ${e?.message ?? r.text}${hint}`, r.status >= 500 ? 4 : 3);
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const r = await request(method, path, body, headers);
  if (r.status >= 400) throw failure(r);
  return r.json;
}

/** A progress bar on stderr; a line every tenth when stderr is not a terminal (CI logs). */
function progress(total: number, label: string) {
  let done = 0;
  let lastTenth = -1;
  const draw = () => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    if (process.stderr.isTTY) {
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`);
      if (done === total) process.stderr.write('\n');
    } else {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${done}/${total} ${label}\n`);
      }
    }
  };
  draw();
  return {
    tick() {
      done++;
      draw();
    },
  };
}

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    throw new CliError(`Cannot read JSON from ${file}: ${(err as Error).message}`, 2);
  }
}

type View = {
  id: string;
  status: string;
  kind: string;
  company: { name: string };
  pathway: { steps: { key: string; status: string; dueAt: string | null; name: { it: string } }[] } | null;
};

function printEnrollment(v: View): void {
  process.stdout.write(`${v.id}  ${v.company.name}  ${v.kind}  [${v.status}]\n`);
  if (!v.pathway) process.stdout.write('  (pathway workflow started; `conciliaflow show` lists its steps)\n');
  for (const s of v.pathway?.steps ?? []) {
    const mark = s.status === 'done' ? '✔' : s.status === 'active' ? '▶' : '·';
    const due = s.dueAt ? formatRomeDateTime(Date.parse(s.dueAt), 'it') : '';
    process.stdout.write(`  ${mark} ${s.key.padEnd(16)} ${s.name.it.padEnd(48)} ${due}\n`);
  }
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

export function buildProgram(): Command {
  const program = new Command()
    .name('conciliaflow')
    .description('Percorsi di conciliazione vita-lavoro per le PMI lombarde / work-life balance pathways')
    .option('--json', 'print machine-readable JSON')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  conciliaflow enroll --file request.json --key my-request-1
  conciliaflow show enr_123
  conciliaflow advance enr_123 intake
  conciliaflow advance enr_123 needs-analysis --evidence "REP-2026-14"
  conciliaflow extend enr_123 training 2027-03-31 --reason "trainer ill, course moved"
  conciliaflow reopen enr_123 needs-analysis --reason "report missing the survey"
  conciliaflow withdraw enr_123 --reason "company closed"
  conciliaflow funding import progetti.csv
  conciliaflow funding allocate --budget 500000
  conciliaflow report funding --by province --format html > finanziamenti.html
  conciliaflow report milestones --by province --programme demo-2026-2027 --format html > traguardi.html
  conciliaflow report milestones --by kind --network ats-milano --from 2026-01-01 --to 2026-06-30 --format csv
  conciliaflow report timeline enr_123
  conciliaflow import enrollments imprese.csv
  conciliaflow users create --role admin --email regione@example.org --name "Anna Rossi" --password-env CF_PASSWORD --token cli
  conciliaflow users create --role coordinator --network ats-milano --email rete@ats.example --name "Elena Sala"
  conciliaflow users password admin@conciliaflow.local          # type the new password twice
  conciliaflow users token giulia@studio.it --name script --expires-in-days 30
  conciliaflow users tokens giulia@studio.it
  conciliaflow users deactivate giulia@studio.it
  conciliaflow schedules list
  conciliaflow schedules pause conciliaflow-report-region --note "August break"
  conciliaflow templates list --json
  conciliaflow templates preview step-reminder --locale en
  CONCILIAFLOW_URL=https://conciliaflow.example.org conciliaflow list --status active`,
    );
  const json = () => Boolean(program.opts().json);

  program
    .command('enroll')
    .description('enroll a company from a JSON request (see README for the shape)')
    .requiredOption('-f, --file <file>', 'JSON file with the enrollment request, "-" for stdin')
    .option('-k, --key <key>', 'idempotency key: repeating the command with it never enrolls twice')
    .action(async (opts: { file: string; key?: string }) => {
      const body = readJsonFile(opts.file);
      const v = (await call('POST', '/enrollments', body, opts.key ? { 'idempotency-key': opts.key } : {})) as View;
      if (json()) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
      else printEnrollment(v);
    });

  program
    .command('show <id>')
    .description('show an enrollment: steps, due dates, milestones')
    .action(async (id: string) => {
      const v = (await call('GET', `/enrollments/${encodeURIComponent(id)}`)) as View;
      if (json()) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
      else printEnrollment(v);
    });

  program
    .command('list')
    .description('list enrollments')
    .option('--status <status>', 'active | completed | withdrawn | expired')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <id>', 'continue after this id')
    .action(async (opts: { status?: string; limit: string; cursor?: string }) => {
      const q = new URLSearchParams({
        limit: opts.limit,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.cursor ? { cursor: opts.cursor } : {}),
      });
      const page = (await call('GET', `/enrollments?${q}`)) as {
        items: { id: string; company: string; kind: string; status: string; currentStep: string | null }[];
        nextCursor: string | null;
      };
      if (json()) return void process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      for (const e of page.items)
        process.stdout.write(
          `${e.id}  ${e.status.padEnd(9)} ${e.kind.padEnd(22)} ${e.currentStep ?? '-'}  ${e.company}\n`,
        );
      if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
    });

  program
    .command('advance <id> <step>')
    .description('complete a step of an enrollment')
    .option('-e, --evidence <ref>', 'evidence reference (document id, signed agreement, register)')
    .action(async (id: string, step: string, opts: { evidence?: string }) => {
      const v = (await call(
        'POST',
        `/enrollments/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/complete`,
        { evidence: opts.evidence },
      )) as View;
      if (json()) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
      else printEnrollment(v);
    });

  const post = async (path: string, body: unknown) => {
    const v = (await call('POST', path, body)) as View;
    if (json()) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
    else printEnrollment(v);
  };
  const enc = encodeURIComponent;

  program
    .command('reopen <id> <step>')
    .description('reopen the last completed step, with a reason')
    .requiredOption('-r, --reason <text>', 'why (kept in the history)')
    .action((id: string, step: string, o: { reason: string }) =>
      post(`/enrollments/${enc(id)}/steps/${enc(step)}/reopen`, { reason: o.reason }),
    );

  program
    .command('extend <id> <step> <newDueDate>')
    .description('move the due date of the step in progress (YYYY-MM-DD, never past the programme end)')
    .requiredOption('-r, --reason <text>', 'why (kept in the history)')
    .action((id: string, step: string, newDueDate: string, o: { reason: string }) =>
      post(`/enrollments/${enc(id)}/steps/${enc(step)}/extend`, {
        reason: o.reason,
        newDueDate,
      }),
    );

  program
    .command('assign <id> <email> <name>')
    .description('assign or change the consultant')
    .action((id: string, email: string, name: string, _o: unknown) =>
      post(`/enrollments/${enc(id)}/consultant`, { consultant: { email, name } }),
    );

  program
    .command('withdraw <id>')
    .description('withdraw the enrollment, with a reason')
    .requiredOption('-r, --reason <text>', 'why')
    .action((id: string, o: { reason: string }) => post(`/enrollments/${enc(id)}/withdraw`, { reason: o.reason }));

  program
    .command('confirm <id>')
    .description('the SME confirms its participation')
    .action((id: string) => post(`/enrollments/${enc(id)}/confirm`, {}));

  program
    .command('catalogue')
    .description('the pathway catalogue')
    .command('list')
    .description('list pathway kinds with their steps')
    .action(async () => {
      const kinds = Object.values(CATALOGUE);
      if (json()) return void process.stdout.write(JSON.stringify(kinds, null, 2) + '\n');
      for (const k of kinds) {
        process.stdout.write(`${k.kind} (v${k.version}) ${k.name.it}\n`);
        for (const s of k.steps)
          process.stdout.write(`  - ${s.key}: ${s.name.it} (${s.durationWorkingDays} gg lavorativi)\n`);
      }
    });
  // The funding ledger works on the database directly (DATABASE_URL, default the embedded SQLite).
  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const url = databaseUrl();
    migrate(url);
    const db = createDb(url);
    try {
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
  const funding = program.command('funding').description('funding ledger of a call (grants in euro cents, ranking)');
  funding
    .command('import <file>')
    .description(
      'load projects from CSV: code,title,lead_body,province,eligible_cost_eur,requested_grant_eur,rank,status',
    )
    .action(async (file: string) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, 2);
      }
      const { imported } = await withDb((db) => importFundingCsv(db, text)).catch(domainFailure);
      if (json()) process.stdout.write(JSON.stringify({ imported }) + '\n');
      else process.stdout.write(`importati/imported: ${imported}\n`);
    });
  funding
    .command('allocate')
    .description('fund admitted projects in rank order with new money ("scorrimento della graduatoria")')
    .requiredOption('-b, --budget <eur>', 'amount allocated, in euros (e.g. 250000 or 250.000,00)')
    .action(async (o: { budget: string }) => {
      let cents: number;
      try {
        cents = eurosToCents(o.budget);
      } catch (err) {
        return domainFailure(err);
      }
      const round = await withDb((db) => allocateFunds(db, cents)).catch(domainFailure);
      if (json()) return void process.stdout.write(JSON.stringify(round, null, 2) + '\n');
      process.stdout.write(
        `finanziati/funded: ${round.funded.join(', ') || '-'}\nassegnati/granted: ${formatEuro(round.grantedCents, 'it')}, residuo/left: ${formatEuro(round.remainingCents, 'it')}\n`,
      );
    });
  const report = program.command('report').description('reports: funding ledger, pathway milestones, timelines');
  report
    .command('funding')
    .description('funded projects and granted amounts per province, with a grand total')
    .option('--by <dimension>', 'province', 'province')
    .option('-f, --format <format>', 'csv | json | html', 'csv')
    .option('-l, --locale <locale>', 'it | en', 'it')
    .action(async (o: { by: string; format: string; locale: string }) => {
      if (o.by !== 'province') throw new CliError('--by: only "province" is available for funding', 2);
      if (!['csv', 'json', 'html'].includes(o.format)) throw new CliError('--format must be csv, json or html', 2);
      const projects = await withDb((db) => loadFundingProjects(db));
      const report = buildFundingReport(projects);
      process.stdout.write(renderFundingReport(report, o.format as 'csv', o.locale === 'en' ? 'en' : 'it'));
    });

  report
    .command('milestones')
    .description('enrollments by status, steps on time and late, completion rate, days per step, pathways at risk')
    .option('--by <dimension>', REPORT_DIMENSIONS.join(' | '), 'network')
    .option('--programme <code>', 'only this programme edition')
    .option('--network <atsCode>', 'only this ATS network (e.g. ats-milano)')
    .option('--from <date>', 'enrollments made on or after this day (YYYY-MM-DD, Europe/Rome)')
    .option('--to <date>', 'enrollments made on or before this day (YYYY-MM-DD, Europe/Rome)')
    .option('-f, --format <format>', 'csv | json | html', 'csv')
    .option('-l, --locale <locale>', 'it | en', 'it')
    .action(
      async (o: {
        by: string;
        programme?: string;
        network?: string;
        from?: string;
        to?: string;
        format: string;
        locale: string;
      }) => {
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
      },
    );
  report
    .command('timeline <enrollmentId>')
    .description('every milestone of one enrollment, with who and when')
    .action(async (enrollmentId: string) => {
      const entries = await withDb((db) => enrollmentTimeline(db, enrollmentId));
      if (entries.length === 0)
        throw new CliError(`No milestones for enrollment ${enrollmentId}: check the id with \`conciliaflow list\``, 3);
      if (json()) return void process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
      for (const e of entries)
        process.stdout.write(
          `${formatRomeDateTime(Date.parse(e.occurredAt), 'it').padEnd(40)} ${e.type.padEnd(24)} ${(e.stepKey ?? '').padEnd(18)} ${e.actor}${e.onTime === false ? '  (in ritardo / late)' : ''}\n`,
        );
    });

  program
    .command('import')
    .description('bulk operations from files')
    .command('enrollments <file>')
    .description(
      `enroll companies from a CSV (one row per participant; columns: ${ENROLLMENT_CSV_COLUMNS.join(', ')}); safe to re-run`,
    )
    .option('--concurrency <n>', 'requests in flight', '4')
    .action(async (file: string, o: { concurrency: string }) => {
      // Read as a stream and grouped as it is read: every row is still checked before anything is sent.
      let rows: Awaited<ReturnType<typeof parseEnrollmentCsvStream>>;
      try {
        rows = await parseEnrollmentCsvStream(file === '-' ? process.stdin : fs.createReadStream(file));
      } catch (err) {
        if (isDomainError(err)) throw new CliError(err.messages.it, 3);
        if ((err as NodeJS.ErrnoException).syscall)
          throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, 2);
        throw err;
      }
      const bar = progress(rows.length, 'iscrizioni / enrollments');
      const outcome = { created: 0, existing: 0, refused: [] as { lines: number[]; error: string }[] };
      let next = 0;
      const lane = async () => {
        while (next < rows.length) {
          const row = rows[next++]!;
          const r = await request('POST', '/enrollments', row.request, { 'idempotency-key': row.idempotencyKey });
          if (r.status === 201) outcome.created++;
          else if (r.status === 200) outcome.existing++;
          else if (r.status >= 500 || r.status === 401) throw failure(r);
          else outcome.refused.push({ lines: row.lines, error: failure(r).message });
          bar.tick();
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Number(o.concurrency) || 4) }, lane));
      if (json()) process.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
      else {
        process.stdout.write(
          `iscritte/created ${outcome.created}, già presenti/already there ${outcome.existing}, rifiutate/refused ${outcome.refused.length}\n`,
        );
        for (const f of outcome.refused) process.stdout.write(`  riga/line ${f.lines.join(',')}: ${f.error}\n`);
      }
      if (outcome.refused.length > 0) throw new CliError(`${outcome.refused.length} enrollments refused`, 3);
    });

  const users = program.command('users').description('users, roles and API tokens (works on the database directly)');
  users
    .command('create')
    .description('create a user; the first admin is bootstrapped this way')
    .requiredOption('--role <role>', 'admin | coordinator | consultant | sme')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'full name')
    .option('--network <atsCode>', 'the ATS network of a coordinator, e.g. ats-milano')
    .option('--company <vatNumber>', 'the company of an sme user (already enrolled)')
    .option('--locale <locale>', 'it | en', 'it')
    .option('--password-env <VAR>', 'read the dashboard password from this environment variable')
    .option('--token <name>', 'also create an API token with this name and print it once')
    .action(
      async (o: {
        role: string;
        email: string;
        name: string;
        network?: string;
        company?: string;
        locale: string;
        passwordEnv?: string;
        token?: string;
      }) => {
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
        if (json()) return void process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        process.stdout.write(`created ${out.user.role} ${out.user.email} (${out.user.id})\n`);
        if (out.token) {
          printToken(out.token);
          process.stdout.write(`use it with: export CONCILIAFLOW_TOKEN=${out.token.token}\n`);
        }
      },
    );
  users
    .command('list')
    .description('list users')
    .option('--role <role>', 'only this role')
    .action(async (o: { role?: string }) => {
      const page = await withDb((db) => listUsers(db, { limit: 200, ...(o.role ? { role: o.role } : {}) }));
      if (json()) return void process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      for (const u of page.items)
        process.stdout.write(
          `${u.email.padEnd(36)} ${u.role.padEnd(12)} ${(u.atsCode ?? '').padEnd(16)} ${u.disabled ? 'disabled' : ''}\n`,
        );
    });
  const userByEmail = async (db: Db, email: string) => {
    const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    if (!user) throw new CliError(`No user ${email}: see \`conciliaflow users list\``, 3);
    return user;
  };
  users
    .command('token <email>')
    .description('create an API token for a user; prints its id and, once, its secret')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <days>', `days until it stops working (1-${MAX_TOKEN_DAYS})`, String(DEFAULT_TOKEN_DAYS))
    .action(async (email: string, o: { name: string; expiresInDays: string }) => {
      const days = tokenDays(o.expiresInDays);
      const out = await withDb(async (db) =>
        createApiToken(db, (await userByEmail(db, email)).id, o.name, cliActor(), days),
      );
      if (json()) return void process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      printToken(out);
    });
  users
    .command('tokens <email>')
    .description("list a user's API tokens: id, name, created, last used, expiry, revoked")
    .action(async (email: string) => {
      const page = await withDb(async (db) => listApiTokens(db, (await userByEmail(db, email)).id, { limit: 200 }));
      if (json()) return void process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      for (const t of page.items)
        process.stdout.write(
          `${t.id.padEnd(26)} ${t.name.padEnd(20)} ${(t.revokedAt ? 'revoked' : t.active ? 'active' : 'expired').padEnd(8)} created ${t.createdAt}  last used ${t.lastUsedAt ?? '-'}  expires ${t.expiresAt}\n`,
        );
    });
  users
    .command('revoke-token <email> <tokenId>')
    .description("revoke one of a user's API tokens (ids from `users tokens`)")
    .action(async (email: string, tokenId: string) => {
      const ok = await withDb(async (db) => revokeApiToken(db, (await userByEmail(db, email)).id, tokenId, cliActor()));
      if (!ok)
        throw new CliError(`No live token ${tokenId} of ${email}: see \`conciliaflow users tokens ${email}\``, 3);
      process.stdout.write(json() ? JSON.stringify({ revoked: tokenId }) + '\n' : `revoked ${tokenId}\n`);
    });
  users
    .command('password <email>')
    .description("set a user's password (a forgotten one, the first admin's); every session of theirs ends")
    .option('--password-env <VAR>', 'read the new password from this environment variable (else typed twice)')
    .action(async (email: string, o: { passwordEnv?: string }) => {
      const password = await newPasswordFrom(o.passwordEnv);
      const out = await withDb((db) => resetPassword(db, email, password, cliActor())).catch(domainFailure);
      if (json()) return void process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      process.stdout.write(`password of ${out.user.email} changed; sessions ended: ${out.sessionsEnded}\n`);
    });
  for (const action of ['deactivate', 'reactivate'] as const)
    users
      .command(`${action} <email>`)
      .description(
        action === 'deactivate'
          ? 'deactivate a user: their sessions end and their API tokens are revoked at once'
          : 'reactivate a user (they sign in again and make new tokens; old ones stay revoked)',
      )
      .action(async (email: string) => {
        const out = await withDb(async (db) =>
          setUserDisabled(db, (await userByEmail(db, email)).id, action === 'deactivate', cliActor()),
        ).catch(domainFailure);
        if (json()) return void process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        process.stdout.write(
          action === 'deactivate'
            ? `deactivated ${out.user.email}; sessions ended: ${out.sessionsEnded}, tokens revoked: ${out.tokensRevoked}\n`
            : `reactivated ${out.user.email}\n`,
        );
      });

  const schedules = program
    .command('schedules')
    .description('digest and report schedules (Temporal Schedules; admin token needed)');
  schedules
    .command('list')
    .description('list schedules with their next runs')
    .action(async () => {
      const page = (await call('GET', '/schedules?limit=200')) as {
        items: { id: string; paused: boolean; nextRuns: string[]; description: string }[];
      };
      if (json()) return void process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      for (const s of page.items)
        process.stdout.write(
          `${s.id.padEnd(40)} ${s.paused ? 'PAUSED ' : 'active '} next ${s.nextRuns[0] ? formatRomeDateTime(Date.parse(s.nextRuns[0]), 'it') : '-'}\n    ${s.description}\n`,
        );
    });
  for (const action of ['pause', 'unpause', 'trigger'] as const)
    schedules
      .command(`${action} <id>`)
      .description(
        action === 'pause' ? 'pause a schedule' : action === 'unpause' ? 'resume a paused schedule' : 'run it now',
      )
      .option('--note <text>', 'why (shown in the schedule)')
      .action(async (id: string, o: { note?: string }) => {
        const s = await call('POST', `/schedules/${encodeURIComponent(id)}/${action}`, o.note ? { note: o.note } : {});
        process.stdout.write(json() ? JSON.stringify(s, null, 2) + '\n' : `${id}: ${action} done\n`);
      });

  const templates = program.command('templates').description('email templates (handlebars, Italian and English)');
  templates
    .command('list')
    .description('list message templates with their languages and variables')
    .action(async () => {
      const list = listTemplates();
      if (json()) return void process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      for (const t of list)
        process.stdout.write(`${t.name.padEnd(24)} ${t.locales.join(',').padEnd(6)} ${t.variables.join(', ')}\n`);
    });
  templates
    .command('preview <name>')
    .description('render a template with sample data')
    .option('-l, --locale <locale>', 'it | en', 'it')
    .option('--part <part>', 'text | html | subject', 'text')
    .action(async (name: string, o: { locale: string; part: string }) => {
      if (o.locale !== 'it' && o.locale !== 'en') throw new CliError('--locale must be it or en', 2);
      try {
        const rendered = renderMessage(name, o.locale, sampleContext(name, o.locale));
        if (json()) return void process.stdout.write(JSON.stringify(rendered, null, 2) + '\n');
        const part = rendered[o.part as 'text' | 'html' | 'subject'];
        if (part === undefined) throw new CliError('--part must be text, html or subject', 2);
        process.stdout.write(o.part === 'text' ? `Oggetto/Subject: ${rendered.subject}\n\n${part}\n` : `${part}\n`);
      } catch (err) {
        if (err instanceof TemplateError) throw new CliError(err.message, 2);
        throw err;
      }
    });
  registerProgrammeCommands(program, { call, json, usage: (m) => new CliError(m, 2) });
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`errore / error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

if (
  require.main === module ||
  process.argv[1]?.endsWith('conciliaflow.js') ||
  process.argv[1]?.endsWith('conciliaflow')
) {
  void run(process.argv).then((code) => process.exit(code));
}
