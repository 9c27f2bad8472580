import { z } from 'zod';
import { formatDate, formatDueAt } from '../format';
import { defineMessage, fieldsOf } from './define';
import { SAMPLE_DUE_AT, sampleEnrollmentUrl, sampleNetworkRecipient } from './samples';

/** Statuses of a consultant digest item, in the order the digest shows its groups. */
export const DIGEST_STATUSES = ['overdue', 'due-today', 'due-soon'] as const;
export type DigestStatus = (typeof DIGEST_STATUSES)[number];

/** One step of the digest, already in the recipient's language. */
const item = z.object({
  companyName: z.string(),
  pathwayName: z.string(),
  stepName: z.string(),
  dueAt: z.string(),
  status: z.enum(DIGEST_STATUSES),
  enrollmentUrl: z.string(),
});

/** A consultant's daily list of the steps that are late, due today or due soon. */
export default defineMessage({
  name: 'digest-consultant',
  audience: 'consultant-digest',
  recipients: { staff: ['consultant'] },
  essential: false,
  window: 'office-hours',
  deadline: null,
  callToAction: null,
  context: z.object({
    digestDate: z.string(),
    items: z.array(item),
    overdueCount: z.number(),
    dueTodayCount: z.number(),
    dueSoonCount: z.number(),
  }),
  lists: {
    items: {
      elements: { fields: fieldsOf(item), allowed: { status: DIGEST_STATUSES } },
      counts: {
        overdueCount: { field: 'status', value: 'overdue' },
        dueTodayCount: { field: 'status', value: 'due-today' },
        dueSoonCount: { field: 'status', value: 'due-soon' },
      },
    },
  },
  sample: (locale) => {
    const sample = (
      n: number,
      companyName: string,
      pathwayName: string,
      stepName: string,
      at: string,
      status: DigestStatus,
    ) => ({
      companyName,
      pathwayName,
      stepName,
      dueAt: formatDueAt(new Date(at), locale),
      status,
      enrollmentUrl: sampleEnrollmentUrl(n),
    });
    return {
      ...sampleNetworkRecipient('Francesca Villa'),
      digestDate: formatDate(SAMPLE_DUE_AT, locale),
      items: [
        sample(
          42,
          'Officine Meccaniche Brambilla S.r.l.',
          'Flessibilità oraria e lavoro agile',
          'Questionario sui bisogni del personale',
          '2025-03-11T17:00:00Z',
          'overdue',
        ),
        sample(
          57,
          'Tessitura Brianzola S.r.l.',
          'Piani di congedo e flessibilità',
          'Formazione dei responsabili',
          '2025-03-07T17:00:00Z',
          'overdue',
        ),
        sample(
          61,
          'Caseificio Valsassina S.n.c.',
          'Piani di congedo e flessibilità',
          'Incontro di avvio',
          '2025-03-14T17:00:00Z',
          'due-today',
        ),
        sample(
          63,
          'Studio Associato Fumagalli',
          'Flessibilità oraria e lavoro agile',
          'Analisi dei bisogni di conciliazione',
          '2025-03-18T17:00:00Z',
          'due-soon',
        ),
        sample(
          70,
          'Cooperativa Sociale Il Girasole',
          'Piani di congedo e flessibilità',
          'Piano aziendale di conciliazione',
          '2025-03-20T17:00:00Z',
          'due-soon',
        ),
      ],
      overdueCount: 2,
      dueTodayCount: 1,
      dueSoonCount: 2,
    };
  },
});
