import { z } from 'zod';
import { defineMessage } from './define';
import { sampleNetworkRecipient } from './samples';

/** A scheduled report, its CSV attached, with a few highlights in the body. */
export default defineMessage({
  name: 'report-delivery',
  audience: 'report-recipient',
  recipients: { staff: ['coordinator', 'admin'] },
  essential: false,
  window: 'office-hours',
  deadline: null,
  callToAction: null,
  context: z.object({
    networkName: z.string(),
    reportName: z.string(),
    periodLabel: z.string(),
    highlights: z.array(z.string()),
  }),
  lists: { highlights: { elements: 'string' } },
  sample: (locale) => ({
    ...sampleNetworkRecipient('Elena Sala'),
    networkName: 'ATS Brianza',
    reportName: locale === 'it' ? 'Avanzamento dei percorsi' : 'Pathway progress',
    periodLabel: locale === 'it' ? 'primo trimestre 2025' : 'first quarter 2025',
    highlights:
      locale === 'it'
        ? [
            '18 imprese con un percorso attivo, 3 in più rispetto al trimestre precedente',
            '41 attività completate, di cui 36 entro la scadenza',
            '2 percorsi completati',
          ]
        : [
            '18 companies with an active pathway, 3 more than in the previous quarter',
            '41 steps completed, 36 of them on time',
            '2 pathways completed',
          ],
  }),
});
