/**
 * The split deployment: `npm run api` and `npm run worker` as separate processes sharing a Temporal
 * server and a database, as on a cluster. An enrollment made through the API process is carried by
 * the worker process (welcome email over SMTP), a step completed through the API lands as a
 * milestone, and both processes stop cleanly on SIGTERM.
 *
 * On both databases. On SQLite three processes write one file (API, worker, this test): that failed
 * with "database is locked" or timed out while each transaction opened a new connection without the
 * busy timeout; one connection per process with it, and BEGIN IMMEDIATE, make writers queue
 * (infra/sqlite-client.ts).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { freePort, type DevServer } from '../../scripts/dev-server';
import { testPostgresUrl } from '../support/test-databases';
import {
  enrollRequest,
  PREFERENCES_SECRET,
  spawnProgram,
  until,
  userWithToken,
  startProcessStack,
  stopProcessStack,
} from '../support/fixtures';

jest.setTimeout(120_000);

const onPostgres = testPostgresUrl() !== undefined;

describe(`split deployment: API and worker processes on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  let server: DevServer;
  let db: Db;
  let url: string;
  let catcher: MailCatcher;
  let api: ChildProcess;
  let worker: ChildProcess;
  let base: string;
  let stderr = '';

  const root = path.resolve(__dirname, '../..');
  const spawnPart = (script: string, env: Record<string, string>) => {
    const child = spawnProgram(path.join(root, script), {
      env: {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: 'split',
        DATABASE_URL: url,
        PREFERENCES_SECRET,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return child;
  };
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
    );

  beforeAll(async () => {
    ({ server, db, url, catcher } = await startProcessStack());
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = spawnPart('client/api/main.ts', { PORT: String(port), PUBLIC_URL: base, SCHEDULES: 'off' });
    worker = spawnPart('worker/main.ts', {
      SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
      PUBLIC_URL: base,
      WORKFLOW_BUNDLE: process.env.CF_WORKFLOW_BUNDLE!,
    });
    await until(
      'the API process answering /health',
      () =>
        fetch(`${base}/health`)
          .then((r) => r.ok)
          .catch(() => false),
      60_000,
    ).catch((err: Error) => {
      // What the processes said is what tells why.
      const exits = `api exit ${api.exitCode}, worker exit ${worker.exitCode}`;
      throw new Error(`${err.message} (${exits}); their stderr:\n${stderr.slice(-4000)}`);
    });
  });

  afterAll(() => stopProcessStack([api, worker], { catcher, db, server }));

  test('an enrollment through the API process is carried by the worker process', async () => {
    expect((await fetch(`${base}/enrollments`)).status).toBe(401);
    const { token: adminToken } = await userWithToken(db, { role: 'admin', email: 'admin@split.test', name: 'Admin' });
    const req = enrollRequest();
    const res = await fetch(`${base}/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify(req),
    });
    expect(res.status).toBe(201);
    const enrollment = (await res.json()) as { id: string };
    await until('the welcome emails from the worker process', () => catcher.messages().length >= 2, 60_000);
    expect(
      catcher
        .messages()
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(req.participants.map((p) => p.email).sort());

    const { token: consultantToken } = await userWithToken(db, {
      role: 'consultant',
      email: req.consultant.email,
      name: req.consultant.name,
    });
    const done = await fetch(`${base}/enrollments/${enrollment.id}/steps/intake/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${consultantToken}` },
      body: JSON.stringify({}),
    });
    expect(done.status).toBe(200);
    const milestones = await db.milestone.findMany({ where: { enrollmentId: enrollment.id }, orderBy: { seq: 'asc' } });
    expect(milestones.map((m) => m.eventKey)).toEqual(['enrolled', 'step:intake']);
    expect(milestones[1]!.actor).toBe(req.consultant.email);
  });

  test('both processes stop cleanly on SIGTERM', async () => {
    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    expect(await exited(api)).toBe(0);
    expect(await exited(worker)).toBe(0);
    expect(stderr).not.toMatch(/failed/);
  });
});
