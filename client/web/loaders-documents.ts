/** The documents part of the enrollment page: its uploads as timeline entries (access checked before). */
import type { Db } from '../../infra/db';
import { formatRomeDateTime } from '../../domain/calendar';
import type { PathwayDefinition } from '../../domain/catalogue';
import type { DocumentTimelineItem } from './views/documents';
import type { Locale } from './views/texts';

export async function loadDocumentTimeline(
  db: Db,
  enrollmentId: string,
  def: PathwayDefinition | undefined,
  locale: Locale,
): Promise<DocumentTimelineItem[]> {
  const rows = await db.document.findMany({
    where: { enrollmentId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: 200,
  });
  return rows.map((d) => ({
    id: d.id,
    at: d.createdAt.toISOString(),
    when: formatRomeDateTime(d.createdAt.getTime(), locale),
    filename: d.filename,
    stepName: def?.steps.find((s) => s.key === d.stepKey)?.name[locale] ?? d.stepKey,
    uploaderName: d.uploaderName,
  }));
}
