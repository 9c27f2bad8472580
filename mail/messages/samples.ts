/** Sample data shared by the messages' previews: SMEs of the Lecco and Brianza area. */
import type { Locale } from '../render';
import { formatDueAt } from '../format';

export const SAMPLE_DUE_AT = new Date('2025-03-14T16:00:00Z'); // 17:00 in Milan
export const SAMPLE_COMPLETED_AT = new Date('2025-03-12T10:30:00Z');
export const SAMPLE_NEXT_DUE_AT = new Date('2025-04-11T15:00:00Z'); // 17:00 in Milan, summer time
export const SAMPLE_PROGRAMME_END_AT = new Date('2025-12-31T17:00:00Z'); // 18:00 in Milan

/** The pathway most samples are about, with the consultant who follows it. */
export const sampleEnrollment = () => ({
  recipientName: 'Giulia Colombo',
  companyName: 'Officine Meccaniche Brambilla S.r.l.',
  pathwayName: 'Flessibilità oraria e lavoro agile',
  consultantName: 'Francesca Villa',
  consultantEmail: 'francesca.villa@consulenti.example',
  enrollmentUrl: 'https://conciliaflow.example/iscrizioni/ISC-2025-0042',
  unsubscribeUrl: 'https://conciliaflow.example/preferenze/ISC-2025-0042',
});

/** Digests and reports are about many enrollments: no company, pathway or enrollment link of their own. */
export const sampleNetworkRecipient = (recipientName: string) => ({
  recipientName,
  unsubscribeUrl: `https://conciliaflow.example/preferenze/${recipientName.toLowerCase().replace(/\s+/g, '.')}`,
});

export const sampleEnrollmentUrl = (n: number) =>
  `https://conciliaflow.example/iscrizioni/ISC-2025-${String(n).padStart(4, '0')}`;

export const sampleDueAt = (locale: Locale) => formatDueAt(SAMPLE_DUE_AT, locale);
