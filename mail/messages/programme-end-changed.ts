import { z } from 'zod';
import { formatDueAt } from '../format';
import { defineMessage, enrollment, instant, text } from './define';
import { SAMPLE_DUE_AT, SAMPLE_NEXT_DUE_AT, SAMPLE_PROGRAMME_END_AT, sampleEnrollment } from './samples';

const CHANGE = ['extension', 'shortening'] as const;
const DUE_MOVED = ['later', 'earlier', 'unchanged'] as const;

/** A decree moved the programme's end: the old end, the new one, the decree, and what it does to the step in progress. */
export default defineMessage({
  name: 'programme-end-changed',
  audience: 'pathway-team',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: true,
  window: 'any-time',
  // No .ics: test/unit/mail-registry.test.ts pins the messages that carry one (the warnings carry the end).
  deadline: null,
  callToAction: { it: 'Vai al percorso', en: 'Go to the pathway' },
  context: z.object({
    ...enrollment,
    programmeName: text,
    decree: z.string(),
    change: z.enum(CHANGE),
    previousEndAt: instant,
    programmeEndAt: instant,
    /** The step in progress ('' when none is open), and its due date before and after. */
    stepName: text,
    previousDueAt: instant,
    dueAt: instant,
    dueMoved: z.enum(DUE_MOVED),
  }),
  values: { change: CHANGE, dueMoved: DUE_MOVED },
  sample: (locale) => ({
    ...sampleEnrollment(),
    programmeName: 'Piani territoriali di conciliazione 2024-2025',
    decree: 'DGR XI/1017 del 17/12/2018',
    change: 'extension' as const,
    previousEndAt: formatDueAt(SAMPLE_NEXT_DUE_AT, locale),
    programmeEndAt: formatDueAt(SAMPLE_PROGRAMME_END_AT, locale),
    stepName: 'Piano aziendale di conciliazione',
    previousDueAt: formatDueAt(SAMPLE_DUE_AT, locale),
    dueAt: formatDueAt(SAMPLE_NEXT_DUE_AT, locale),
    dueMoved: 'later' as const,
  }),
});
