import { z } from 'zod';
import { defineMessage, enrollment, instant, text } from './define';
import { sampleDueAt, sampleEnrollment } from './samples';

/** A step is days late: its consultant should step in. */
export default defineMessage({
  name: 'escalation-consultant',
  audience: 'consultant',
  recipients: { staff: ['consultant'] },
  essential: true,
  window: 'office-hours',
  deadline: null,
  callToAction: { it: 'Apri la scheda del percorso', en: 'Open the pathway record' },
  context: z.object({ ...enrollment, stepName: text, dueAt: instant, daysOverdue: z.number() }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    recipientName: 'Francesca Villa',
    stepName: 'Questionario sui bisogni del personale',
    dueAt: sampleDueAt(locale),
    daysOverdue: 3,
  }),
});
