/**
 * The work list's search by firm name: the companies whose name contains the text, case aside,
 * found first on Company alone (its `searchName`, the name in lower case kept by the database:
 * migration milestone_summary_search_name), then their pathways by company id. Walking every
 * enrollment with its company joined cost about four times as much at 20,000 pathways.
 *
 * SQLite's lower() folds ASCII only: the trigger folds the accented capitals of Italian and its
 * neighbours too (À…Ü, Ç, Ñ), and the text searched is folded the same way here, so "SOCIETÀ",
 * "società" and "Società" find the same firms. On PostgreSQL the text is folded by the server's own
 * lower(), the function that fills `searchName`, so both sides fold alike whatever the database's
 * locale (a trigram index answers the substring there).
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import type { Dialect } from '../../infra/db-url';

/** Above this many firms the search is broad: their pathways are filtered through the join. */
export const NAME_SEARCH_MAX_COMPANIES = 2_000;

const SQLITE_FOLDED = 'ÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜÇÑ';

/** The text folded as the database folds names into `searchName` (on PostgreSQL, by lower() in the query). */
export function foldForSearch(text: string, dialect: Dialect): string {
  if (dialect === 'postgresql') return text;
  return text
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/./gu, (c) => (SQLITE_FOLDED.includes(c) ? c.toLowerCase() : c));
}

/**
 * The ids of the companies whose name contains `text` (case aside), or null when more than
 * `max` (NAME_SEARCH_MAX_COMPANIES) do.
 */
export async function companiesNamed(
  db: Db,
  dialect: Dialect,
  text: string,
  max = NAME_SEARCH_MAX_COMPANIES,
): Promise<string[] | null> {
  const pattern = `%${foldForSearch(text, dialect).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
    SELECT "id" FROM "Company" WHERE "searchName" LIKE ${dialect === 'postgresql' ? Prisma.sql`lower(${pattern})` : pattern} ESCAPE '\\'
    LIMIT ${max + 1}`);
  return rows.length > max ? null : rows.map((r) => r.id);
}
