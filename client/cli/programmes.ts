/**
 * `conciliaflow programmes list|show|create|update|extend`: programme editions, through the HTTP
 * API like the pathway commands (an admin token changes them, any signed-in token reads them), so
 * every change is audited under the caller's account and a decree starts its fan-out in the
 * service, which holds the Temporal connection.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
// Types only: the API's views, erased from the compiled CLI.
import type { DecreeView, ProgrammeView } from '../programmes';

export interface ProgrammeCliDeps {
  call: (method: string, path: string, body?: unknown) => Promise<unknown>;
  json: () => boolean;
  /** A usage error (exit code 2). */
  usage: (message: string) => Error;
}

interface EditionOptions {
  file?: string;
  code?: string;
  name?: string;
  decision?: string;
  startsOn?: string;
  enrollmentOpensOn?: string;
  enrollmentClosesOn?: string;
  endsOn?: string;
  ats?: string;
  actions?: string;
  notes?: string;
  demo?: boolean;
  clear?: string[];
}

const CLEARABLE = ['decision', 'startsOn', 'enrollmentOpensOn', 'enrollmentClosesOn', 'endsOn', 'notes'];

const unknown = '— (non nel record / not in the record)';
const day = (d: string | null) => d ?? unknown;

function printProgramme(p: ProgrammeView): void {
  const out = [
    `${p.code}  ${p.name}${p.demo ? '  [DEMO]' : ''}`,
    `  delibera/decision:      ${p.decision ?? unknown}`,
    `  avvio/starts:           ${day(p.startsOn)}`,
    `  iscrizioni/enrollment:  ${day(p.enrollmentOpensOn)} → ${day(p.enrollmentClosesOn)}`,
    `  fine/end:               ${day(p.endsOn)}${p.originalEndsOn && p.originalEndsOn !== p.endsOn ? ` (originale/original ${p.originalEndsOn})` : ''}`,
    `  ATS:                    ${p.atsCodes.join(', ') || '—'}`,
    `  azioni/actions:         ${p.actions.map((a) => (a.catalogueVersion ? `${a.kind}@v${a.catalogueVersion}` : a.kind)).join(', ') || '— (nessuna / none)'}`,
    `  alleanze/alliances:     ${p.alliances.length ? p.alliances.map((a) => `${a.code} (${a.atsCode})`).join(', ') : '—'}`,
  ];
  for (const d of p.decrees)
    out.push(
      `  decreto/decree:         ${d.decree} [${d.kind}${d.forced ? ', forced' : ''}]${d.newEndsOn ? ` ${d.previousEndsOn ?? '?'} → ${d.newEndsOn}` : ''}${d.fanOutWorkflowId ? ` fan-out ${d.fanOutWorkflowId}` : ''}`,
    );
  for (const s of p.sources) out.push(`  fonte/source:           ${s.title}${s.url ? ` <${s.url}>` : ''}`);
  if (p.notes) out.push(`  note:                   ${p.notes}`);
  process.stdout.write(out.join('\n') + '\n');
}

export function registerProgrammeCommands(program: Command, deps: ProgrammeCliDeps): void {
  const { call, json } = deps;
  const print = (v: unknown, human: () => void) => {
    if (json()) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
    else human();
  };

  /** The request body: a JSON file, then the flags on top of it. */
  const bodyOf = (o: EditionOptions, withCode: boolean): Record<string, unknown> => {
    let body: Record<string, unknown> = {};
    if (o.file) {
      try {
        body = JSON.parse(fs.readFileSync(o.file === '-' ? 0 : o.file, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw deps.usage(`Cannot read JSON from ${o.file}: ${(err as Error).message}`);
      }
    }
    const set = (key: string, value: unknown) => {
      if (value !== undefined) body[key] = value;
    };
    if (withCode) set('code', o.code);
    set('name', o.name);
    set('decision', o.decision);
    set('startsOn', o.startsOn);
    set('enrollmentOpensOn', o.enrollmentOpensOn);
    set('enrollmentClosesOn', o.enrollmentClosesOn);
    set('endsOn', o.endsOn);
    set('notes', o.notes);
    set('demo', o.demo);
    if (o.ats !== undefined)
      body.atsCodes = o.ats
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (o.actions !== undefined)
      body.actions = o.actions
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((a) => {
          const [kind, version] = a.split('@v');
          return version === undefined ? { kind } : { kind, catalogueVersion: Number(version) };
        });
    for (const field of o.clear ?? []) {
      if (!CLEARABLE.includes(field)) throw deps.usage(`--clear takes one of ${CLEARABLE.join(', ')}`);
      body[field] = null;
    }
    return body;
  };

  const editionOptions = (c: Command) =>
    c
      .option('-f, --file <file>', 'JSON body (see GET /openapi.json), "-" for stdin; flags override it')
      .option('--name <name>', 'edition name')
      .option('--decision <text>', 'the decision that created it, e.g. "DGR XI/2398 del 11/11/2019"')
      .option('--starts-on <YYYY-MM-DD>', 'start of activities')
      .option('--enrollment-opens-on <YYYY-MM-DD>', 'first day of enrollment')
      .option('--enrollment-closes-on <YYYY-MM-DD>', 'last day of enrollment')
      .option('--ends-on <YYYY-MM-DD>', 'hard end (once set, it changes only with `programmes extend`)')
      .option('--ats <codes>', 'ATS taking part, comma-separated, e.g. ats-milano,ats-pavia')
      .option('--actions <kinds>', 'fundable actions, comma-separated catalogue kinds, kind@vN to pin a version')
      .option('--notes <text>', 'what the public record does not say yet')
      .option('--demo', 'a demo edition, never a regional decision');

  const programmes = program
    .command('programmes')
    .description('programme editions and their decrees (reading: any token; changes: admin token)');

  programmes
    .command('list')
    .description('list the editions')
    .action(async () => {
      const page = (await call('GET', '/programmes')) as { items: ProgrammeView[] };
      print(page, () => {
        for (const p of page.items)
          process.stdout.write(
            `${p.code.padEnd(16)} ${(p.endsOn ?? '—').padEnd(10)} ${p.demo ? 'DEMO ' : '     '}${p.name}\n`,
          );
      });
    });

  programmes
    .command('show <code>')
    .description('show an edition: dates, ATS, actions, alliances, decrees, sources')
    .action(async (code: string) => {
      const p = (await call('GET', `/programmes/${encodeURIComponent(code)}`)) as ProgrammeView;
      print(p, () => printProgramme(p));
    });

  editionOptions(programmes.command('create').description('create an edition (admin)'))
    .option('--code <code>', 'edition code, e.g. 2028-2030')
    .action(async (o: EditionOptions) => {
      const p = (await call('POST', '/programmes', bodyOf(o, true))) as ProgrammeView;
      print(p, () => printProgramme(p));
    });

  editionOptions(programmes.command('update <code>').description('change an edition (admin); audited'))
    .option(
      '--clear <field>',
      `empty a field (${CLEARABLE.join(', ')}); repeatable`,
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .action(async (code: string, o: EditionOptions) => {
      const p = (await call('PATCH', `/programmes/${encodeURIComponent(code)}`, bodyOf(o, false))) as ProgrammeView;
      print(p, () => printProgramme(p));
    });

  programmes
    .command('extend <code>')
    .description("record a decree that moves the edition's end and tell its running pathways (admin)")
    .requiredOption('--ends-on <YYYY-MM-DD>', 'the new hard end')
    .requiredOption('--decree <text>', 'the decree, e.g. "DGR XI/1017 del 17/12/2018"')
    .option('--force', 'record an earlier end (shortens running pathways)')
    .option('--note <text>', 'what the decree says besides the date')
    .action(async (code: string, o: { endsOn: string; decree: string; force?: boolean; note?: string }) => {
      const r = (await call('POST', `/programmes/${encodeURIComponent(code)}/extend`, {
        endsOn: o.endsOn,
        decree: o.decree,
        ...(o.force ? { force: true } : {}),
        ...(o.note ? { note: o.note } : {}),
      })) as { programme: ProgrammeView; decree: DecreeView };
      print(r, () =>
        process.stdout.write(
          `${code}: ${r.decree.decree} [${r.decree.kind}] ${r.decree.previousEndsOn} → ${r.decree.newEndsOn}` +
            `${r.decree.fanOutWorkflowId ? `; fan-out ${r.decree.fanOutWorkflowId}` : ''}\n`,
        ),
      );
    });

  program
    .command('enrollments')
    .description('enrollments the Region manages (admin)')
    .command('revive <id>')
    .description("revive a pathway that expired before a decree moved its edition's end (admin); audited")
    .requiredOption('-r, --reason <text>', 'why (kept in the audit log and the history)')
    .action(async (id: string, o: { reason: string }) => {
      const r = (await call('POST', `/enrollments/${encodeURIComponent(id)}/revive`, { reason: o.reason })) as {
        revival: { n: number; runId: string; programmeEndsOn: string };
        enrollment: { id: string; status: string; currentStep: string | null };
      };
      print(r, () =>
        process.stdout.write(
          `${r.enrollment.id}: riattivato/revived (${r.revival.n}) → ${r.enrollment.status}, ` +
            `attività/step ${r.enrollment.currentStep ?? '-'}, fine/end ${r.revival.programmeEndsOn}\n`,
        ),
      );
    });
}
