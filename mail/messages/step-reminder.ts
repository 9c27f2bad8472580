import { z } from 'zod';
import { defineMessage, enrollment, instant, text } from './define';
import { sampleDueAt, sampleEnrollment } from './samples';

/** "before" announces the coming deadline, "due-today" says it is today. */
const WHEN = ['before', 'due-today'] as const;

/** A step is due soon (or today). */
export default defineMessage({
  name: 'step-reminder',
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
  context: z.object({ ...enrollment, stepName: text, dueAt: instant, when: z.enum(WHEN) }),
  values: { when: WHEN },
  sample: (locale) => ({
    ...sampleEnrollment(),
    when: 'before' as const,
    stepName: 'Questionario sui bisogni del personale',
    dueAt: sampleDueAt(locale),
  }),
});
