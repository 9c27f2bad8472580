import { z } from 'zod';
import { defineMessage, instant } from './define';

/** A password reset asked for on the "forgot password" page, or by an admin: the link works once, for 1 hour. */
export default defineMessage({
  name: 'password-reset',
  audience: 'account',
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Scegli una nuova password', en: 'Choose a new password' },
  context: z.object({ resetUrl: z.string(), expiresAt: instant }),
  sample: (locale) => ({
    recipientName: 'Giulia Colombo',
    resetUrl: 'https://conciliaflow.example/password/reset/cf_rst_sample',
    expiresAt: locale === 'it' ? '14 marzo 2025, 18:00' : '14 March 2025, 18:00',
  }),
});
