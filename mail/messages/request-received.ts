import { z } from 'zod';
import { defineMessage, instant, text } from './define';

/** To the coordinators of the request's ATS: a confirmed request (stage new), and its reminder after 3 working days. */
export default defineMessage({
  name: 'request-received',
  audience: 'coordinator',
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Apri la richiesta', en: 'Open the request' },
  context: z.object({
    stage: z.enum(['new', 'reminder']),
    companyName: z.string(),
    municipality: z.string(),
    pathwayName: text,
    declarantName: z.string(),
    networkName: z.string(),
    receivedAt: instant,
    requestUrl: z.string(),
  }),
  values: { stage: ['new', 'reminder'] },
  sample: (locale) => ({
    recipientName: 'Laura Ferrari',
    stage: 'new' as const,
    companyName: 'Officine Meccaniche Brambilla S.r.l.',
    municipality: 'Lecco',
    pathwayName: locale === 'it' ? 'Flessibilità oraria e lavoro agile' : 'Flexible hours and smart working',
    declarantName: 'Marco Brambilla',
    networkName: 'ATS della Brianza',
    receivedAt: locale === 'it' ? '14 marzo 2025 ore 10:30' : '14 March 2025 10:30',
    requestUrl: 'https://conciliaflow.example/app/requests/req_sample',
  }),
});
