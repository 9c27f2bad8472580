import { z } from 'zod';
import { defineMessage, enrollment, instant, text } from './define';
import { sampleDueAt, sampleEnrollment } from './samples';

/** A step is past its due date. */
export default defineMessage({
  name: 'step-overdue',
  audience: 'participant',
  recipients: {
    participants: 'step',
    staff: ['consultant'],
    staffCallToAction: { it: "Completa l'attività", en: 'Complete the step' },
  },
  essential: true,
  window: 'office-hours',
  deadline: { at: 'dueAt', title: 'stepName' },
  callToAction: { it: 'Apri la tua pagina', en: 'Open your page' },
  context: z.object({ ...enrollment, stepName: text, dueAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Questionario sui bisogni del personale',
    dueAt: sampleDueAt(locale),
  }),
});
