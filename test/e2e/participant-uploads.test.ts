/**
 * Uploads from a participant's personal page, on real servers (Temporal dev server, worker, SQLite,
 * the SMTP catcher, the filesystem document store): where the current step's evidence is a
 * document and the step involves the person, their page (opened from the link in the caught
 * welcome email, no session) offers the upload; a PDF is stored with the participant as uploader; a
 * refused type, a form without the page's value and a revoked link change nothing.
 */
import type { Db } from '../../infra/db';
import { newLinkNonce } from '../../client/participant-links';
import { createUploadGuidance } from '../../activities/upload-guidance';
import { enrollRequest, startDevStack, stopDevStack, until, userWithToken } from '../support/fixtures';
import { sampleHtmlAsPdf, samplePdf } from '../support/sample-documents';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let enrollmentId = '';
const owner = 'titolare-up@tessitura.test';
const employee = 'luca-up@tessitura.test';

beforeAll(async () => {
  stack = await startDevStack('participant-uploads-e2e');
  ({ db, base } = stack as Required<typeof stack>);
  const admin = await userWithToken(db, { role: 'admin', email: 'regione-up@regione.test', name: 'Regione' });
  const res = await fetch(`${base}/enrollments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify(
      enrollRequest({
        participants: [
          { name: 'Marco Rossi', email: owner, role: 'owner', locale: 'it' },
          { name: 'Luca Neri', email: employee, role: 'employee', locale: 'it' },
        ],
      }),
    ),
  });
  expect(res.status).toBe(201);
  enrollmentId = ((await res.json()) as { id: string }).id;
  await until('the welcome emails', () =>
    [owner, employee].every((e) =>
      stack.catcher!.messages().some((m) => m.headers['x-conciliaflow-key'] === `${enrollmentId}:welcome:${e}`),
    ),
  );
  // The pathway has reached the adoption of the plan, whose evidence is the signed plan (owner and HR).
  await db.enrollment.update({ where: { id: enrollmentId }, data: { currentStep: 'plan-adopted' } });
}, 120_000);

afterAll(() => stopDevStack(stack));

/** The personal link (path) in the welcome email to `email`. */
function linkOf(email: string): string {
  const m = stack
    .catcher!.messages()
    .find((x) => x.headers['x-conciliaflow-key'] === `${enrollmentId}:welcome:${email}`)!;
  const link = /http:\/\/conciliaflow\.test(\/p\/[A-Za-z0-9._-]+)/.exec(m.text ?? '')?.[1];
  if (!link) throw new Error(`no personal link to ${email}`);
  return link;
}

const page = async (path: string) => {
  const res = await fetch(`${base}${path}`, { redirect: 'manual' });
  return { status: res.status, html: await res.text() };
};

/** The upload form's action on the page (with its CSRF value), unescaped. */
const uploadAction = (html: string) =>
  /action="([^"]*\/documenti\?csrf=[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');

const upload = (action: string, name: string, bytes: Buffer, type = 'application/pdf') => {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return fetch(`${base}${action}`, { method: 'POST', body: form, redirect: 'manual' });
};

test('the owner uploads the signed plan through their link with no session; the uploader is the participant', async () => {
  const link = linkOf(owner);
  const before = await page(link);
  expect(before.status).toBe(200);
  expect(before.html).toContain('Documento da caricare');
  expect(before.html).toContain('Piano firmato');
  const action = uploadAction(before.html)!;
  expect(action.startsWith(`${link}/documenti?csrf=`)).toBe(true);

  const res = await upload(action, 'piano-firmato.pdf', samplePdf('Piano firmato dal titolare'));
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe(`${link}?flash=uploaded`);
  const docs = await db.document.findMany({ where: { enrollmentId } });
  expect(docs).toHaveLength(1);
  const participant = await db.participant.findFirstOrThrow({ where: { email: owner } });
  expect(docs[0]).toMatchObject({
    stepKey: 'plan-adopted',
    filename: 'piano-firmato.pdf',
    type: 'pdf',
    uploadedById: null,
    uploadedByParticipantId: participant.id,
    uploaderName: 'Marco Rossi',
  });
  expect(
    await db.auditLog.count({
      where: { action: 'document.upload', entityId: enrollmentId, actorId: `participant:${participant.id}` },
    }),
  ).toBe(1);
  const after = await page(`${link}?flash=uploaded`);
  expect(after.html).toContain('Documento caricato');
  expect(after.html).toContain('piano-firmato.pdf');
});

test('a refused type, a missing file and a form without the page value change nothing', async () => {
  const link = linkOf(owner);
  const action = uploadAction((await page(link)).html)!;
  const count = await db.document.count({ where: { enrollmentId } });
  const html = await upload(action, 'piano.pdf', sampleHtmlAsPdf());
  expect(html.status).toBe(415);
  expect(await html.text()).toContain('Tipo di file non accettato');
  const empty = new FormData();
  empty.set('other', 'x');
  const missing = await fetch(`${base}${action}`, { method: 'POST', body: empty, redirect: 'manual' });
  expect(missing.headers.get('location')).toBe(`${link}?flash=upload-missing`);
  const forged = await upload(`${link}/documenti?csrf=forged`, 'piano.pdf', samplePdf());
  expect(forged.status).toBe(303);
  expect(forged.headers.get('location')).toBe(`${link}?flash=form-expired`);
  expect(await db.document.count({ where: { enrollmentId } })).toBe(count);
});

test('an employee, whom the step does not involve, is offered no upload and cannot make one', async () => {
  const link = linkOf(employee);
  const own = await page(link);
  expect(own.status).toBe(200);
  expect(uploadAction(own.html)).toBeUndefined();
  // Even with a valid value of their own page's form, the post stores nothing.
  const ownerAction = uploadAction((await page(linkOf(owner))).html)!;
  const csrf = ownerAction.split('csrf=')[1]!;
  const count = await db.document.count({ where: { enrollmentId } });
  const res = await upload(`${link}/documenti?csrf=${csrf}`, 'x.pdf', samplePdf());
  expect(res.status).toBe(303);
  expect(await db.document.count({ where: { enrollmentId } })).toBe(count);
});

test('the welcome tells the owner what to upload and where; the link offers the upload; staff are sent to the documents page', async () => {
  const welcome = (email: string) =>
    stack.catcher!.messages().find((x) => x.headers['x-conciliaflow-key'] === `${enrollmentId}:welcome:${email}`)!;
  const toOwner = welcome(owner).text ?? '';
  expect(toOwner).toContain('puoi caricare tu stesso dalla tua pagina personale');
  expect(toOwner).toContain('- Piano firmato (');
  const section = toOwner.slice(toOwner.indexOf('puoi caricare tu stesso'));
  const where = /http:\/\/conciliaflow\.test(\/p\/[A-Za-z0-9._-]+)/.exec(section)?.[1];
  expect(where).toBe(linkOf(owner));
  expect(uploadAction((await page(where!)).html)).toBeDefined();
  // The employee is not involved in the signed plan: their welcome never mentions it.
  expect(welcome(employee).text).not.toContain('Piano firmato');

  // Staff (the consultant) are sent to the pathway's documents page, which offers the upload there.
  const guidance = createUploadGuidance(db, base);
  const input = {
    template: 'step-reminder',
    enrollmentId,
    context: { stepName: { it: "Piano adottato dall'impresa", en: 'Plan adopted by the company' } },
  };
  const plan = (await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } })).kind;
  expect(plan).toBe('congedo-flessibilita');
  const staff = await guidance(input, {
    name: 'Giulia Bianchi',
    email: 'giulia.bianchi@consulenti.test',
    locale: 'it',
  });
  const employeeSide = await guidance(input, {
    name: 'Luca Neri',
    email: employee,
    locale: 'it',
    participantUrl: `${base}${linkOf(employee)}`,
    participantRole: 'employee',
  });
  expect(employeeSide.uploadItems).toEqual([]);
  expect(staff.uploadItems).toEqual(["Piano firmato (Piano adottato dall'impresa)"]);
  expect(staff.uploadUrl).toBe(`${base}/app/enrollments/${encodeURIComponent(enrollmentId)}/documents`);
  const password = 'ramo-vetro-pioggia-62';
  await userWithToken(db, {
    role: 'consultant',
    email: 'giulia.bianchi@consulenti.test',
    name: 'Giulia Bianchi',
    password,
  });
  const signIn = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'giulia.bianchi@consulenti.test', password }),
  });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const docs = await fetch(staff.uploadUrl!, { headers: { cookie } });
  expect(docs.status).toBe(200);
  expect(await docs.text()).toContain('enctype="multipart/form-data"');
});

test('a revoked link cannot upload', async () => {
  const link = linkOf(owner);
  const action = uploadAction((await page(link)).html)!;
  const count = await db.document.count({ where: { enrollmentId } });
  await db.participant.updateMany({ where: { email: owner }, data: { linkNonce: newLinkNonce() } });
  const res = await upload(action, 'piano-bis.pdf', samplePdf('seconda copia'));
  expect(res.status).toBe(403);
  expect(await res.text()).toContain('revocato');
  expect(await db.document.count({ where: { enrollmentId } })).toBe(count);
});
