import { z } from 'zod';
import { defineMessage, instant, text } from './define';

/** To the Region's administrators: a request undecided for 10 working days. */
export default defineMessage({
  name: 'request-escalated',
  audience: 'region',
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Apri la richiesta', en: 'Open the request' },
  context: z.object({
    companyName: z.string(),
    pathwayName: text,
    networkName: z.string(),
    receivedAt: instant,
    requestUrl: z.string(),
  }),
  sample: (locale) => ({
    recipientName: 'Anna Moretti',
    companyName: 'Officine Meccaniche Brambilla S.r.l.',
    pathwayName: locale === 'it' ? 'Flessibilità oraria e lavoro agile' : 'Flexible hours and smart working',
    networkName: 'ATS della Brianza',
    receivedAt: locale === 'it' ? '14 marzo 2025 ore 10:30' : '14 March 2025 10:30',
    requestUrl: 'https://conciliaflow.example/app/requests/req_sample',
  }),
});
