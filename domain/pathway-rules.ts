/**
 * Rules for acting on a pathway, shared by the workflow's Update validators and the edges
 * (so the API can explain a refusal in the caller's language).
 */
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
