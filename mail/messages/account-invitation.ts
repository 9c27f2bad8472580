import { z } from 'zod';
import { defineMessage, instant, text } from './define';

/** An invitation to an account: the link sets the password (single use, 7 days). */
export default defineMessage({
  name: 'account-invitation',
  audience: 'account',
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Scegli la password', en: 'Choose your password' },
  context: z.object({ inviterName: z.string(), roleName: text, acceptUrl: z.string(), expiresAt: instant }),
  sample: (locale) => ({
    recipientName: 'Giulia Colombo',
    inviterName: 'Francesca Villa',
    roleName: locale === 'it' ? "referente dell'impresa" : 'company contact',
    acceptUrl: 'https://conciliaflow.example/invito/cf_inv_sample',
    expiresAt: locale === 'it' ? '21 marzo 2025, 17:00' : '21 March 2025, 17:00',
  }),
});
