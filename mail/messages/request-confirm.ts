import { z } from 'zod';
import { defineMessage, instant, text } from './define';

/** To the declarant only: confirm the address before the request reaches anyone (single use, 24 hours). */
export default defineMessage({
  name: 'request-confirm',
  audience: 'account',
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Conferma la richiesta', en: 'Confirm the request' },
  context: z.object({ companyName: z.string(), pathwayName: text, confirmUrl: z.string(), expiresAt: instant }),
  sample: (locale) => ({
    recipientName: 'Marco Brambilla',
    companyName: 'Officine Meccaniche Brambilla S.r.l.',
    pathwayName: locale === 'it' ? 'Flessibilità oraria e lavoro agile' : 'Flexible hours and smart working',
    confirmUrl: 'https://conciliaflow.example/richiesta/conferma/cf_req_sample',
    expiresAt: locale === 'it' ? '15 marzo 2025 ore 10:30' : '15 March 2025 10:30',
  }),
});
