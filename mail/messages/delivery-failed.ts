import { z } from 'zod';
import { defineMessage, enrollment } from './define';
import { sampleEnrollment } from './samples';

/** A participant's address was refused for good: the consultant hears of it (the outbox sends it). */
export default defineMessage({
  name: 'delivery-failed',
  audience: 'consultant',
  recipients: { staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Apri la scheda del percorso', en: 'Open the pathway record' },
  context: z.object({
    ...enrollment,
    failedRecipient: z.string(),
    failedEmail: z.string(),
    smtpError: z.string(),
    failedSubject: z.string(),
  }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    recipientName: 'Francesca Villa',
    failedRecipient: 'Luca Brambilla',
    failedEmail: 'luca.brambilla@brambilla.example',
    smtpError: '550 5.1.1 <luca.brambilla@brambilla.example>: Recipient address rejected: User unknown',
    failedSubject:
      locale === 'it'
        ? 'Promemoria: «Questionario sui bisogni del personale» da completare entro venerdì 14 marzo 2025, ore 17:00 – Officine Meccaniche Brambilla S.r.l.'
        : 'Reminder: “Questionario sui bisogni del personale” is due by Friday 14 March 2025 at 17:00 – Officine Meccaniche Brambilla S.r.l.',
  }),
});
