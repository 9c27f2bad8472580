/**
 * One workflow per enrollment: walks the steps of its catalogue version (named in the input and read
 * from the published versions, which never change: a new catalogue entry is a new version, so it
 * never changes a running pathway; runs started before carry the definition itself), reminds participants on working days before
 * and at each due date, escalates when late, warns before the programme's hard end and closes the
 * pathway as expired when it is reached. People act through validated Updates.
 *
 * The pathway itself (state, rules, what each change records and whom it tells) is the Pathway
 * entity in domain/pathway.ts; this file only waits, and carries out the entity's outcomes through
 * activities. The order and shape of those calls is what running pathways have recorded: a change
 * to it goes through patched() and must leave test/replay/histories/ replaying.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotifyInput, PathwayActivities } from '../activities/types';
import { findPathwayVersion } from '../domain/catalogue-history';
import {
  Pathway,
  PathwayRefusal,
  type AgendaItem,
  type Outcome,
  type PathwayTerms,
  type PlannedNotice,
} from '../domain/pathway';
import {
  assignConsultantUpdate,
  completeStepUpdate,
  confirmParticipationUpdate,
  extendDueDateUpdate,
  getStateQuery,
  programmeEndChangedUpdate,
  reopenStepUpdate,
  withdrawUpdate,
  type PathwayAnswer,
  type PathwayBefore,
  type PathwayInput,
  type PathwayState,
} from './messages';
import { runLegacyEngine } from './pathway-legacy';

const acts = proxyActivities<PathwayActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * The milestone an Update writes before it answers, run by the worker inside the workflow task
 * rather than through the task queue: one round trip to the server less between the request and its
 * answer. The write is idempotent (a retry upserts the same row), as a local activity needs.
 */
const local = proxyLocalActivities<Pick<PathwayActivities, 'recordMilestone'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Patch ids: runs started before a change keep their old path on replay. */
export const PATCHES = {
  /**
   * v2 engine: one agenda of timers (reminders, programme-end warnings, hard end), re-planned on
   * every change. Runs without it take the first engine (pathway-legacy.ts, which says when this
   * becomes a deprecatePatch).
   */
  agenda: 'agenda-loop-v2',
  /** The email an Update causes goes after the Update has answered, so SMTP trouble never holds the caller. */
  updateEmailsAfterAnswer: 'update-emails-after-answer',
  /** Reminders and warnings are staged in the outbox ahead of time and sent by the dispatcher. */
  stagedReminders: 'staged-reminders',
  /** An Update's milestones are written by a local activity (Updates recorded before keep the activity). */
  localUpdateMilestones: 'local-update-milestones',
  /**
   * A step's reminders go to the participants it involves, resolved by role when the outbox writes
   * them (so one added later is reached, one removed is not); a consultant-only step's to the consultant.
   */
  recipientsByRole: 'recipients-by-role',
} as const;

const DEFAULT_CONTINUE_AS_NEW_AFTER = 2000;

/** An Update validator: the entity's refusal reaches the caller as a non-retryable failure with both texts. */
function validate(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (!(err instanceof PathwayRefusal)) throw err;
    throw ApplicationFailure.create({
      type: err.code,
      message: err.message,
      details: [err.messages],
      nonRetryable: true,
    });
  }
}

/**
 * The pathway's terms: the definition the input carries, or the published version it names. A
 * version this worker's code does not have fails the workflow task (retried, not the run): a worker
 * built before that version was published leaves the run to one built after.
 */
export function termsOf(input: PathwayInput): PathwayTerms {
  if (input.definition) return { ...input, definition: input.definition };
  const ref = input.catalogue;
  const definition = ref && findPathwayVersion(ref.kind, ref.version);
  if (!definition)
    throw new Error(
      `catalogue version ${ref ? `${ref.kind} v${ref.version}` : '(none in the input)'} is not published in this worker's code: deploy a worker that has it`,
    );
  return { ...input, definition };
}

export async function pathwayWorkflow(input: PathwayInput): Promise<PathwayState> {
  // A new run opens its first step before any handler is registered. An Update sent right after the
  // enrollment can reach this very first activation, where it runs as soon as its handler is set:
  // it must find the step open. (The commands keep their order: the patch marker, then the
  // milestone activity, as before.)
  const engine = input.carried || patched(PATCHES.agenda) ? 'agenda' : 'legacy';
  const terms = termsOf(input);
  const pathway = new Pathway(terms, engine, input.carried);
  // Asked once, first thing: a run recorded without the marker keeps every participant throughout.
  pathway.recipientsByRole = engine === 'agenda' && patched(PATCHES.recipientsByRole);
  const [enrolled] = input.carried ? [] : pathway.enroll(Date.now()).milestones.map((m) => acts.recordMilestone(m));
  // A revival (a new run of a closed, expired pathway): the service checked it before starting the
  // run; one refused here all the same closes the run as it came, unchanged.
  let revival: Outcome | undefined;
  if (input.carried && input.revival) {
    try {
      revival = pathway.revive(input.revival, Date.now());
    } catch (err) {
      if (!(err instanceof PathwayRefusal)) throw err;
      log.warn('revival refused', { enrollmentId: input.enrollmentId, code: err.code });
    }
  }

  /** Emails sent by Updates that have already answered; the run ends only once they are done. */
  const pendingEmails = new Set<Promise<void>>();
  const settled = () => allHandlersFinished() && pendingEmails.size === 0;
  /**
   * The email an Update causes. It goes in the background: the person who acted gets their answer as
   * soon as the change and its milestone are recorded, even while SMTP is down and the activity
   * retries. Runs whose history predates the patch keep awaiting it, as they recorded.
   */
  const notifyAfterAnswer = async (n: NotifyInput): Promise<void> => {
    if (!patched(PATCHES.updateEmailsAfterAnswer)) {
      await acts.notify(n);
      return;
    }
    const sending: Promise<void> = acts.notify(n).then(
      () => {
        pendingEmails.delete(sending);
      },
      (err: unknown) => {
        pendingEmails.delete(sending);
        log.error('email of an update failed for good', { key: n.key, error: String(err) });
      },
    );
    pendingEmails.add(sending);
  };
  // Each applier awaits the activities themselves, with no wrapper in between: coroutines resumed in
  // one activation then schedule their commands in the order the histories recorded.
  /**
   * An Update's outcome: the state has changed already (a concurrent duplicate fails validation).
   * The answer carries the change (the state before it, the milestones written), which adds no
   * command: histories recorded before it replay unchanged.
   */
  const answer = async (before: PathwayBefore, outcome: Outcome): Promise<PathwayAnswer> => {
    const recordMilestone = patched(PATCHES.localUpdateMilestones) ? local.recordMilestone : acts.recordMilestone;
    for (const m of outcome.milestones) await recordMilestone(m);
    for (const n of outcome.notifications) await notifyAfterAnswer(n);
    return { ...pathway.state, change: { before, milestones: outcome.milestones } };
  };
  /** The state as it stands, copied before a transition changes it. */
  const before = (): PathwayBefore => ({
    status: pathway.state.status,
    currentStep: pathway.state.currentStep,
    steps: pathway.state.steps.map((s) => ({ key: s.key, status: s.status, dueAt: s.dueAt })),
  });
  const record = async (outcome: Outcome): Promise<void> => {
    for (const m of outcome.milestones) await acts.recordMilestone(m);
  };
  /** A reminder or warning: sent now, or staged (`sendAt`) in the outbox for the dispatcher. */
  const sendPlanned = async (planned: PlannedNotice): Promise<void> => {
    const result = await acts.notify(planned.notice);
    pathway.noteSent(planned, result, Date.now());
  };
  /** Withdraws staged messages not yet due (those of a changed step, or `all` once the pathway ended). */
  const unstage = async (all: boolean): Promise<void> => {
    const keys = pathway.unstage(all, Date.now());
    if (keys.length > 0) await acts.cancelScheduled({ keys });
  };

  setHandler(getStateQuery, () => pathway.state);
  setHandler(completeStepUpdate, (req) => answer(before(), pathway.complete(req, Date.now())), {
    validator: (req) => validate(() => pathway.checkComplete(req)),
  });
  setHandler(reopenStepUpdate, (req) => answer(before(), pathway.reopen(req, Date.now())), {
    validator: (req) => validate(() => pathway.checkReopen(req)),
  });
  setHandler(extendDueDateUpdate, (req) => answer(before(), pathway.extend(req, Date.now())), {
    validator: (req) => validate(() => pathway.checkExtend(req)),
  });
  setHandler(assignConsultantUpdate, (req) => answer(before(), pathway.reassign(req, Date.now())), {
    validator: (req) => validate(() => pathway.checkReassign(req)),
  });
  setHandler(withdrawUpdate, (req) => answer(before(), pathway.withdraw(req, Date.now())), {
    validator: (req) => validate(() => pathway.checkWithdraw(req)),
  });
  setHandler(confirmParticipationUpdate, (req) => answer(before(), pathway.confirm(req, Date.now())), {
    validator: (req) => validate(() => pathway.checkConfirm(req)),
  });
  // No patch: a handler adds no command, and the loop below wakes on `revision` as for any other
  // change, so a recorded history without this Update replays as it ran. (A run's hard end is read
  // from its state, which carries the decrees through continue-as-new.)
  setHandler(
    programmeEndChangedUpdate,
    (req) => answer(before(), pathway.changeProgrammeEnd({ ...req, at: Date.now() })),
    {
      validator: (req) => validate(() => pathway.checkProgrammeEnd(req, Date.now())),
    },
  );

  if (!input.carried) {
    await enrolled;
    await acts.notify(pathway.welcome());
  }
  if (revival) {
    // Durable before anything else happens: the milestone puts the enrollment back to active.
    for (const m of revival.milestones) await acts.recordMilestone(m);
    for (const n of revival.notifications) await acts.notify(n);
  }

  if (engine === 'legacy') {
    await runLegacyEngine(pathway, terms, { record, sendPlanned });
  } else {
    const continueAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
    // A warning's email went through one async wrapper more than a step's: kept, for the same reason.
    const run = (item: AgendaItem): Promise<void> =>
      item.kind === 'step'
        ? sendPlanned(pathway.due(item))
        : (async () => {
            await sendPlanned(pathway.due(item));
          })();
    let farewell: Outcome['notifications'] = [];
    while (pathway.active) {
      const step = pathway.current();
      if (!step) break;
      if (workflowInfo().historyLength > continueAfter || workflowInfo().continueAsNewSuggested) {
        // Keep the history bounded over an 18-month pathway: carry the state into a fresh run.
        await condition(settled);
        // The input as it came (the definition or its reference), with the state so far.
        const { revival: _revived, ...carriedOn } = input;
        await continueAsNew<typeof pathwayWorkflow>({ ...carriedOn, carried: pathway.carryOver() });
      }
      // Staging: each message is written to the outbox `lead` before it is due.
      const lead = (input.reminderLeadMs ?? 0) > 0 && patched(PATCHES.stagedReminders) ? input.reminderLeadMs! : 0;
      const next = pathway.agenda(step, lead)[0];
      const until = next ? next.at : pathway.hardEnd;
      const seen = pathway.revision;
      const changed = await condition(
        () => pathway.revision !== seen || !pathway.active,
        Math.max(0, until - Date.now()),
      );
      if (changed || !pathway.active) {
        await unstage(false);
        continue;
      }
      if (next) {
        await run(next);
      } else {
        const expiry = pathway.expire(step, Date.now());
        await record(expiry);
        farewell = expiry.notifications;
      }
    }
    await unstage(true);
    // The expiry email goes once nothing staged can follow it, as these runs recorded.
    for (const n of farewell) await acts.notify(n);
  }

  if (pathway.active) {
    const completion = pathway.finish(Date.now());
    await condition(settled);
    for (const m of completion.milestones) await acts.recordMilestone(m);
    for (const n of completion.notifications) await acts.notify(n);
  }
  await condition(settled);
  log.info('pathway finished', { enrollmentId: input.enrollmentId, status: pathway.state.status });
  return pathway.state;
}
