import { z } from 'zod';
import { formatDate } from '../format';
import { defineMessage, enrollment, instant } from './define';
import { sampleEnrollment } from './samples';

/** Every step is done. */
export default defineMessage({
  name: 'pathway-completed',
  audience: 'participant',
  recipients: { participants: 'all', staff: ['consultant'] },
  essential: false,
  window: 'any-time',
  deadline: null,
  callToAction: { it: 'Vedi il riepilogo', en: 'View the summary' },
  context: z.object({ ...enrollment, completedAt: instant }),
  sample: (locale) => ({ ...sampleEnrollment(), completedAt: formatDate(new Date('2025-06-27T09:00:00Z'), locale) }),
});
