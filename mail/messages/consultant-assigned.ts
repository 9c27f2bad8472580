import { z } from 'zod';
import { defineMessage, enrollment, instant, text } from './define';
import { sampleDueAt, sampleEnrollment } from './samples';

/** A consultant now follows the pathway: where it stands (stepName and dueAt '' when no step is open). */
export default defineMessage({
  name: 'consultant-assigned',
  audience: 'consultant',
  recipients: { staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Apri la scheda del percorso', en: 'Open the pathway record' },
  context: z.object({ ...enrollment, stepName: text, dueAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    recipientName: 'Paolo Invernizzi',
    stepName: 'Questionario sui bisogni del personale',
    dueAt: sampleDueAt(locale),
  }),
});
