import { z } from 'zod';
import { formatDate, formatDueAt } from '../format';
import { defineMessage, fieldsOf } from './define';
import { sampleEnrollmentUrl, sampleNetworkRecipient } from './samples';

/** One late step of the network, already in the recipient's language. */
const item = z.object({
  companyName: z.string(),
  pathwayName: z.string(),
  stepName: z.string(),
  dueAt: z.string(),
  daysOverdue: z.number(),
  consultantName: z.string(),
  enrollmentUrl: z.string(),
});

/** A coordinator's weekly list of the network's late steps. */
export default defineMessage({
  name: 'digest-coordinator',
  audience: 'coordinator',
  recipients: { staff: ['coordinator'] },
  essential: false,
  window: 'office-hours',
  deadline: null,
  callToAction: null,
  context: z.object({ networkName: z.string(), weekOf: z.string(), items: z.array(item), overdueCount: z.number() }),
  lists: { items: { elements: { fields: fieldsOf(item) }, counts: { overdueCount: undefined } } },
  sample: (locale) => {
    const sample = (
      n: number,
      companyName: string,
      stepName: string,
      at: string,
      daysOverdue: number,
      consultantName: string,
    ) => ({
      companyName,
      pathwayName: 'Piani di congedo e flessibilità',
      stepName,
      dueAt: formatDueAt(new Date(at), locale),
      daysOverdue,
      consultantName,
      enrollmentUrl: sampleEnrollmentUrl(n),
    });
    return {
      ...sampleNetworkRecipient('Elena Sala'),
      networkName: 'ATS Brianza',
      weekOf: formatDate(new Date('2025-03-10T08:00:00Z'), locale),
      items: [
        sample(
          57,
          'Tessitura Brianzola S.r.l.',
          'Formazione dei responsabili',
          '2025-02-28T17:00:00Z',
          8,
          'Francesca Villa',
        ),
        sample(
          48,
          'Mobilificio Cantù S.p.A.',
          'Piano aziendale di conciliazione',
          '2025-03-07T17:00:00Z',
          3,
          'Paolo Invernizzi',
        ),
        sample(66, 'Panificio Redaelli S.n.c.', 'Incontro di avvio', '2025-03-11T17:00:00Z', 1, 'Francesca Villa'),
      ],
      overdueCount: 3,
    };
  },
});
