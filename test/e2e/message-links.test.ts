/**
 * Every message about a pathway, rendered from its sample (mail/messages/<name>.ts) and sent
 * through the real outbox to each audience it declares (a participant of the firm, the consultant),
 * then every link of its text part followed with a fresh HTTP client, no cookie, against the real
 * API: a participant's links open their personal page (200) and say what the email offers; a staff
 * link leads to the sign-in page with `next=` back to the pathway, and after signing in as that
 * recipient, to the pathway's page. Digests and reports, about no single pathway, link to the
 * dashboard the same way (their sample links are not this server's and are left out).
 */
import type { Db } from '../../infra/db';
import { createMailActivities } from '../../activities/outbox';
import { MESSAGES, MESSAGE_NAMES, messageOf, type TemplateName } from '../../mail/messages';
import { createUser } from '../../client/auth/users';
import {
  enrollRequest,
  startDevStack,
  stopDevStack,
  testMailActivities,
  transportFor,
  until,
} from '../support/fixtures';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let mail: ReturnType<typeof createMailActivities>;
let enrollmentId = '';
let closeTransport = () => undefined as void;
const PASSWORD = 'vetro-pioggia-ramo-26';
const req = enrollRequest({
  participants: [{ name: 'Luca Neri', email: 'luca@tessitura-l.test', role: 'employee', locale: 'it' }],
});
const CONSULTANT = 'giulia.bianchi@consulenti.test';

beforeAll(async () => {
  stack = await startDevStack('message-links');
  ({ db, base } = stack as Required<typeof stack>);
  await createUser(
    db,
    { role: 'consultant', email: CONSULTANT, name: 'Giulia Bianchi', password: PASSWORD },
    { id: 'test', role: 'system' },
  );
  enrollmentId = (await stack.service!.enroll(req)).enrollment.id;
  const transport = transportFor(stack.catcher!);
  closeTransport = () => transport.close();
  mail = testMailActivities(db, transport);
}, 90_000);

afterAll(async () => {
  closeTransport();
  await stopDevStack(stack);
});

async function get(url: string, cookie?: string) {
  const res = await fetch(url.replace('http://conciliaflow.test', base), {
    redirect: 'manual',
    headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text(), res };
}

/** Signs in through the sign-in form as a browser would; returns the session cookie. */
async function signIn(email: string, next: string): Promise<string> {
  const form = await fetch(`${base}/login?next=${encodeURIComponent(next)}`);
  const cookie = (form.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const html = await form.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ email, password: PASSWORD, csrf, next }).toString(),
  });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe(next);
  return (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
}

/** Messages about one pathway (their context names its company) and the audiences each declares. */
const pathwayMessages = MESSAGE_NAMES.filter(
  (n) => 'companyName' in MESSAGES[n].context.shape && n !== 'delivery-failed' && !n.startsWith('request-'),
);

const audiences = (name: TemplateName) => {
  const r = messageOf(name)!.recipients;
  return [
    ...(r?.participants ? ['participant' as const] : []),
    ...(r?.staff?.includes('consultant') ? ['consultant' as const] : []),
  ];
};

test('every pathway message declares who gets it', () => {
  // Account and enrollment-request messages have one reader each, the address they were made for.
  expect(pathwayMessages.length).toBeGreaterThan(10);
  for (const name of pathwayMessages)
    expect({ name, declared: messageOf(name)!.recipients !== undefined }).toEqual({ name, declared: true });
});

test.each(pathwayMessages.flatMap((n) => audiences(n).map((a) => [n, a] as const)))(
  '%s to a %s: every link works for its recipient with no other session',
  async (name, audience) => {
    const sample = MESSAGES[name].sample('it') as Record<string, unknown>;
    const { recipientName: _r, enrollmentUrl: _e, unsubscribeUrl: _u, ...context } = sample;
    const to =
      audience === 'participant'
        ? { name: 'Luca Neri', email: 'luca@tessitura-l.test', locale: 'it' as const }
        : { name: 'Giulia Bianchi', email: CONSULTANT, locale: 'it' as const };
    const key = `links-${name}-${audience}`;
    await mail.notify({
      key,
      enrollmentId,
      template: name,
      to: [to],
      context: { ...context, consultantName: 'Giulia Bianchi', consultantEmail: CONSULTANT },
    } as never);
    const email = await stack.catcher!.waitFor((m) => m.headers['x-conciliaflow-key'] === `${key}:${to.email}`, 10_000);
    const links = [...email.text.matchAll(/http:\/\/conciliaflow\.test\/\S+/g)].map((m) => m[0]);
    expect(links.length).toBeGreaterThan(0);
    // Staff copies are addressed as staff: no opt-out that does not apply, never "contact yourself".
    if (audience === 'consultant') {
      expect(email.text).not.toContain('preferences/opt-out');
      expect(email.text).not.toMatch(/contatta(re)? Giulia Bianchi/);
      expect(email.text).toContain('come consulente');
    }
    for (const link of links) {
      if (link.includes('/p/')) {
        expect(audience).toBe('participant');
        const page = await get(link);
        expect({ link: 'personal', status: page.status }).toEqual({ link: 'personal', status: 200 });
        expect(page.html).toContain('Che cosa ti chiediamo ora');
      } else if (link.includes('/preferences/opt-out')) {
        expect(audience).toBe('participant');
        expect((await get(link)).status).toBe(200);
      } else {
        expect(audience).toBe('consultant');
        const first = await get(link);
        expect(first.status).toBe(302);
        const dashboard = `/app/enrollments/${enrollmentId}`;
        expect(first.location).toBe(dashboard);
        const login = await get(`${base}${first.location}`);
        expect(login.location).toBe(`/login?next=${encodeURIComponent(dashboard)}`);
        expect((await get(`${base}${login.location}`)).status).toBe(200);
        const session = await signIn(CONSULTANT, dashboard);
        const page = await get(`${base}${dashboard}`, session);
        expect(page.status).toBe(200);
        expect(page.html).toContain(req.company.name);
      }
    }
  },
  30_000,
);

test('a reminder of a step whose evidence is a document says what to upload and links where it can be uploaded', async () => {
  // Once the pathway's run has welcomed its participants it has written its first step; then the
  // step is moved on here as if the intake were done (the page reads the stored current step).
  await until(
    'the welcome',
    async () => (await db.outboxMessage.count({ where: { enrollmentId, template: 'enrollment-welcome' } })) > 0,
  );
  const before = await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
  await db.enrollment.update({ where: { id: enrollmentId }, data: { currentStep: 'needs-analysis' } });
  try {
    const remind = async (stepName: { it: string; en: string }, to: { name: string; email: string }, key: string) => {
      await mail.notify({
        key,
        enrollmentId,
        template: 'step-reminder',
        to: [{ ...to, locale: 'it' }],
        context: {
          companyName: req.company.name,
          pathwayName: 'Piani di congedo e flessibilità',
          consultantName: 'Giulia Bianchi',
          consultantEmail: CONSULTANT,
          stepName,
          dueAt: Date.UTC(2027, 2, 12, 16),
          when: 'before',
        },
      } as never);
      return stack.catcher!.waitFor((m) => m.headers['x-conciliaflow-key'] === `${key}:${to.email}`, 10_000);
    };
    const needs = { it: 'Analisi dei bisogni di conciliazione', en: 'Work-life balance needs analysis' };
    // The employee takes part in the needs analysis: their own page, where the upload form is.
    const toLuca = await remind(needs, { name: 'Luca Neri', email: 'luca@tessitura-l.test' }, 'upload-needs-luca');
    expect(toLuca.text).toContain("- Riferimento al rapporto d'analisi (Analisi dei bisogni di conciliazione)");
    const own = /puoi caricare tu stesso[\s\S]*?(http:\/\/conciliaflow\.test\/p\/\S+)/.exec(toLuca.text)?.[1];
    expect(own).toBeDefined();
    const page = await get(own!);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Documento da caricare');
    expect(page.html).toMatch(/action="\/p\/[^"]+\/documenti\?csrf=/);

    // The consultant is sent to the pathway's documents page, which after signing in offers the upload.
    const toGiulia = await remind(needs, { name: 'Giulia Bianchi', email: CONSULTANT }, 'upload-needs-giulia');
    const documents = `/app/enrollments/${enrollmentId}/documents`;
    expect(toGiulia.text).toContain('pagina dei documenti del percorso');
    expect(toGiulia.text).toContain(`http://conciliaflow.test${documents}`);
    const signedOut = await get(`http://conciliaflow.test${documents}`);
    expect(signedOut.location).toBe(`/login?next=${encodeURIComponent(documents)}`);
    const session = await signIn(CONSULTANT, documents);
    const staffPage = await get(`${base}${documents}`, session);
    expect(staffPage.status).toBe(200);
    expect(staffPage.html).toContain('enctype="multipart/form-data"');

    // The signed plan does not involve employees: their reminder promises no upload.
    const plan = { it: "Piano adottato dall'impresa", en: 'Plan adopted by the company' };
    const noUpload = await remind(plan, { name: 'Luca Neri', email: 'luca@tessitura-l.test' }, 'upload-plan-luca');
    expect(noUpload.text).not.toMatch(/caricare|Piano firmato/);
  } finally {
    await db.enrollment.update({ where: { id: enrollmentId }, data: { currentStep: before.currentStep } });
  }
});
