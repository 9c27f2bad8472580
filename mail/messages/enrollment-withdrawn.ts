import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant } from './define';
import { sampleEnrollment } from './samples';

/** The company left the pathway, and why. */
export default defineMessage({
  name: 'enrollment-withdrawn',
  audience: 'pathway-team',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Vedi il riepilogo', en: 'View the summary' },
  context: z.object({ ...enrollment, reason: z.string(), withdrawnAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    reason:
      locale === 'it'
        ? "Riorganizzazione aziendale: l'impresa parteciperà al prossimo programma."
        : 'Company reorganisation: the company will join the next programme.',
    withdrawnAt: formatDueAt(new Date('2025-03-18T10:30:00Z'), locale),
  }),
});
