import { z } from 'zod';
import { formatDate, formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_COMPLETED_AT, SAMPLE_NEXT_DUE_AT, sampleEnrollment } from './samples';

/** A step was completed; the next one (nextStepName '' when it was the last) and when it is due. */
export default defineMessage({
  name: 'step-completed',
  audience: 'participant',
  recipients: { participants: 'all' },
  essential: false,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Vai al percorso', en: 'Go to the pathway' },
  context: z.object({
    ...enrollment,
    stepName: text,
    completedBy: z.string(),
    completedAt: instant,
    nextStepName: text,
    nextStepDueAt: instant,
  }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Analisi dei bisogni di conciliazione',
    completedBy: 'Luca Brambilla',
    completedAt: formatDate(SAMPLE_COMPLETED_AT, locale),
    nextStepName: 'Piano aziendale di conciliazione',
    nextStepDueAt: formatDueAt(SAMPLE_NEXT_DUE_AT, locale),
  }),
});
