/**
 * `conciliaflow`: the command line. Pathway commands talk to the HTTP API (CONCILIAFLOW_URL,
 * default http://localhost:3000), so the CLI works the same against a local or a remote service.
 *
 * Exit codes: 0 ok, 1 unexpected failure, 2 usage error, 3 refused by the service (4xx),
 * 4 service unreachable or failing (5xx).
 *
 * Start-up cost: every command is registered here with its description and options, but what it
 * runs on is imported inside its action. `--help` and the commands that talk to the API load only
 * commander and ./common; the database commands load Prisma from ./db-commands when they run,
 * `templates` the mail rendering, `import` the CSV reader. A new command file follows the same
 * rule: light definitions at the top, `await import(...)` of the implementation in the action.
 */
import { Command, CommanderError } from 'commander';
import { REPORT_DIMENSIONS } from '../../reports/dimensions';
import { formatRomeDateTime } from '../../domain/calendar';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from '../auth/token-days';
import { ENROLLMENT_CSV_COLUMNS } from '../enrollment-csv-columns';
import { call, CliError, printEnrollment, printJson, readJsonFile, type View } from './common';
import { registerProgrammeCommands } from './programmes';
import { registerDossierCommands } from './dossier-command';
import type { ReportMilestonesOptions, UsersCreateOptions } from './db-commands';

// Loaded with require, not import(): synchronous, and seen by tsx's CommonJS hook and by the
// bundler, where a dynamic import() would go to Node's ESM loader. Each runs a module once.
/* eslint-disable @typescript-eslint/no-require-imports */
const dbCommands = (): typeof import('./db-commands') => require('./db-commands');
const templateCommands = (): typeof import('./templates-commands') => require('./templates-commands');
const importCommand = (): typeof import('./import-command') => require('./import-command');
const catalogue = (): typeof import('../../domain/catalogue') => require('../../domain/catalogue');
/* eslint-enable @typescript-eslint/no-require-imports */

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
      if (json()) printJson(v);
      else printEnrollment(v);
    });

  program
    .command('show <id>')
    .description('show an enrollment: steps, due dates, milestones')
    .action(async (id: string) => {
      const v = (await call('GET', `/enrollments/${encodeURIComponent(id)}`)) as View;
      if (json()) printJson(v);
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
      if (json()) return printJson(page);
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
      if (json()) printJson(v);
      else printEnrollment(v);
    });

  const post = async (path: string, body: unknown) => {
    const v = (await call('POST', path, body)) as View;
    if (json()) printJson(v);
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
      const { CATALOGUE } = catalogue();
      const kinds = Object.values(CATALOGUE);
      if (json()) return printJson(kinds);
      for (const k of kinds) {
        process.stdout.write(`${k.kind} (v${k.version}) ${k.name.it}\n`);
        for (const s of k.steps)
          process.stdout.write(`  - ${s.key}: ${s.name.it} (${s.durationWorkingDays} gg lavorativi)\n`);
      }
    });
  // The funding ledger, the reports and users work on the database directly (DATABASE_URL,
  // default the embedded SQLite): see ./db-commands.
  const funding = program.command('funding').description('funding ledger of a call (grants in euro cents, ranking)');
  funding
    .command('import <file>')
    .description(
      'load projects from CSV: code,title,lead_body,province,eligible_cost_eur,requested_grant_eur,rank,status',
    )
    .action(async (file: string) => dbCommands().fundingImport(file, json()));
  funding
    .command('allocate')
    .description('fund admitted projects in rank order with new money ("scorrimento della graduatoria")')
    .requiredOption('-b, --budget <eur>', 'amount allocated, in euros (e.g. 250000 or 250.000,00)')
    .action(async (o: { budget: string }) => dbCommands().fundingAllocate(o, json()));
  const report = program.command('report').description('reports: funding ledger, pathway milestones, timelines');
  report
    .command('funding')
    .description('funded projects and granted amounts per province, with a grand total')
    .option('--by <dimension>', 'province', 'province')
    .option('-f, --format <format>', 'csv | json | html', 'csv')
    .option('-l, --locale <locale>', 'it | en', 'it')
    .action(async (o: { by: string; format: string; locale: string }) => dbCommands().reportFunding(o));

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
    .action(async (o: ReportMilestonesOptions) => dbCommands().reportMilestones(o));
  report
    .command('timeline <enrollmentId>')
    .description('every milestone of one enrollment, with who and when')
    .action(async (enrollmentId: string) => dbCommands().reportTimeline(enrollmentId, json()));

  program
    .command('import')
    .description('bulk operations from files')
    .command('enrollments <file>')
    .description(
      `enroll companies from a CSV (one row per participant; columns: ${ENROLLMENT_CSV_COLUMNS.join(', ')}); safe to re-run`,
    )
    .option('--concurrency <n>', 'requests in flight', '4')
    .option('--programme <code>', 'edition of the rows whose programme column is empty (no default)')
    .action(async (file: string, o: { concurrency: string; programme?: string }) =>
      importCommand().importEnrollments(file, o, json()),
    );

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
    .action(async (o: UsersCreateOptions) => dbCommands().usersCreate(o, json()));
  users
    .command('list')
    .description('list users')
    .option('--role <role>', 'only this role')
    .action(async (o: { role?: string }) => dbCommands().usersList(o, json()));
  users
    .command('token <email>')
    .description('create an API token for a user; prints its id and, once, its secret')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <days>', `days until it stops working (1-${MAX_TOKEN_DAYS})`, String(DEFAULT_TOKEN_DAYS))
    .action(async (email: string, o: { name: string; expiresInDays: string }) =>
      dbCommands().usersToken(email, o, json()),
    );
  users
    .command('tokens <email>')
    .description("list a user's API tokens: id, name, created, last used, expiry, revoked")
    .action(async (email: string) => dbCommands().usersTokens(email, json()));
  users
    .command('revoke-token <email> <tokenId>')
    .description("revoke one of a user's API tokens (ids from `users tokens`)")
    .action(async (email: string, tokenId: string) => dbCommands().usersRevokeToken(email, tokenId, json()));
  users
    .command('password <email>')
    .description("set a user's password (a forgotten one, the first admin's); every session of theirs ends")
    .option('--password-env <VAR>', 'read the new password from this environment variable (else typed twice)')
    .action(async (email: string, o: { passwordEnv?: string }) => dbCommands().usersPassword(email, o, json()));
  for (const action of ['deactivate', 'reactivate'] as const)
    users
      .command(`${action} <email>`)
      .description(
        action === 'deactivate'
          ? 'deactivate a user: their sessions end and their API tokens are revoked at once'
          : 'reactivate a user (they sign in again and make new tokens; old ones stay revoked)',
      )
      .action(async (email: string) => dbCommands().usersSetDisabled(action, email, json()));

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
      if (json()) return printJson(page);
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
    .action(async () => templateCommands().templatesList(json()));
  templates
    .command('preview <name>')
    .description('render a template with sample data')
    .option('-l, --locale <locale>', 'it | en', 'it')
    .option('--part <part>', 'text | html | subject', 'text')
    .action(async (name: string, o: { locale: string; part: string }) =>
      templateCommands().templatesPreview(name, o, json()),
    );
  registerProgrammeCommands(program, { call, json, usage: (m) => new CliError(m, 2) });
  registerDossierCommands(program);
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
