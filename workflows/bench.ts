import { condition, defineSignal, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { NotifyInput, PathwayActivities } from '../activities/types';
/** The baseline of the enrollment benchmark: a workflow that does nothing. */
export async function emptyWorkflow(): Promise<void> {}

const acts = proxyActivities<PathwayActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** What a benchmark reminder says: a step due at `stepDueAt`. */
export function benchReminderContext(stepDueAt: number): NotifyInput['context'] {
  return {
    companyName: 'Impresa Bench S.r.l.',
    pathwayName: { it: 'Piani di congedo e flessibilità', en: 'Leave and flexibility plans' },
    consultantName: 'Giulia Bianchi',
    consultantEmail: 'giulia@bench.test',
    stepName: { it: 'Analisi dei bisogni', en: 'Needs analysis' },
    dueAt: stepDueAt,
    when: 'before',
    daysOverdue: 0,
  };
}

/**
 * The reminder path of a pathway on its own, so that a benchmark can make thousands of reminders
 * come due in the same minute. With `leadMs`, as a pathway with REMINDER_LEAD_MINUTES: the
 * reminder is staged in the outbox `leadMs` before it is due (the dispatcher sends it), and the run
 * stays open afterwards, as a pathway waits for its next agenda item. Without: a durable timer,
 * then the outbox activity and SMTP.
 */
export async function reminderBenchWorkflow(input: {
  key: string;
  dueAt: number;
  email: string;
  leadMs?: number;
}): Promise<void> {
  const lead = input.leadMs ?? 0;
  await sleep(Math.max(0, input.dueAt - lead - Date.now()));
  await acts.notify({
    key: input.key,
    template: 'step-reminder',
    to: [{ name: 'Bench Participant', email: input.email, locale: 'it' }],
    context: benchReminderContext(input.dueAt + 7 * 24 * 3600_000),
    ...(lead > 0 ? { sendAt: input.dueAt } : {}),
  });
  if (lead > 0) await sleep(Math.max(0, input.dueAt + 24 * 3600_000 - Date.now()));
}

/** The baseline of the actions benchmark: an Update whose handler runs one activity, and one that runs none. */
export const benchActivityUpdate = defineUpdate<number, [number]>('benchActivity');
export const benchEmptyUpdate = defineUpdate<number, [number]>('benchEmpty');
export const benchDoneSignal = defineSignal('benchDone');

const floorActs = proxyActivities<{ benchNoop(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

/** Answers Updates until told it is done: the raw cost of an Update on this server and worker. */
export async function updateBenchWorkflow(): Promise<void> {
  let done = false;
  setHandler(benchActivityUpdate, (n) => floorActs.benchNoop(n));
  setHandler(benchEmptyUpdate, (n) => n);
  setHandler(benchDoneSignal, () => {
    done = true;
  });
  await condition(() => done);
}

/** The eviction benchmark tells each run, once all are idle, when its timer is to fire. */
export const evictionDueSignal = defineSignal<[number]>('evictionDue');

/**
 * The eviction benchmark's pathway: `steps` activities first, so that its history is as long as a
 * pathway's when it meets its next timer (one where nobody acts has 115 events after 18 months),
 * then, once told when, a timer and the activity it triggers. What is measured is the workflow task
 * after that timer, with the run still cached or replayed from its history.
 */
export async function evictionBenchWorkflow(input: { key: string; steps: number }): Promise<void> {
  let dueAt: number | undefined;
  setHandler(evictionDueSignal, (at) => void (dueAt = at));
  const reminder = (key: string): NotifyInput => ({
    key,
    template: 'step-reminder',
    to: [{ name: 'Bench Participant', email: `${input.key}@bench.test`, locale: 'it' }],
    context: benchReminderContext(0),
  });
  for (let s = 0; s < input.steps; s++) await acts.notify(reminder(`${input.key}:${s}`));
  await condition(() => dueAt !== undefined);
  await sleep(Math.max(1, dueAt! - Date.now()));
  await acts.notify(reminder(`${input.key}:due`));
}
