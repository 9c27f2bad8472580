import { z } from 'zod';
import { defineMessage, enrollment, instant, text } from './define';
import { sampleDueAt, sampleEnrollment } from './samples';

/** The pathway has started: its first step and when it is due. */
export default defineMessage({
  name: 'enrollment-welcome',
  audience: 'participant',
  recipients: { participants: 'all' },
  essential: false,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Apri la tua pagina', en: 'Open your page' },
  context: z.object({ ...enrollment, stepName: text, dueAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Analisi dei bisogni di conciliazione',
    dueAt: sampleDueAt(locale),
  }),
});
