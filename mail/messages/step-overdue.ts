import { z } from 'zod';
import { defineMessage, enrollment, instant, text } from './define';
import { sampleDueAt, sampleEnrollment } from './samples';

/** A step is past its due date. */
export default defineMessage({
  name: 'step-overdue',
  audience: 'participant',
  essential: true,
  window: 'office-hours',
  deadline: { at: 'dueAt', title: 'stepName' },
  callToAction: { it: "Completa l'attività", en: 'Complete the step' },
  context: z.object({ ...enrollment, stepName: text, dueAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Questionario sui bisogni del personale',
    dueAt: sampleDueAt(locale),
  }),
});
