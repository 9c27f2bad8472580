/**
 * The funding ledger in the database: import a call's projects from CSV (all or nothing), fund
 * them in rank order, and report per province. The rules live in domain/funding.ts.
 */
import type { Db } from '../infra/db';
import { fundInRankOrder, type FundingProject, type FundingStatus } from '../domain/funding';
import { parseFundingCsv } from './funding-csv';

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

/** Parses the whole file first (every bad row is reported with its line), then writes in one transaction. */
export async function importFundingCsv(db: Db, text: string): Promise<{ imported: number }> {
  const { projects } = parseFundingCsv(text);
  await db.$transaction(
    projects.map((p) =>
      db.fundingProject.upsert({
        where: { code: p.code },
        create: { ...p, partners: JSON.stringify(p.partners) },
        update: { ...p, partners: JSON.stringify(p.partners) },
      }),
    ),
  );
  return { imported: projects.length };
}

/** Allocates `budgetCents` to the admitted projects in rank order (scrolling the ranking on later calls). */
export async function allocateFunds(db: Db, budgetCents: number) {
  const round = fundInRankOrder(await loadFundingProjects(db), budgetCents);
  await db.$transaction(
    round.funded.map((code) => db.fundingProject.update({ where: { code }, data: { status: 'funded' } })),
  );
  return round;
}
