import { z } from 'zod';
import { defineMessage, text } from './define';

/** To the declarant: the network's decision (accepted with the consultant, or declined with the reason). */
export default defineMessage({
  name: 'request-outcome',
  audience: 'account',
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Apri il servizio', en: 'Open the service' },
  context: z.object({
    outcome: z.enum(['accepted', 'declined']),
    companyName: z.string(),
    pathwayName: text,
    consultantName: z.string(),
    consultantEmail: z.string(),
    reason: z.string(),
    invited: z.boolean(),
    linkUrl: z.string(),
  }),
  values: { outcome: ['accepted', 'declined'] },
  sample: (locale) => ({
    recipientName: 'Marco Brambilla',
    outcome: 'accepted' as const,
    companyName: 'Officine Meccaniche Brambilla S.r.l.',
    pathwayName: locale === 'it' ? 'Flessibilità oraria e lavoro agile' : 'Flexible hours and smart working',
    consultantName: 'Francesca Villa',
    consultantEmail: 'francesca.villa@consulenti.example',
    reason: '',
    invited: true,
    linkUrl: 'https://conciliaflow.example/login',
  }),
});
