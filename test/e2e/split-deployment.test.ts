/**
 * The split deployment: `npm run api` and `npm run worker` as separate processes sharing a Temporal
 * server and a database, as on a cluster. An enrollment made through the API process is carried by
 * the worker process (welcome email over SMTP), a step completed through the API lands as a
 * milestone, and both processes stop cleanly on SIGTERM.
 *
 * Also with the worker itself in two processes (WORKER_TASKS): one takes the workflow tasks and the
 * local activities in them (the milestone written before an Update answers), the other the
 * activities (emails). With the activities worker stopped, a due date is still extended and its
 * milestone written, and its email waits on the task queue until an activities worker is back.
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
  untilHealthy,
  userWithToken,
  startProcessStack,
  stopProcessStack,
} from '../support/fixtures';

jest.setTimeout(120_000);

const onPostgres = testPostgresUrl() !== undefined;

const topologies: [string, string[]][] = [
  ['one worker process', ['all']],
  ['a workflows worker and an activities worker', ['workflows', 'activities']],
];

describe.each(topologies)(
  `split deployment on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}: the API and %s`,
  (_name, workerTasks) => {
    let server: DevServer;
    let db: Db;
    let url: string;
    let catcher: MailCatcher;
    let api: ChildProcess;
    let workers: ChildProcess[] = [];
    let base: string;
    let stderr = '';
    let enrollmentId: string;
    let consultantToken: string;
    const split = workerTasks.length > 1;

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
    const spawnWorker = (tasks: string) =>
      spawnPart('worker/main.ts', {
        SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
        PUBLIC_URL: base,
        WORKFLOW_BUNDLE: process.env.CF_WORKFLOW_BUNDLE!,
        WORKER_TASKS: tasks,
      });
    const exited = (child: ChildProcess) =>
      new Promise<number | null>((resolve) =>
        child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
      );

    beforeAll(async () => {
      ({ server, db, url, catcher } = await startProcessStack());
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      api = spawnPart('client/api/main.ts', { PORT: String(port), PUBLIC_URL: base, SCHEDULES: 'off' });
      workers = workerTasks.map((tasks) => spawnWorker(tasks));
      await untilHealthy(base).catch((err: Error) => {
        // What the processes said is what tells why.
        const exits = `api exit ${api.exitCode}, worker exits ${workers.map((w) => w.exitCode).join(', ')}`;
        throw new Error(`${err.message} (${exits}); their stderr:\n${stderr.slice(-4000)}`);
      });
    });

    afterAll(() => stopProcessStack([api, ...workers], { catcher, db, server }));

    test('an enrollment through the API process is carried by the worker process', async () => {
      expect((await fetch(`${base}/enrollments`)).status).toBe(401);
      const { token: adminToken } = await userWithToken(db, {
        role: 'admin',
        email: 'admin@split.test',
        name: 'Admin',
      });
      const req = enrollRequest();
      const res = await fetch(`${base}/enrollments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify(req),
      });
      expect(res.status).toBe(201);
      const enrollment = (await res.json()) as { id: string };
      enrollmentId = enrollment.id;
      await until('the welcome emails from the worker process', () => catcher.messages().length >= 2, 60_000);
      expect(
        catcher
          .messages()
          .map((m) => m.to[0])
          .sort(),
      ).toEqual(req.participants.map((p) => p.email).sort());

      ({ token: consultantToken } = await userWithToken(db, {
        role: 'consultant',
        email: req.consultant.email,
        name: req.consultant.name,
      }));
      const done = await complete('intake');
      expect(done.status).toBe(200);
      const milestones = await db.milestone.findMany({
        where: { enrollmentId: enrollment.id },
        orderBy: { seq: 'asc' },
      });
      expect(milestones.map((m) => m.eventKey)).toEqual(['enrolled', 'step:intake']);
      expect(milestones[1]!.actor).toBe(req.consultant.email);
      await until('the step-completed emails', () => catcher.messages().length >= 4, 60_000);
    });

    const complete = (step: string) =>
      fetch(`${base}/enrollments/${enrollmentId}/steps/${step}/complete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${consultantToken}` },
        body: JSON.stringify({}),
      });

    if (split)
      test('with the activities worker stopped a due date is still extended; its emails wait for the next one', async () => {
        const activities = workers[1]!;
        activities.kill('SIGTERM');
        expect(await exited(activities)).toBe(0);
        const sent = catcher.messages().length;
        const before = await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
        const milestones = await db.milestone.count({ where: { enrollmentId } });
        const later = new Date(before.currentDueAt!.getTime() + 14 * 86_400_000).toISOString().slice(0, 10);
        const done = await fetch(`${base}/enrollments/${enrollmentId}/steps/${before.currentStep}/extend`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${consultantToken}` },
          body: JSON.stringify({ newDueDate: later, reason: 'Ferie aziendali di agosto' }),
        });
        expect(`${done.status} ${await done.text()}`).toMatch(/^200 /);
        // The milestone is written inside the Update, by the workflows worker, before the answer.
        expect(await db.milestone.count({ where: { enrollmentId } })).toBe(milestones + 1);
        // Nobody takes the email off the task queue while no activities worker runs.
        await new Promise((r) => setTimeout(r, 3_000));
        expect(catcher.messages().length).toBe(sent);
        workers.push(spawnWorker('activities'));
        await until(
          'the waiting emails, sent by the new activities worker',
          () => catcher.messages().length > sent,
          60_000,
        );
      });

    test('every process stops cleanly on SIGTERM', async () => {
      const running = [api, ...workers].filter((c) => c.exitCode === null);
      for (const c of running) c.kill('SIGTERM');
      for (const c of running) expect(await exited(c)).toBe(0);
      expect(stderr).not.toMatch(/failed/);
    });
  },
);
