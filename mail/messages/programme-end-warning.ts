import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_PROGRAMME_END_AT, sampleEnrollment } from './samples';

/** The programme's hard end is near and steps are still open. */
export default defineMessage({
  name: 'programme-end-warning',
  audience: 'pathway-team',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: true,
  window: 'office-hours',
  deadline: { at: 'programmeEndAt', title: 'programmeName' },
  callToAction: { it: 'Vai al percorso', en: 'Go to the pathway' },
  context: z.object({
    ...enrollment,
    programmeName: text,
    programmeEndAt: instant,
    openSteps: text,
    workingDaysLeft: z.number(),
  }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    programmeName: 'Piani territoriali di conciliazione 2024-2025',
    programmeEndAt: formatDueAt(SAMPLE_PROGRAMME_END_AT, locale),
    openSteps: 'Piano aziendale di conciliazione, Adozione del piano',
    workingDaysLeft: 12,
  }),
});
