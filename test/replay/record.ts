/**
 * Records workflow histories for the replay tests: `npm run replay:record`.
 * Run it when a new workflow behaviour lands (never to "fix" a failing replay: a failing replay
 * means running pathways would break; guard the change with patched() instead).
 * `-- --kind K --tag T` records only kind K, as `K.vN.T.completed|expired.json`, next to the older
 * histories (which stay: they are the runs recorded before the change). `--reminder-lead-minutes M`
 * enrolls with staged reminders (REMINDER_LEAD_MINUTES). `--decree` (with `--kind K`, default
 * congedo-flessibilita) records only the decree runs: `K.vN.decree.expired.json`, a pathway told of
 * an extension by the programmeEndChanged Update (and again by the fan-out), and
 * `K.vN.revived.expired.json`, the run that revived a pathway expired before the decree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createService } from '../../client/service';
import { CATALOGUE, findPathway } from '../../domain/catalogue';
import { programmeHardEnd } from '../../domain/schedule';
import { programmeEndChangedUpdate } from '../../workflows/messages';
import { ensureTestServer } from '../../scripts/provision';
import type { Db } from '../../infra/db';
import type { ReportScope } from '../../activities/report-delivery';
import {
  consultantDigestWorkflow,
  coordinatorDigestWorkflow,
  milestoneReportWorkflow,
} from '../../workflows/scheduled';
import { atRest, closedResult, createTestDb, requestForKind, startSmtp, testWorker } from '../support/fixtures';

const outDir = path.join(__dirname, 'histories');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const onlyKind = arg('--kind');
const tag = arg('--tag');
const reminderLeadMs = Number(arg('--reminder-lead-minutes') ?? 0) * 60_000;
const fileName = (kind: string, version: number, name: string) =>
  `${kind}.v${version}${tag ? `.${tag}` : ''}.${name}.json`;

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-rec-')), 'wf.js');
  fs.writeFileSync(bundlePath, code);
  process.env.CF_WORKFLOW_BUNDLE = bundlePath;
  const { db } = createTestDb();
  const catcher = await startSmtp();
  const taskQueue = 'record';
  const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };
  fs.mkdirSync(outDir, { recursive: true });
  if (process.argv.includes('--decree')) {
    await recordDecree(db, catcher, onlyKind ?? 'congedo-flessibilita');
    await catcher.stop();
    await db.$disconnect();
    return;
  }

  const kinds = process.argv.includes('--scheduled-only')
    ? []
    : Object.values(CATALOGUE).filter((d) => !onlyKind || d.kind === onlyKind);
  if (onlyKind && kinds.length === 0) throw new Error(`--kind ${onlyKind}: no such kind in the catalogue`);
  for (const definition of kinds) {
    const existing = ['completed', 'expired'].map((n) =>
      path.join(outDir, fileName(definition.kind, definition.version, n)),
    );
    if (existing.every((f) => fs.existsSync(f)) && !process.argv.includes('--force')) {
      process.stdout.write(`kept ${definition.kind}.v${definition.version} (recorded before; --force to overwrite)\n`);
      continue;
    }
    // A fresh server per kind: after a result() the time-skipping clock leaps years ahead.
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: ensureTestServer() } },
    });
    const service = createService({ db, temporal: env.client, taskQueue, reminderLeadMs });
    const { worker, transport } = await testWorker({ connection: env.nativeConnection, taskQueue, db, catcher });
    await worker.runUntil(async () => {
      // 1. Completed: reminders fire on the first step, then every step is completed, one late.
      const done = await service.enroll(requestForKind(definition.kind));
      await env.sleep('20 days');
      for (const step of definition.steps) {
        await service.completeStep(done.enrollment.id, {
          stepKey: step.key,
          actor: step.completedBy.includes('consultant')
            ? consultant
            : { role: step.completedBy[0]!, id: 'owner@test' },
          evidence: step.evidence ? `DOC-${step.key}` : undefined,
        });
        await atRest(env, done.enrollment.workflowId);
        await env.sleep('3 days');
      }
      await closedResult(env, done.enrollment.workflowId);
      // 2. Expired: nobody acts until the programme's hard end.
      const expired = await service.enroll(requestForKind(definition.kind));
      await env.client.workflow.getHandle(expired.enrollment.workflowId).result();
      for (const [name, id] of [
        ['completed', done.enrollment.workflowId],
        ['expired', expired.enrollment.workflowId],
      ] as const) {
        const history = await env.client.workflow.getHandle(id).fetchHistory();
        const file = path.join(outDir, fileName(definition.kind, definition.version, name));
        fs.writeFileSync(file, historyToJSON(history));
        process.stdout.write(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length} events)\n`);
      }
    });
    transport.close();
    await env.teardown();
  }
  if (!onlyKind) await recordScheduled(db, catcher);
  await catcher.stop();
  await db.$disconnect();
}

/**
 * A decree reaching pathways: one told of an extension 20 days in (its first step done), then again
 * by the decree's fan-out, expiring at the new end; one that expired at the old end first and was
 * revived by an admin, expiring at the new end too. The clock moves by sleeping, and a plain client
 * waits for the results (the testing client's result() would let the clock leap years ahead).
 */
async function recordDecree(db: Db, catcher: Awaited<ReturnType<typeof startSmtp>>, kind: string): Promise<void> {
  const definition = findPathway(kind);
  if (!definition) throw new Error(`--kind ${kind}: no such kind in the catalogue`);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ensureTestServer() } },
  });
  const temporal = new Client({ connection: env.connection });
  let clock = Date.now();
  const taskQueue = 'record-decree';
  const service = createService({ db, temporal, taskQueue, reminderLeadMs, now: () => new Date(clock) });
  const { worker, transport } = await testWorker({ connection: env.nativeConnection, taskQueue, db, catcher });
  const decree = 'DGR XII/2000 del 20/12/2027';
  const newEndsOn = '2028-03-31';
  const sleepUntil = async (at: number) => env.sleep(Math.max(0, at - (await env.currentTimeMs())));
  await worker.runUntil(async () => {
    const told = await service.enroll(requestForKind(kind));
    const revived = await service.enroll(requestForKind(kind));
    const oldEndsOn = (await service.programmes.findEdition(told.enrollment.programme))!.endsOn!;
    await env.sleep('20 days');
    const first = definition.steps[0]!;
    await service.completeStep(told.enrollment.id, {
      stepKey: first.key,
      actor: { role: first.completedBy[0]!, id: 'giulia.bianchi@consulenti.test' },
      evidence: first.evidence ? `DOC-${first.key}` : undefined,
    });
    await atRest(env, told.enrollment.workflowId);
    await temporal.workflow
      .getHandle(told.enrollment.workflowId)
      .executeUpdate(programmeEndChangedUpdate, { args: [{ newEndsOn, decree }] });
    await atRest(env, told.enrollment.workflowId);
    await sleepUntil(programmeHardEnd(oldEndsOn) + 3_600_000);
    await atRest(env, revived.enrollment.workflowId);
    await closedResult(env, revived.enrollment.workflowId);
    // The decree recorded: its fan-out tells the first pathway again (nothing changes) and not the expired one.
    clock = await env.currentTimeMs();
    await service.programmes.extend(
      told.enrollment.programme,
      { endsOn: newEndsOn, decree },
      {
        id: 'record',
        role: 'admin',
      },
    );
    await closedResult(env, `decree-${(await db.programmeDecree.findFirstOrThrow({ where: { decree } })).id}`);
    clock = await env.currentTimeMs();
    await service.revive(revived.enrollment.id, 'Proroga: il percorso riprende', { id: 'record', role: 'admin' });
    await atRest(env, revived.enrollment.workflowId);
    await sleepUntil(programmeHardEnd(newEndsOn) + 3_600_000);
    for (const [name, e] of [
      ['decree', told],
      ['revived', revived],
    ] as const) {
      await atRest(env, e.enrollment.workflowId);
      await closedResult(env, e.enrollment.workflowId);
      const history = await temporal.workflow.getHandle(e.enrollment.workflowId).fetchHistory();
      const file = path.join(outDir, `${kind}.v${definition.version}.${name}.expired.json`);
      fs.writeFileSync(file, historyToJSON(history));
      process.stdout.write(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length} events)\n`);
    }
  });
  transport.close();
  await env.teardown();
}

/** The workflows run by the schedules: a digest and both kinds of milestone report. */
async function recordScheduled(db: Db, catcher: Awaited<ReturnType<typeof startSmtp>>): Promise<void> {
  const runs = [
    ['scheduled.digest-consultants', consultantDigestWorkflow, []],
    ['scheduled.digest-coordinators', coordinatorDigestWorkflow, []],
    ['scheduled.report-network', milestoneReportWorkflow, [{ scope: 'network', atsCode: 'ats-milano' }]],
    ['scheduled.report-region', milestoneReportWorkflow, [{ scope: 'region' }]],
  ] as const;
  if (runs.every(([name]) => fs.existsSync(path.join(outDir, `${name}.json`))) && !process.argv.includes('--force')) {
    process.stdout.write('kept the scheduled workflows (recorded before; --force to overwrite)\n');
    return;
  }
  await db.user.upsert({
    where: { email: 'coordinatore@ats-milano.test' },
    create: { email: 'coordinatore@ats-milano.test', name: 'Elena Sala', role: 'coordinator', atsCode: 'ats-milano' },
    update: {},
  });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ensureTestServer() } },
  });
  const taskQueue = 'record-scheduled';
  const { worker, transport } = await testWorker({ connection: env.nativeConnection, taskQueue, db, catcher });
  await worker.runUntil(async () => {
    for (const [name, workflow, args] of runs) {
      const handle = await env.client.workflow.start(workflow as typeof milestoneReportWorkflow, {
        taskQueue,
        workflowId: name,
        args: args as unknown as [ReportScope],
      });
      await closedResult(env, handle.workflowId);
      const history = await handle.fetchHistory();
      const file = path.join(outDir, `${name}.json`);
      fs.writeFileSync(file, historyToJSON(history));
      process.stdout.write(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length} events)\n`);
    }
  });
  transport.close();
  await env.teardown();
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
