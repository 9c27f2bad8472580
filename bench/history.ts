/**
 * `npm run bench -- history`: history length of a pathway over a programme of 18 months, on the
 * time-skipping test server: one where nobody acts until the hard end (expiry), one where every
 * step is completed on its due day. Compared with the continue-as-new threshold (2000 events).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { addDays, localDateOf, localDateToIso } from '../domain/calendar';
import { congedoFlessibilita } from '../domain/catalogue';
import { ensureTestServer } from '../scripts/provision';
import { getStateQuery, type PathwayInput, type PathwayState } from '../workflows/messages';
import { completeStepUpdate } from '../workflows/messages';
import { pathwayWorkflow } from '../workflows/pathway';
import { print } from './common';

export async function benchHistory(): Promise<void> {
  process.env.CF_TEST_SERVER ??= ensureTestServer();
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-bench-bundle-')), 'workflows.js');
  fs.writeFileSync(file, code);
  process.env.CF_WORKFLOW_BUNDLE = file;
  // Imported late: the fixtures read the environment set above.
  const { startTimeSkippingStack, stopTimeSkippingStack } = await import('../test/support/fixtures');

  const results: Record<string, unknown> = {};
  for (const scenario of ['idle until expiry', 'every step completed on its due day'] as const) {
    const stack = await startTimeSkippingStack('bench-history');
    try {
      const company = await stack.db.company.create({
        data: {
          name: 'Impresa',
          vatNumber: '01234567890',
          province: 'MI',
          atsCode: 'ats-milano',
          sector: 'servizi',
          size: 'small',
          staff: 10,
        },
      });
      const enrollment = await stack.db.enrollment.create({
        data: {
          idempotencyKey: 'h',
          requestHash: 'h',
          programmeCode: 'bench-18-months',
          kind: congedoFlessibilita.kind,
          catalogueVersion: congedoFlessibilita.version,
          companyId: company.id,
          consultantEmail: 'c@bench.test',
          consultantName: 'C',
          workflowId: 'history-bench',
        },
      });
      const now = await stack.env.currentTimeMs();
      const endsOn = localDateToIso(addDays(localDateOf(now), 548)); // 18 months
      const input: PathwayInput = {
        enrollmentId: enrollment.id,
        definition: congedoFlessibilita,
        programme: { code: 'bench-18-months', endsOn },
        company: { name: 'Impresa', city: 'milano' },
        consultant: { name: 'C', email: 'c@bench.test' },
        participants: [{ name: 'P', email: 'p@bench.test', locale: 'it' }],
        // As the service enrolls (REMINDER_LEAD_MINUTES' default): reminders staged ahead.
        reminderLeadMs: Number(process.env.BENCH_REMINDER_LEAD_MINUTES ?? 15) * 60_000,
      };
      const handle = await stack.env.client.workflow.start(pathwayWorkflow, {
        taskQueue: 'bench-history',
        workflowId: 'history-bench',
        args: [input],
      });
      if (scenario === 'every step completed on its due day') {
        for (const step of congedoFlessibilita.steps) {
          const state: PathwayState = await handle.query(getStateQuery);
          const active = state.steps.find((s) => s.key === step.key)!;
          await stack.env.sleep(Math.max(0, active.dueAt! - (await stack.env.currentTimeMs()) - 3_600_000));
          await handle.executeUpdate(completeStepUpdate, {
            args: [{ stepKey: step.key, evidence: 'DOC', actor: { role: 'consultant', id: 'c@bench.test' } }],
          });
        }
      }
      const result = (await handle.result()) as PathwayState;
      const history = await stack.env.client.workflow.getHandle('history-bench').fetchHistory();
      const bytes = Buffer.byteLength(JSON.stringify(history));
      results[scenario] = {
        status: result.status,
        runs: result.runs ?? 1,
        eventsInLastRun: history.events?.length ?? 0,
        historyBytesInLastRun: bytes,
        emails: await stack.db.outboxMessage.count(),
        milestones: await stack.db.milestone.count(),
        // From the first to the last event of the pathway (the server's clock, skipped forward).
        pathwayDays: Math.round(
          (Number(history.events?.at(-1)?.eventTime?.seconds ?? 0) -
            Number(history.events?.[0]?.eventTime?.seconds ?? 0)) /
            86_400,
        ),
      };
    } finally {
      await stopTimeSkippingStack(stack);
    }
  }
  print({ benchmark: 'history length of an 18-month pathway', continueAsNewAfterEvents: 2000, ...results });
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} };
