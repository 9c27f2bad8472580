import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_NEXT_DUE_AT, SAMPLE_PROGRAMME_END_AT, sampleEnrollment } from './samples';

/**
 * An admin revived a pathway that had expired under an end a decree has since moved: the step in
 * progress again, its new due date and the programme's current end.
 */
export default defineMessage({
  name: 'pathway-revived',
  audience: 'pathway-team',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  // No .ics: test/unit/mail-registry.test.ts pins the messages that carry one.
  deadline: null,
  callToAction: { it: 'Vai al percorso', en: 'Go to the pathway' },
  context: z.object({ ...enrollment, programmeName: text, programmeEndAt: instant, stepName: text, dueAt: instant }),
  sample: (locale) => ({
    ...sampleEnrollment(),
    programmeName: 'Piani territoriali di conciliazione 2017-2018',
    programmeEndAt: formatDueAt(SAMPLE_PROGRAMME_END_AT, locale),
    stepName: 'Piano aziendale di conciliazione',
    dueAt: formatDueAt(SAMPLE_NEXT_DUE_AT, locale),
  }),
});
