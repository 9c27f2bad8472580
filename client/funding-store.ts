/**
 * The funding ledger in the database: import a call's projects from CSV (all or nothing), fund
 * them in rank order, and report per province. The rules live in domain/funding.ts.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../infra/db';
import { DomainError } from '../domain/errors';
import { allocateWithRemainder, type Allocation, type FundingProject, type FundingStatus } from '../domain/funding';
import { audit, type AuditActor } from './audit';
import { detectSeparator, readCsvRecords } from './csv';
import { parseFundingCsv, type FundingCsvError } from './funding-csv';

function toDomain(row: {
  code: string;
  title: string;
  leadBody: string;
  partners: string;
  provinceCode: string;
  eligibleCostCents: number;
  requestedGrantCents: number;
  rank: number;
  status: string;
}): FundingProject {
  return {
    code: row.code,
    title: row.title,
    leadBody: row.leadBody,
    partners: JSON.parse(row.partners) as string[],
    provinceCode: row.provinceCode as FundingProject['provinceCode'],
    eligibleCostCents: row.eligibleCostCents,
    requestedGrantCents: row.requestedGrantCents,
    rank: row.rank,
    status: row.status as FundingStatus,
  };
}

export async function loadFundingProjects(db: Db): Promise<FundingProject[]> {
  return (await db.fundingProject.findMany({ orderBy: { rank: 'asc' } })).map(toDomain);
}

/**
 * A file checked before anything is written: every row with its values and its errors, the projects
 * it would write (only when it has no error at all) and a digest of its text, which the confirmation
 * must present so that exactly the previewed file is imported.
 */
export interface FundingImportPreview {
  digest: string;
  rows: { line: number; values: string[]; errors: FundingCsvError[] }[];
  /** Errors of the file as a whole (header, unterminated quotes) or of no row shown. */
  fileErrors: FundingCsvError[];
  /** The rows to write; empty when there is any error. */
  projects: FundingProject[];
  /** Per project code: new, changed (with the fields) or unchanged against the ledger. */
  changes: Record<string, { kind: 'new' | 'changed' | 'unchanged'; fields: string[] }>;
}

export function fundingCsvDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const FIELDS = [
  'title',
  'leadBody',
  'provinceCode',
  'eligibleCostCents',
  'requestedGrantCents',
  'rank',
  'status',
] as const;

export async function previewFundingCsv(db: Db, text: string): Promise<FundingImportPreview> {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let projects: FundingProject[] = [];
  let errors: FundingCsvError[] = [];
  try {
    projects = parseFundingCsv(text).projects;
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'invalid_csv') throw err;
    errors = (err.details as { errors: FundingCsvError[] }).errors;
  }
  const separator = detectSeparator(source.split(/\r\n|\r|\n/, 1)[0] ?? '');
  const records = separator ? readCsvRecords(source, separator, []) : [];
  const rows = records
    .slice(1)
    .filter((r) => r.fields.some((f) => f.trim() !== ''))
    .map((r) => ({
      line: r.line,
      values: r.fields.map((f) => f.trim()),
      errors: errors.filter((e) => e.line === r.line),
    }));
  const shown = new Set(rows.map((r) => r.line));
  const stored = new Map((await loadFundingProjects(db)).map((p) => [p.code, p]));
  const changes: FundingImportPreview['changes'] = {};
  for (const p of projects) {
    const old = stored.get(p.code);
    const fields = old ? FIELDS.filter((f) => old[f] !== p[f]) : [];
    changes[p.code] = { kind: !old ? 'new' : fields.length ? 'changed' : 'unchanged', fields };
  }
  return {
    digest: fundingCsvDigest(text),
    rows,
    fileErrors: errors.filter((e) => !shown.has(e.line)),
    projects: errors.length ? [] : projects,
    changes,
  };
}

/**
 * Parses the whole file first (every bad row is reported with its line), then writes in one
 * transaction. With `expectedDigest` (the console's confirmation) a file other than the previewed
 * one is refused. Writing the same file twice changes nothing the second time.
 */
export async function importFundingCsv(
  db: Db,
  text: string,
  actor?: AuditActor,
  expectedDigest?: string,
): Promise<{ imported: number; changed: number }> {
  if (expectedDigest !== undefined && expectedDigest !== fundingCsvDigest(text))
    throw new DomainError('preview_mismatch', {
      it: "Il file confermato non è quello dell'anteprima: caricarlo di nuovo.",
      en: 'The confirmed file is not the one previewed: upload it again.',
    });
  const { projects } = parseFundingCsv(text);
  const changed = await db.$transaction(async (tx) => {
    let n = 0;
    for (const p of projects) {
      const old = await tx.fundingProject.findUnique({ where: { code: p.code } });
      const data = { ...p, partners: JSON.stringify(p.partners) };
      if (old && FIELDS.every((f) => old[f] === p[f]) && old.partners === data.partners) continue;
      await tx.fundingProject.upsert({ where: { code: p.code }, create: data, update: data });
      n += 1;
    }
    if (actor && n > 0)
      await audit(tx, {
        actor,
        action: 'funding.import',
        entity: LEDGER_ENTITY,
        entityId: LEDGER_ID,
        after: { rows: projects.length, changed: n, digest: fundingCsvDigest(text) },
      });
    return n;
  });
  return { imported: projects.length, changed };
}

/** The ledger's allocations are its audit entries: what each added, funded and left. */
export const LEDGER_ENTITY = 'funding-ledger';
export const LEDGER_ID = 'call';

export interface LedgerAllocation {
  at: string;
  actorId: string;
  addedCents: number;
  carriedCents: number;
  grantedCents: number;
  remainingCents: number;
  funded: string[];
}

export interface FundingLedger {
  allocations: LedgerAllocation[];
  /** Sum of every allocation's own money. */
  allocatedCents: number;
  /** What the last allocation left: the next one adds to it. */
  remainingCents: number;
}

export async function fundingLedger(db: Pick<Db, 'auditLog'>): Promise<FundingLedger> {
  const rows = await db.auditLog.findMany({
    where: { entity: LEDGER_ENTITY, entityId: LEDGER_ID, action: 'funding.allocate' },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
  });
  const allocations = rows.map((r) => ({
    at: r.at.toISOString(),
    actorId: r.actorId,
    ...(JSON.parse(r.after ?? '{}') as Omit<LedgerAllocation, 'at' | 'actorId'>),
  }));
  return {
    allocations,
    allocatedCents: allocations.reduce((s, a) => s + a.addedCents, 0),
    remainingCents: allocations.at(-1)?.remainingCents ?? 0,
  };
}

/**
 * Allocates `budgetCents` more to the admitted projects in rank order, together with what the
 * previous allocations left (scrolling the ranking on later calls). With `expectedRemainingCents`
 * (the console's form) an allocation made meanwhile — or the same form sent twice — is refused
 * rather than spending the money twice.
 */
export async function allocateFunds(
  db: Db,
  budgetCents: number,
  actor: AuditActor,
  opts: { expectedRemainingCents?: number } = {},
): Promise<Allocation> {
  return db.$transaction(async (tx) => {
    const ledger = await fundingLedger(tx);
    if (opts.expectedRemainingCents !== undefined && opts.expectedRemainingCents !== ledger.remainingCents)
      throw new DomainError('ledger_changed', {
        it: 'Il registro è cambiato dopo che la pagina è stata aperta (forse la stessa assegnazione è già stata inviata): ricontrollare prima di assegnare di nuovo.',
        en: 'The ledger changed after the page was opened (perhaps the same allocation was already sent): check it before allocating again.',
      });
    const projects = (await tx.fundingProject.findMany({ orderBy: { rank: 'asc' } })).map(toDomain);
    const round = allocateWithRemainder(projects, ledger.remainingCents, budgetCents);
    for (const code of round.funded) {
      const { count } = await tx.fundingProject.updateMany({
        where: { code, status: 'admitted' },
        data: { status: 'funded' },
      });
      if (count !== 1)
        throw new DomainError('ledger_changed', {
          it: `Il progetto ${code} è cambiato durante l'assegnazione: riprovare.`,
          en: `Project ${code} changed during the allocation: try again.`,
        });
    }
    await audit(tx, {
      actor,
      action: 'funding.allocate',
      entity: LEDGER_ENTITY,
      entityId: LEDGER_ID,
      before: { remainingCents: ledger.remainingCents },
      after: {
        addedCents: round.addedCents,
        carriedCents: round.carriedCents,
        grantedCents: round.grantedCents,
        remainingCents: round.remainingCents,
        funded: round.funded,
      },
    });
    return round;
  });
}
