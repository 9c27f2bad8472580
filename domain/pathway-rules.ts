/**
 * Rules for acting on a pathway, shared by the workflow's Update validators and the edges
 * (so the API can explain a refusal in the caller's language).
 */
import { dueAtEndOfDay, parseIsoDate } from './calendar';
import type { ActorRole, PathwayDefinition, Text } from './catalogue';

export interface Refusal {
  code: string;
  message: Text;
}

interface StepView {
  key: string;
  status: 'pending' | 'active' | 'done';
}

export interface CompletionAttempt {
  stepKey: string;
  actor: { role: ActorRole; id: string };
  evidence?: string;
}

/** Why a step completion must be refused, or null when it is allowed. */
export function checkCompletion(
  definition: PathwayDefinition,
  status: string,
  steps: StepView[],
  attempt: CompletionAttempt,
): Refusal | null {
  if (status !== 'active') {
    return {
      code: 'pathway_closed',
      message: {
        it: `Il percorso è chiuso (stato: ${status}); nessun passo può essere completato.`,
        en: `The pathway is closed (status: ${status}); no step can be completed.`,
      },
    };
  }
  const def = definition.steps.find((s) => s.key === attempt.stepKey);
  if (!def) {
    const known = definition.steps.map((s) => s.key).join(', ');
    return {
      code: 'unknown_step',
      message: {
        it: `Passo sconosciuto "${attempt.stepKey}". Passi di questo percorso: ${known}.`,
        en: `Unknown step "${attempt.stepKey}". Steps of this pathway: ${known}.`,
      },
    };
  }
  const step = steps.find((s) => s.key === attempt.stepKey);
  if (step?.status === 'done') {
    return {
      code: 'step_already_completed',
      message: {
        it: `Il passo "${def.name.it}" è già stato completato.`,
        en: `Step "${def.name.en}" is already completed.`,
      },
    };
  }
  if (step?.status !== 'active') {
    const current = steps.find((s) => s.status === 'active');
    const currentDef = definition.steps.find((s) => s.key === current?.key);
    return {
      code: 'step_out_of_order',
      message: {
        it: `Il passo "${def.name.it}" non è ancora aperto: completare prima "${currentDef?.name.it ?? '?'}".`,
        en: `Step "${def.name.en}" is not open yet: complete "${currentDef?.name.en ?? '?'}" first.`,
      },
    };
  }
  if (!def.completedBy.includes(attempt.actor.role)) {
    return {
      code: 'role_not_allowed',
      message: {
        it: `Il ruolo "${attempt.actor.role}" non può completare "${def.name.it}" (ammessi: ${def.completedBy.join(', ')}).`,
        en: `Role "${attempt.actor.role}" cannot complete "${def.name.en}" (allowed: ${def.completedBy.join(', ')}).`,
      },
    };
  }
  if (def.evidence && !(attempt.evidence ?? '').trim()) {
    return {
      code: 'evidence_required',
      message: {
        it: `Il passo "${def.name.it}" richiede un'evidenza: ${def.evidence.label.it}.`,
        en: `Step "${def.name.en}" requires evidence: ${def.evidence.label.en}.`,
      },
    };
  }
  return null;
}

const STAFF: ActorRole[] = ['consultant', 'coordinator', 'admin'];

function closed(status: string): Refusal | null {
  return status === 'active'
    ? null
    : {
        code: 'pathway_closed',
        message: {
          it: `Il percorso è chiuso (stato: ${status}): non si può più modificare.`,
          en: `The pathway is closed (status: ${status}): it can no longer be changed.`,
        },
      };
}

function roleRefusal(role: string, allowed: ActorRole[], what: Text): Refusal | null {
  return allowed.includes(role as ActorRole)
    ? null
    : {
        code: 'role_not_allowed',
        message: {
          it: `Il ruolo "${role}" non può ${what.it} (ammessi: ${allowed.join(', ')}).`,
          en: `Role "${role}" cannot ${what.en} (allowed: ${allowed.join(', ')}).`,
        },
      };
}

function reasonRefusal(reason: string | undefined): Refusal | null {
  return (reason ?? '').trim().length >= 5
    ? null
    : {
        code: 'reason_required',
        message: {
          it: 'Indicare una motivazione (almeno 5 caratteri): resta nello storico del percorso.',
          en: 'Give a reason (at least 5 characters): it stays in the pathway history.',
        },
      };
}

interface StepWithDates extends StepView {
  dueAt?: number;
  completedAt?: number;
}

/** Only the most recently completed step can be reopened: later work builds on it. */
export function checkReopen(
  status: string,
  steps: StepWithDates[],
  attempt: { stepKey: string; reason?: string; actor: { role: ActorRole } },
): Refusal | null {
  const refusal =
    closed(status) ??
    roleRefusal(attempt.actor.role, STAFF, { it: 'riaprire un passo', en: 'reopen a step' }) ??
    reasonRefusal(attempt.reason);
  if (refusal) return refusal;
  const done = steps.filter((s) => s.status === 'done');
  const last = done.reduce<StepWithDates | undefined>(
    (a, s) => (a === undefined || (s.completedAt ?? 0) >= (a.completedAt ?? 0) ? s : a),
    undefined,
  );
  if (!last || last.key !== attempt.stepKey) {
    return {
      code: 'step_not_reopenable',
      message: {
        it: `Si può riaprire solo l'ultimo passo completato${last ? ` ("${last.key}")` : ' (nessun passo è completato)'}.`,
        en: `Only the last completed step can be reopened${last ? ` ("${last.key}")` : ' (no step is completed)'}.`,
      },
    };
  }
  return null;
}

/**
 * Runs started by the first engine (before the agenda) know only how to complete a step: every
 * other action is refused on them rather than half done.
 */
export function checkEngine(engine: 'legacy' | 'agenda'): Refusal | null {
  return engine === 'agenda'
    ? null
    : {
        code: 'not_supported_for_this_run',
        message: {
          it: 'Questo percorso è stato avviato con una versione precedente del servizio e non supporta questa operazione.',
          en: 'This pathway was started by an earlier version of the service and does not support this operation.',
        },
      };
}

/** The instant a new due day (ISO YYYY-MM-DD) stands for, or why it stands for none. */
export function parseDueDate(iso: string): { dueAt: number } | { refusal: Refusal } {
  try {
    return { dueAt: dueAtEndOfDay(parseIsoDate(iso)) };
  } catch {
    return {
      refusal: {
        code: 'invalid_date',
        message: {
          it: `Data non valida: "${iso}" (formato AAAA-MM-GG).`,
          en: `Invalid date "${iso}" (YYYY-MM-DD).`,
        },
      },
    };
  }
}

/** A due date moves later, never past the programme's hard end. */
export function checkExtension(
  status: string,
  steps: StepWithDates[],
  attempt: { stepKey: string; reason?: string; actor: { role: ActorRole }; newDueAt: number },
  hardEnd: number,
): Refusal | null {
  const refusal =
    closed(status) ??
    roleRefusal(attempt.actor.role, STAFF, { it: 'prorogare una scadenza', en: 'extend a due date' }) ??
    reasonRefusal(attempt.reason);
  if (refusal) return refusal;
  const step = steps.find((s) => s.key === attempt.stepKey);
  if (!step || step.status !== 'active') {
    return {
      code: 'step_not_active',
      message: {
        it: `Si può prorogare solo il passo in corso; "${attempt.stepKey}" non lo è.`,
        en: `Only the step in progress can be extended; "${attempt.stepKey}" is not.`,
      },
    };
  }
  if (attempt.newDueAt <= (step.dueAt ?? 0)) {
    return {
      code: 'extension_not_later',
      message: {
        it: 'La nuova scadenza deve essere successiva a quella attuale.',
        en: 'The new due date must be later than the current one.',
      },
    };
  }
  if (attempt.newDueAt > hardEnd) {
    return {
      code: 'past_programme_end',
      message: {
        it: 'La nuova scadenza supera la fine del programma: tutte le attività devono chiudersi entro quella data.',
        en: 'The new due date is past the programme end: every activity must be finished by then.',
      },
    };
  }
  return null;
}

export function checkAssignment(
  status: string,
  currentEmail: string,
  attempt: { consultant: { email: string; name: string }; actor: { role: ActorRole } },
): Refusal | null {
  const refusal =
    closed(status) ??
    roleRefusal(attempt.actor.role, STAFF, { it: 'assegnare il consulente', en: 'assign the consultant' });
  if (refusal) return refusal;
  if (attempt.consultant.email.toLowerCase() === currentEmail.toLowerCase()) {
    return {
      code: 'consultant_unchanged',
      message: {
        it: `${attempt.consultant.email} segue già questo percorso.`,
        en: `${attempt.consultant.email} already follows this pathway.`,
      },
    };
  }
  return null;
}

export function checkWithdrawal(
  status: string,
  attempt: { reason?: string; actor: { role: ActorRole } },
): Refusal | null {
  return (
    closed(status) ??
    roleRefusal(attempt.actor.role, ['sme', 'consultant', 'admin'], {
      it: "ritirare l'iscrizione",
      en: 'withdraw the enrollment',
    }) ??
    reasonRefusal(attempt.reason)
  );
}

export function checkConfirmation(
  status: string,
  confirmed: boolean,
  attempt: { actor: { role: ActorRole } },
): Refusal | null {
  const refusal =
    closed(status) ??
    roleRefusal(attempt.actor.role, ['sme'], { it: 'confermare la partecipazione', en: 'confirm participation' });
  if (refusal) return refusal;
  return confirmed
    ? {
        code: 'already_confirmed',
        message: { it: 'La partecipazione è già stata confermata.', en: 'Participation is already confirmed.' },
      }
    : null;
}

/**
 * A decree moves the programme's hard end: a valid day still ahead, a decree named, and an earlier
 * end (a shortening) only when forced. A decree already applied passes (applying it does nothing).
 */
export function checkProgrammeEndChange(
  status: string,
  currentHardEnd: number,
  attempt: { newEndsOn: string; decree: string; forced?: boolean },
  now: number,
): Refusal | null {
  if (typeof attempt.decree !== 'string' || attempt.decree.trim() === '') {
    return {
      code: 'decree_required',
      message: {
        it: 'Indica il provvedimento che modifica la chiusura del programma (ad esempio "DGR XI/1017 del 17/12/2018").',
        en: 'Name the decree that changes the programme end (e.g. "DGR XI/1017 del 17/12/2018").',
      },
    };
  }
  const refusal = closed(status);
  if (refusal) return refusal;
  const parsed = parseDueDate(attempt.newEndsOn);
  if ('refusal' in parsed) return parsed.refusal;
  if (parsed.dueAt <= now) {
    return {
      code: 'programme_end_in_past',
      message: {
        it: `La nuova chiusura (${attempt.newEndsOn}) è già passata.`,
        en: `The new programme end (${attempt.newEndsOn}) has already passed.`,
      },
    };
  }
  if (parsed.dueAt < currentHardEnd && attempt.forced !== true) {
    return {
      code: 'programme_shortening_not_forced',
      message: {
        it: `La nuova chiusura (${attempt.newEndsOn}) anticipa quella attuale: un accorciamento va confermato esplicitamente (force).`,
        en: `The new end (${attempt.newEndsOn}) is earlier than the current one: a shortening must be forced.`,
      },
    };
  }
  return null;
}

/**
 * Reviving: only an admin, only an expired pathway with a step left open, with a reason, and only
 * to an end that lies in the future (the edition's current end, moved by a decree since the expiry).
 */
export function checkRevival(
  status: string,
  openStep: { key: string } | undefined,
  attempt: { endsOn: string; reason: string; actor: { role: string } },
  now: number,
): Refusal | null {
  if (attempt.actor.role !== 'admin') {
    return {
      code: 'forbidden_role',
      message: {
        it: 'Solo la Regione (amministratore) può riattivare un percorso scaduto.',
        en: 'Only the Region (an admin) can revive an expired pathway.',
      },
    };
  }
  if (typeof attempt.reason !== 'string' || attempt.reason.trim() === '') {
    return {
      code: 'reason_required',
      message: { it: 'Indica il motivo della riattivazione.', en: 'Give the reason for reviving the pathway.' },
    };
  }
  if (status !== 'expired' || !openStep) {
    return {
      code: status === 'active' ? 'already_active' : 'not_expired',
      message:
        status === 'active'
          ? { it: 'Il percorso è già attivo.', en: 'The pathway is already active.' }
          : {
              it: `Solo un percorso scaduto con un'attività aperta può essere riattivato (stato: ${status}).`,
              en: `Only an expired pathway with a step left open can be revived (status: ${status}).`,
            },
    };
  }
  const parsed = parseDueDate(attempt.endsOn);
  if ('refusal' in parsed) return parsed.refusal;
  if (parsed.dueAt <= now) {
    return {
      code: 'programme_ended',
      message: {
        it: `Il programma si è chiuso il ${attempt.endsOn}: il percorso può essere riattivato solo dopo un decreto che ne sposti la chiusura.`,
        en: `The programme ended on ${attempt.endsOn}: the pathway can be revived only after a decree moves its end.`,
      },
    };
  }
  return null;
}
