import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_PROGRAMME_END_AT, sampleEnrollment } from './samples';

/** The programme ended with a step still open (stepName '' when none was). */
export default defineMessage({
  name: 'pathway-expired',
  audience: 'pathway-team',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Vedi il riepilogo', en: 'View the summary' },
  context: z.object({ ...enrollment, stepName: text, expiredAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    stepName: 'Adozione del piano',
    expiredAt: formatDueAt(SAMPLE_PROGRAMME_END_AT, locale),
  }),
});
