import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_NEXT_DUE_AT, sampleDueAt, sampleEnrollment } from './samples';

/** A step's due date was moved, by whom and why. */
export default defineMessage({
  name: 'due-date-extended',
  audience: 'participant',
  recipients: { participants: 'all' },
  essential: true,
  window: 'any-time',
  deadline: { at: 'dueAt', title: 'stepName' },
  callToAction: { it: "Vai all'attività", en: 'Go to the step' },
  context: z.object({
    ...enrollment,
    stepName: text,
    previousDueAt: instant,
    dueAt: instant,
    reason: z.string(),
    actorName: z.string(),
  }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Questionario sui bisogni del personale',
    previousDueAt: sampleDueAt(locale),
    dueAt: formatDueAt(SAMPLE_NEXT_DUE_AT, locale),
    reason: locale === 'it' ? 'Chiusura dello stabilimento per inventario.' : 'The plant is closed for stocktaking.',
    actorName: 'Francesca Villa',
  }),
});
