/**
 * Programme editions over HTTP and through the CLI, on real servers: who may read and change
 * them, audit before/after, decrees that move the end (refusing a shortening without force and a
 * decree twice) and start their fan-out workflow, and enrollment refused in an action the edition
 * does not offer. The fan-out workflow need not exist on the worker: only its start is checked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../infra/db';
import { runCli } from '../support/cli';
import { enrollRequest, startDevStack, stopDevStack, userWithToken } from '../support/fixtures';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
const tokens: Record<string, string> = {};

async function http(who: string | null, method: string, url: string, body?: unknown, lang = 'it') {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      'accept-language': lang,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

const cli = (who: string, ...args: string[]) =>
  runCli({ ...process.env, CONCILIAFLOW_URL: base, CONCILIAFLOW_TOKEN: tokens[who] }, ...args);

const snapshot = async () => ({
  programmes: await db.programme.findMany({ orderBy: { code: 'asc' } }),
  decrees: await db.programmeDecree.count(),
  audits: await db.auditLog.count({ where: { entity: 'programme' } }),
});

beforeAll(async () => {
  stack = await startDevStack('programmes-e2e');
  ({ db, base } = stack as Awaited<ReturnType<typeof startDevStack>>);
  const users = {
    admin: { role: 'admin', email: 'regione@regione.test', name: 'Anna Regione' },
    coordinator: { role: 'coordinator', atsCode: 'ats-milano', email: 'marco@ats-milano.test', name: 'Marco' },
    consultant: { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia' },
  } as const;
  for (const [who, input] of Object.entries(users)) tokens[who] = (await userWithToken(db, input)).token;
}, 60_000);

afterAll(() => stopDevStack(stack));

const edition = {
  code: '2028-2030',
  name: 'Piani Territoriali di Conciliazione 2028-2030',
  decision: 'DGR XII/100 del 10/01/2028',
  enrollmentOpensOn: '2026-01-01',
  enrollmentClosesOn: '2029-06-30',
  endsOn: '2030-01-15',
  atsCodes: ['ats-milano', 'ats-brianza'],
  actions: [{ kind: 'time-saving' }],
  alliances: [{ code: 'alleanza-monza', name: 'Alleanza di Monza', atsCode: 'ats-brianza' }],
};

describe('reading editions', () => {
  test('every signed-in role lists them, the seeded public record and the flagged demo; anonymous gets 401', async () => {
    for (const who of ['admin', 'coordinator', 'consultant']) {
      const r = await http(who, 'GET', '/programmes');
      expect(r.status).toBe(200);
      expect(r.body.items.map((p: { code: string }) => p.code)).toEqual(
        expect.arrayContaining(['2017-2018', '2020-2023', '2025-2027', 'demo-2026-2027']),
      );
    }
    expect((await http(null, 'GET', '/programmes')).status).toBe(401);
    const p = await http('consultant', 'GET', '/programmes/2017-2018');
    expect(p.body).toMatchObject({ endsOn: '2020-01-15', originalEndsOn: '2019-01-15', enrollmentClosesOn: null });
    expect((await http('consultant', 'GET', '/programmes/demo-2026-2027')).body.demo).toBe(true);
    const missing = await http('consultant', 'GET', '/programmes/2099-2100', undefined, 'en');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'programme_not_found' } } });
    expect(missing.body.error.message).toBe('No programme "2099-2100": see GET /programmes.');
  });

  test('the routes are in the OpenAPI document with their roles', async () => {
    const doc = (await http(null, 'GET', '/openapi.json')).body;
    expect(doc.paths['/programmes/{code}'].patch['x-roles']).toEqual(['admin']);
    expect(doc.paths['/programmes/{code}/extend'].post.operationId).toBe('extendProgramme');
    expect(doc.paths['/programmes'].get['x-roles']).toEqual(['admin', 'coordinator', 'consultant', 'sme']);
  });
});

describe('changing editions', () => {
  test('only admins create, change and extend: others get 403 and nothing changes', async () => {
    const before = await snapshot();
    for (const who of ['coordinator', 'consultant']) {
      expect((await http(who, 'POST', '/programmes', edition)).status).toBe(403);
      expect((await http(who, 'PATCH', '/programmes/2020-2023', { notes: 'x' })).status).toBe(403);
      const ext = { endsOn: '2028-01-01', decree: 'DGR finta' };
      expect((await http(who, 'POST', '/programmes/demo-2026-2027/extend', ext)).status).toBe(403);
    }
    expect((await http(null, 'PATCH', '/programmes/2020-2023', { notes: 'x' })).status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  test('bad input is a 400 in the caller language and changes nothing', async () => {
    const before = await snapshot();
    const bad = await http('admin', 'POST', '/programmes', { ...edition, atsCodes: ['ats-milano'] }, 'en');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/ATS ats-brianza of alliance alleanza-monza does not take part/);
    const badDate = await http('admin', 'PATCH', '/programmes/2020-2023', { startsOn: '2020-02-30' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toMatch(/^Richiesta non valida: startsOn/);
    expect(await snapshot()).toEqual(before);
  });

  test('an admin creates and changes an edition, audited with before and after', async () => {
    const created = await http('admin', 'POST', '/programmes', edition);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: '2028-2030', originalEndsOn: '2030-01-15', demo: false });
    expect((await http('admin', 'POST', '/programmes', edition)).body.error.code).toBe('programme_exists');

    const changed = await http('admin', 'PATCH', '/programmes/2028-2030', {
      actions: [{ kind: 'time-saving' }, { kind: 'lavoro-flessibile' }],
      notes: null,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.actions).toEqual([{ kind: 'time-saving' }, { kind: 'lavoro-flessibile' }]);
    const audit = (await http('admin', 'GET', '/audit?entity=programme&entityId=2028-2030')).body.items;
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['programme.update', 'programme.create']);
    expect(audit[0].before.actions).toEqual([{ kind: 'time-saving' }]);
    expect(audit[0].after.actions).toHaveLength(2);
    expect(audit[0].actorRole).toBe('admin');

    // The end, once set, moves only by decree.
    const end = await http('admin', 'PATCH', '/programmes/2028-2030', { endsOn: '2031-01-01' });
    expect(end).toMatchObject({ status: 409, body: { error: { code: 'end_changes_by_decree' } } });
  });

  test('enrollment in an action the edition does not offer is refused with the reason; the demo is no default', async () => {
    const refused = await stack
      .service!.enroll(enrollRequest({ programme: '2028-2030', kind: 'congedo-flessibilita' }))
      .catch((e: unknown) => e as { code: string; messages: { en: string } });
    expect(refused).toMatchObject({ code: 'kind_not_offered' });
    expect((refused as { messages: { en: string } }).messages.en).toMatch(
      /Pathways offered: time-saving, lavoro-flessibile/,
    );
    const closed = await stack
      .service!.enroll(enrollRequest({ programme: '2017-2018', kind: 'time-saving' }))
      .catch((e: unknown) => e as { code: string });
    expect(closed).toMatchObject({ code: 'enrollment_window_unknown' });
    const { programme: _p, ...unnamed } = enrollRequest();
    const noProgramme = await http('consultant', 'POST', '/enrollments', unnamed);
    expect(noProgramme.status).toBe(400);
    expect(noProgramme.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'programme' })]),
    );
  });
});

describe('decrees', () => {
  test('an extension is recorded, moves the end, is audited and starts its fan-out workflow', async () => {
    const r = await http('admin', 'POST', '/programmes/2028-2030/extend', {
      endsOn: '2030-06-30',
      decree: 'DGR XII/200 del 1/12/2029',
    });
    expect(r.status).toBe(201);
    expect(r.body.programme).toMatchObject({ endsOn: '2030-06-30', originalEndsOn: '2030-01-15' });
    expect(r.body.decree).toMatchObject({
      kind: 'extension',
      previousEndsOn: '2030-01-15',
      newEndsOn: '2030-06-30',
      forced: false,
      fanOutWorkflowId: `decree-${r.body.decree.id}`,
    });
    const described = await stack.temporal!.workflow.getHandle(r.body.decree.fanOutWorkflowId).describe();
    expect(described.type).toBe('programmeDecreeWorkflow');
    const audit = (await http('admin', 'GET', '/audit?entity=programme&entityId=2028-2030')).body.items[0];
    expect(audit).toMatchObject({
      action: 'programme.extend',
      before: { endsOn: '2030-01-15' },
      after: { endsOn: '2030-06-30', decree: 'DGR XII/200 del 1/12/2029' },
    });
  });

  test('a shortening needs force, a decree is recorded once; refusals change nothing', async () => {
    const before = await snapshot();
    const shorter = await http(
      'admin',
      'POST',
      '/programmes/2028-2030/extend',
      {
        endsOn: '2029-12-31',
        decree: 'DGR XII/300',
      },
      'en',
    );
    expect(shorter).toMatchObject({ status: 409, body: { error: { code: 'earlier_end_needs_force' } } });
    expect(shorter.body.error.message).toMatch(/before the current end \(2030-06-30\)/);
    const again = await http('admin', 'POST', '/programmes/2028-2030/extend', {
      endsOn: '2030-09-30',
      decree: 'DGR XII/200 del 1/12/2029',
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'decree_exists' } } });
    const seeded = await http('admin', 'POST', '/programmes/2017-2018/extend', {
      endsOn: '2020-01-15',
      decree: 'DGR XI/1017 del 17/12/2018',
    });
    expect(seeded.body.error.code).toBe('decree_exists');
    expect(await snapshot()).toEqual(before);

    const forced = await http('admin', 'POST', '/programmes/2028-2030/extend', {
      endsOn: '2029-12-31',
      decree: 'DGR XII/300',
      force: true,
    });
    expect(forced.status).toBe(201);
    expect(forced.body.decree).toMatchObject({ kind: 'shortening', forced: true, newEndsOn: '2029-12-31' });
  });
});

describe('the CLI', () => {
  test('programmes list, show, create, update and extend, each with --json', async () => {
    const list = await cli('consultant', 'programmes', 'list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).items.map((p: { code: string }) => p.code)).toContain('2025-2027');
    const human = await cli('consultant', 'programmes', 'list');
    expect(human.stdout).toMatch(/^demo-2026-2027\s+2027-12-15 DEMO Edizione dimostrativa/m);

    const show = await cli('consultant', 'programmes', 'show', '2017-2018');
    expect(show.stdout).toMatch(/iscrizioni\/enrollment:\s+— \(non nel record \/ not in the record\)/);
    expect(show.stdout).toMatch(/fine\/end:\s+2020-01-15 \(originale\/original 2019-01-15\)/);
    expect(show.stdout).toMatch(/DGR XI\/1017 del 17\/12\/2018 \[extension\] 2019-01-15 → 2020-01-15/);
    expect(JSON.parse((await cli('consultant', 'programmes', 'show', '2017-2018', '--json')).stdout).endsOn).toBe(
      '2020-01-15',
    );

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-prog-')), 'edition.json');
    fs.writeFileSync(file, JSON.stringify({ sources: [{ title: 'BURL', url: 'https://www.regione.lombardia.it' }] }));
    const created = await cli(
      'admin',
      'programmes',
      'create',
      '--json',
      '--file',
      file,
      '--code',
      '2031-2033',
      '--name',
      'Piani 2031-2033',
      '--ends-on',
      '2033-12-15',
      '--ats',
      'ats-pavia,ats-bergamo',
      '--actions',
      'time-saving,congedo-flessibilita@v1',
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      code: '2031-2033',
      atsCodes: ['ats-pavia', 'ats-bergamo'],
      actions: [{ kind: 'time-saving' }, { kind: 'congedo-flessibilita', catalogueVersion: 1 }],
      sources: [{ title: 'BURL' }],
    });

    const updated = await cli(
      'admin',
      'programmes',
      'update',
      '2031-2033',
      '--json',
      '--notes',
      'ok',
      '--decision',
      'DGR XII/5',
    );
    expect(JSON.parse(updated.stdout)).toMatchObject({ notes: 'ok', decision: 'DGR XII/5' });
    const cleared = await cli('admin', 'programmes', 'update', '2031-2033', '--json', '--clear', 'notes');
    expect(JSON.parse(cleared.stdout).notes).toBeNull();

    const refused = await cli(
      'admin',
      'programmes',
      'extend',
      '2031-2033',
      '--ends-on',
      '2033-01-01',
      '--decree',
      'DGR XII/9',
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/earlier_end_needs_force/);
    const extended = await cli(
      'admin',
      'programmes',
      'extend',
      '2031-2033',
      '--ends-on',
      '2033-01-01',
      '--decree',
      'DGR XII/9',
      '--force',
    );
    expect(extended.code).toBe(0);
    expect(extended.stdout).toMatch(/^2031-2033: DGR XII\/9 \[shortening\] 2033-12-15 → 2033-01-01; fan-out decree-/);
    const json = await cli(
      'admin',
      'programmes',
      'extend',
      '2031-2033',
      '--json',
      '--ends-on',
      '2034-01-15',
      '--decree',
      'DGR XII/10',
    );
    expect(JSON.parse(json.stdout).programme.endsOn).toBe('2034-01-15');

    const forbidden = await cli('consultant', 'programmes', 'update', '2031-2033', '--notes', 'mine');
    expect(forbidden.code).toBe(3);
    expect((await db.programme.findUnique({ where: { code: '2031-2033' } }))!.notes).toBeNull();
  });
});

describe('reviving a pathway', () => {
  test('enrollments revive goes through the API: admin only, a reason, and an active pathway is a 409; nothing changes', async () => {
    const enrolled = await http('admin', 'POST', '/enrollments', enrollRequest());
    expect(enrolled.status).toBe(201);
    const id = enrolled.body.id as string;
    const audits = () => db.auditLog.count({ where: { action: 'enrollment.revive' } });
    const active = await cli('admin', 'enrollments', 'revive', id, '--reason', 'Proroga', '--json');
    expect(active.code).toBe(3);
    expect(active.stderr).toMatch(/already_active/);
    const forbidden = await cli('consultant', 'enrollments', 'revive', id, '--reason', 'Proroga');
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toMatch(/403|forbidden/i);
    const usage = await cli('admin', 'enrollments', 'revive', id);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toMatch(/--reason/);
    const en = await http('admin', 'POST', `/enrollments/${id}/revive`, { reason: 'Proroga' }, 'en');
    expect(en).toMatchObject({ status: 409, body: { error: { code: 'already_active' } } });
    expect(en.body.error.message).toMatch(/already active/);
    expect((await http('admin', 'POST', '/enrollments/nope/revive', { reason: 'Proroga' })).status).toBe(404);
    expect((await http('admin', 'POST', `/enrollments/${id}/revive`, { reason: '' })).status).toBe(400);
    expect(await audits()).toBe(0);
    expect((await db.enrollment.findUniqueOrThrow({ where: { id } })).status).toBe('active');
  });
});

describe('the CSV import', () => {
  test('has no default edition: an empty programme column needs --programme, else every such row is refused', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-import-')), 'imprese.csv');
    const header =
      'programme,kind,company_name,vat_number,province,city,sector,staff,turnover_eur,balance_sheet_eur,declarant_name,consultant_name,consultant_email,participant_name,participant_email,participant_role,participant_locale';
    const vat = String(71_000_000_000 + process.pid).slice(-11);
    const row = `,congedo-flessibilita,Impresa Senza Edizione,${vat},MI,milano,servizi,12,900000,600000,Titolare,Paolo Neri,paolo@consulenti.test,Titolare,titolare@senza.test,owner,it`;
    fs.writeFileSync(file, [header, row].join('\n'));
    const enrolled = () => db.enrollment.count({ where: { company: { name: 'Impresa Senza Edizione' } } });
    const refused = await cli('admin', 'import', 'enrollments', file);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/riga\/line 2 \[programme\]: programma mancante/);
    expect(await enrolled()).toBe(0);
    const given = await cli('admin', '--json', 'import', 'enrollments', file, '--programme', 'demo-2026-2027');
    expect(given.code).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ created: 1, refused: [] });
    const e = await db.enrollment.findFirstOrThrow({ where: { company: { name: 'Impresa Senza Edizione' } } });
    expect(e.programmeCode).toBe('demo-2026-2027');
  });
});
