import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_NEXT_DUE_AT, sampleEnrollment } from './samples';

/** A completed step was sent back, with the reason and its new due date. */
export default defineMessage({
  name: 'step-reopened',
  audience: 'participant',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  deadline: { at: 'dueAt', title: 'stepName' },
  callToAction: { it: "Completa l'attività", en: 'Complete the step' },
  context: z.object({ ...enrollment, stepName: text, actorName: z.string(), reason: z.string(), dueAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Analisi dei bisogni di conciliazione',
    actorName: 'Francesca Villa',
    reason:
      locale === 'it'
        ? 'Nel report manca la sezione sui turni del reparto produzione.'
        : 'The report lacks the section on the production shifts.',
    dueAt: formatDueAt(SAMPLE_NEXT_DUE_AT, locale),
  }),
});
