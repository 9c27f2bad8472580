/**
 * The participants of a running pathway change, on the time-skipping server with real activities:
 * an HR contact added after the enrollment gets the next reminder, with a personal link; one
 * removed gets none; a consultant-only step's reminder reaches the consultant alone.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import type { Service } from '../../client/service';
import { createParticipantOps } from '../../client/participants';
import type { Principal } from '../../client/auth/principal';
import { enrollRequest, startTimeSkippingStack, stopTimeSkippingStack, terminateAll } from '../support/fixtures';

let env: TestWorkflowEnvironment;
let db: Db;
let catcher: MailCatcher;
let service: Service;
let worker: Awaited<ReturnType<typeof startTimeSkippingStack>>['worker'];
const started: string[] = [];

beforeAll(async () => {
  ({ env, db, catcher, worker, service } = await startTimeSkippingStack('participants-change'));
});
afterAll(async () => {
  await terminateAll(env, started);
  await stopTimeSkippingStack({ env, db, catcher, worker });
});

const admin: Principal = {
  userId: 'usr_admin',
  email: 'regione@regione.test',
  name: 'Regione',
  role: 'admin',
  atsCode: null,
  companyId: null,
  locale: 'it',
  via: 'token',
};

test('an HR contact added later gets the next reminder and a removed one does not', async () => {
  const req = enrollRequest();
  const { enrollment } = await service.enroll(req);
  started.push(enrollment.workflowId);
  const [owner, hr] = req.participants;
  await catcher.waitFor((m) => m.to.includes(hr!.email) && /welcome/i.test(m.subject));
  const e = await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id }, include: { company: true } });
  const ops = createParticipantOps(db);
  const leaving = await db.participant.findFirstOrThrow({ where: { companyId: e.companyId, email: hr!.email } });
  await ops.remove(e, admin, leaving.id);
  await ops.add(e, admin, { name: 'Paola Nuova', email: 'paola@tessitura.test', role: 'hr', locale: 'it' });

  // The intake (owner and HR contact involved) is reminded 5 working days before it is due.
  await env.sleep('9 days');
  const reminder = await catcher.waitFor(
    (m) => m.to.includes('paola@tessitura.test') && /promemoria/i.test(m.subject),
    30_000,
  );
  expect(reminder.text).toMatch(/http:\/\/conciliaflow\.test\/p\/[A-Za-z0-9._-]+/);
  await catcher.waitFor((m) => m.to.includes(owner!.email) && /promemoria/i.test(m.subject), 30_000);
  expect(catcher.messages().filter((m) => m.to.includes(hr!.email) && /reminder/i.test(m.subject))).toHaveLength(0);
  // Nobody is reminded twice, and the consultant is not reminded of a step the firm takes part in.
  expect(
    catcher.messages().filter((m) => m.to.includes('paola@tessitura.test') && /promemoria/i.test(m.subject)),
  ).toHaveLength(1);
  expect(
    catcher.messages().filter((m) => m.to.includes(req.consultant.email) && /promemoria/i.test(m.subject)),
  ).toHaveLength(0);
}, 120_000);
