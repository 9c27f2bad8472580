/**
 * Funding ledger of Regione Lombardia's ESF call for childhood and adolescence services (POR FSE, 10 March 2017):
 * grant caps, funding of the ranking ("graduatoria"), its scrolling when new funds arrive, and the per-province
 * report. Pure and deterministic, so it can run in a workflow and be replayed.
 */
import { DomainError, type LocalizedMessage } from './errors';
import { formatEuro, MoneyError, percentOf, type Cents } from './money';
import type { Refusal } from './pathway-rules';
import { PROVINCES, type ProvinceCode } from './territory';

export type FundingStatus = 'submitted' | 'admitted' | 'not_admitted' | 'funded';

export const FUNDING_STATUSES: readonly FundingStatus[] = ['submitted', 'admitted', 'not_admitted', 'funded'];

export interface FundingProject {
  code: string;
  title: string;
  /** The body leading the public-private partnership, which signs for the grant. */
  leadBody: string;
  partners: string[];
  provinceCode: ProvinceCode;
  eligibleCostCents: Cents;
  requestedGrantCents: Cents;
  /** Position in the ranking decree: a positive integer, unique within a call. */
  rank: number;
  status: FundingStatus;
}

/** Highest grant as a percentage of the total eligible cost. */
export const MAX_GRANT_SHARE = 80;
/** Highest grant per project, whatever its cost: EUR 100,000.00. */
export const MAX_GRANT_CENTS = 100_000_00;

export type GrantRefusalCode = 'grant_over_80_percent' | 'grant_over_100000' | 'invalid_amount';

export interface GrantRefusal extends Refusal {
  code: GrantRefusalCode;
  message: LocalizedMessage;
}

const isPositiveCents = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** Why the requested grant breaks the call's caps, or null when it may be granted. */
export function checkGrant(eligibleCostCents: Cents, requestedGrantCents: Cents): GrantRefusal | null {
  if (!isPositiveCents(eligibleCostCents)) {
    return {
      code: 'invalid_amount',
      message: {
        it: `Costo ammissibile non valido (${String(eligibleCostCents)}): serve un numero intero positivo di centesimi`,
        en: `Invalid eligible cost (${String(eligibleCostCents)}): expected a positive whole number of cents`,
      },
    };
  }
  if (!isPositiveCents(requestedGrantCents)) {
    return {
      code: 'invalid_amount',
      message: {
        it: `Contributo richiesto non valido (${String(requestedGrantCents)}): serve un numero intero positivo di centesimi`,
        en: `Invalid requested grant (${String(requestedGrantCents)}): expected a positive whole number of cents`,
      },
    };
  }
  // Compared as grant × 100 ≤ cost × 80 in BigInt so the boundary is exact to the cent: no division, no rounding, and
  // no precision loss on products beyond 2^53.
  const overShare = BigInt(requestedGrantCents) * 100n > BigInt(eligibleCostCents) * BigInt(MAX_GRANT_SHARE);
  const overAbsolute = requestedGrantCents > MAX_GRANT_CENTS;
  if (!overShare && !overAbsolute) return null;

  const shareCapCents = percentOf(eligibleCostCents, MAX_GRANT_SHARE, 100);
  const maxCents = Math.min(shareCapCents, MAX_GRANT_CENTS);
  const requested = { it: formatEuro(requestedGrantCents, 'it'), en: formatEuro(requestedGrantCents, 'en') };
  const max = { it: formatEuro(maxCents, 'it'), en: formatEuro(maxCents, 'en') };
  // When both caps are broken the refusal names the one that binds (the lower), so the maximum it quotes is the grant
  // the project could actually receive; on a tie the absolute cap is named as it does not depend on the cost estimate.
  if (overShare && (!overAbsolute || shareCapCents < MAX_GRANT_CENTS)) {
    return {
      code: 'grant_over_80_percent',
      message: {
        it: `Il contributo richiesto (${requested.it}) supera l'${MAX_GRANT_SHARE}% del costo ammissibile (${formatEuro(eligibleCostCents, 'it')}): massimo ${max.it}`,
        en: `The requested grant (${requested.en}) exceeds ${MAX_GRANT_SHARE}% of the eligible cost (${formatEuro(eligibleCostCents, 'en')}): at most ${max.en}`,
      },
    };
  }
  return {
    code: 'grant_over_100000',
    message: {
      it: `Il contributo richiesto (${requested.it}) supera il massimo di ${formatEuro(MAX_GRANT_CENTS, 'it')} per progetto: massimo ${max.it}`,
      en: `The requested grant (${requested.en}) exceeds the cap of ${formatEuro(MAX_GRANT_CENTS, 'en')} per project: at most ${max.en}`,
    },
  };
}

export type SkipReason =
  /** The first admitted project in rank order whose grant did not fit in what was left: the ranking stops here. */
  | 'insufficient_budget'
  /** Ranked after the first project that did not fit, so not reached even if its own grant would have fitted. */
  | 'ranking_stopped';

export interface FundingRound {
  /** Codes of the projects funded by this round, in rank order. */
  funded: string[];
  grantedCents: Cents;
  remainingCents: Cents;
  /** Admitted projects left unfunded, in rank order; the first one (if any) is the one that did not fit. */
  skipped: { code: string; reason: SkipReason }[];
}

function invalidRanking(problems: string[]): DomainError {
  return new DomainError(
    'invalid_ranking',
    {
      it: `Graduatoria non valida: ${problems.join('; ')}`,
      en: `Invalid ranking: ${problems.join('; ')}`,
    },
    { problems },
  );
}

/**
 * Admitted projects not yet funded, in rank order. The whole call is checked, not just the candidates, because a
 * duplicate rank or code anywhere makes the order (or the ledger) ambiguous.
 */
function candidatesInRankOrder(projects: readonly FundingProject[]): FundingProject[] {
  const problems: string[] = [];
  const ranks = new Map<number, string>();
  const codes = new Set<string>();
  for (const p of projects) {
    if (codes.has(p.code)) problems.push(`duplicate code ${JSON.stringify(p.code)}`);
    codes.add(p.code);
    if (!Number.isSafeInteger(p.rank) || p.rank < 1) {
      problems.push(`project ${JSON.stringify(p.code)} has rank ${String(p.rank)}, not a positive integer`);
    } else if (ranks.has(p.rank)) {
      problems.push(`projects ${JSON.stringify(ranks.get(p.rank))} and ${JSON.stringify(p.code)} share rank ${p.rank}`);
    } else {
      ranks.set(p.rank, p.code);
    }
    if (!FUNDING_STATUSES.includes(p.status)) {
      problems.push(`project ${JSON.stringify(p.code)} has unknown status ${JSON.stringify(p.status)}`);
    }
    // An over-cap grant on an admitted project is a data error, not a reason to skip it: skipping would silently
    // move the projects ranked after it up the ranking.
    if (p.status === 'admitted') {
      const refusal = checkGrant(p.eligibleCostCents, p.requestedGrantCents);
      if (refusal) problems.push(`project ${JSON.stringify(p.code)}: ${refusal.message.en}`);
    }
  }
  if (problems.length > 0) throw invalidRanking(problems);
  return projects.filter((p) => p.status === 'admitted').sort((a, b) => a.rank - b.rank);
}

function assertBudget(budgetCents: Cents): void {
  if (typeof budgetCents !== 'number' || !Number.isSafeInteger(budgetCents) || budgetCents < 0) {
    throw new MoneyError(
      {
        it: `Dotazione non valida (${String(budgetCents)}): serve un numero intero non negativo di centesimi`,
        en: `Invalid budget (${String(budgetCents)}): expected a non-negative whole number of cents`,
      },
      { budgetCents },
    );
  }
}

/**
 * Funds admitted projects (status 'admitted'; 'funded' ones are already paid for and not counted against the budget)
 * by ascending rank while their requested grant fits in what is left of the budget.
 *
 * The ranking is strict: at the first project whose grant does not fit, funding stops, even if smaller projects
 * ranked after it would fit. That project keeps its place and is the first one funded when the ranking is scrolled,
 * and no project is ever funded ahead of a better-ranked one. The alternative, a greedy fill that skips the project
 * that does not fit and funds later smaller ones until the money runs out ("fino a esaurimento delle risorse"), spends
 * more of the budget but reorders the decree; a call that wants it would need its own function.
 */
export function fundInRankOrder(projects: readonly FundingProject[], budgetCents: Cents): FundingRound {
  assertBudget(budgetCents);
  const candidates = candidatesInRankOrder(projects);
  const funded: string[] = [];
  const skipped: FundingRound['skipped'] = [];
  let remainingCents = budgetCents;
  for (const p of candidates) {
    if (skipped.length > 0) {
      skipped.push({ code: p.code, reason: 'ranking_stopped' });
    } else if (p.requestedGrantCents <= remainingCents) {
      funded.push(p.code);
      remainingCents -= p.requestedGrantCents;
    } else {
      skipped.push({ code: p.code, reason: 'insufficient_budget' });
    }
  }
  return { funded, grantedCents: budgetCents - remainingCents, remainingCents, skipped };
}

export interface ScrollResult extends FundingRound {
  /** The call's projects with the newly funded ones marked 'funded'; the input array and objects are not changed. */
  projects: FundingProject[];
}

/**
 * "Scorrimento della graduatoria": when further funds are allocated, the admitted projects still unfunded are funded
 * in rank order, with the same strict stop as fundInRankOrder. Projects already funded are never touched or funded
 * again. Any budget left over from an earlier round is not remembered here: add it to `additionalBudgetCents`.
 */
export function scrollRanking(projects: readonly FundingProject[], additionalBudgetCents: Cents): ScrollResult {
  const round = fundInRankOrder(projects, additionalBudgetCents);
  const newlyFunded = new Set(round.funded);
  return {
    ...round,
    projects: projects.map((p) => (newlyFunded.has(p.code) ? { ...p, status: 'funded' as const } : { ...p })),
  };
}

export interface ProvinceFundingRow {
  provinceCode: ProvinceCode;
  provinceName: string;
  fundedProjects: number;
  grantedCents: Cents;
}

export interface FundingByProvince {
  /** One row per Lombard province, zero rows included, sorted by province name. */
  rows: ProvinceFundingRow[];
  total: { fundedProjects: number; grantedCents: Cents };
}

function addCents(a: Cents, b: Cents): Cents {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) {
    throw new MoneyError({ it: 'Totale dei contributi troppo grande', en: 'Total of the grants is too large' });
  }
  return sum;
}

/** Funded projects (status 'funded') and their granted amounts per province, as the Region reports them. */
export function fundingByProvince(projects: readonly FundingProject[]): FundingByProvince {
  const byCode = new Map<string, ProvinceFundingRow>(
    PROVINCES.map((p) => [p.code, { provinceCode: p.code, provinceName: p.name, fundedProjects: 0, grantedCents: 0 }]),
  );
  const total = { fundedProjects: 0, grantedCents: 0 };
  for (const p of projects) {
    if (p.status !== 'funded') continue;
    const row = byCode.get(p.provinceCode);
    if (!row) {
      throw new DomainError(
        'unknown_province',
        {
          it: `Il progetto ${JSON.stringify(p.code)} ha una provincia sconosciuta ${JSON.stringify(p.provinceCode)}`,
          en: `Project ${JSON.stringify(p.code)} has an unknown province ${JSON.stringify(p.provinceCode)}`,
        },
        { code: p.code, provinceCode: p.provinceCode },
      );
    }
    if (!Number.isSafeInteger(p.requestedGrantCents) || p.requestedGrantCents < 0) {
      throw new MoneyError(
        {
          it: `Il progetto ${JSON.stringify(p.code)} ha un contributo non valido`,
          en: `Project ${JSON.stringify(p.code)} has an invalid grant`,
        },
        { code: p.code, requestedGrantCents: p.requestedGrantCents },
      );
    }
    row.fundedProjects += 1;
    row.grantedCents = addCents(row.grantedCents, p.requestedGrantCents);
    total.fundedProjects += 1;
    total.grantedCents = addCents(total.grantedCents, p.requestedGrantCents);
  }
  // Code-unit order rather than localeCompare: the result must not depend on the ICU data of the host.
  const rows = [...byCode.values()].sort((a, b) =>
    a.provinceName < b.provinceName ? -1 : a.provinceName > b.provinceName ? 1 : 0,
  );
  return { rows, total };
}

export interface Allocation extends FundingRound {
  /** The money of this allocation alone. */
  addedCents: Cents;
  /** What the earlier allocations left unspent, carried into this one. */
  carriedCents: Cents;
  /** addedCents + carriedCents: what this round could spend. */
  budgetCents: Cents;
}

/**
 * A new allocation scrolls the ranking with the fresh money plus what earlier allocations left: a
 * remainder is never lost between two rounds (it was, when each round saw only its own money).
 */
export function allocateWithRemainder(
  projects: readonly FundingProject[],
  carriedCents: Cents,
  addedCents: Cents,
): Allocation {
  assertBudget(carriedCents);
  assertBudget(addedCents);
  const budgetCents = carriedCents + addedCents;
  if (!Number.isSafeInteger(budgetCents))
    throw new MoneyError({ it: 'Dotazione troppo grande', en: 'Budget too large' }, { budgetCents });
  return { ...fundInRankOrder(projects, budgetCents), addedCents, carriedCents, budgetCents };
}

export interface RankingEntry {
  project: FundingProject;
  /** funded; admitted and waiting for money; not admitted; submitted (not yet assessed). */
  standing: 'funded' | 'admitted_unfunded' | 'not_admitted' | 'submitted';
}

/** The whole ranking in rank order, each project with where it stands. */
export function rankingStandings(projects: readonly FundingProject[]): RankingEntry[] {
  return [...projects]
    .sort((a, b) => a.rank - b.rank)
    .map((project) => ({
      project,
      standing:
        project.status === 'funded'
          ? 'funded'
          : project.status === 'admitted'
            ? 'admitted_unfunded'
            : project.status === 'not_admitted'
              ? 'not_admitted'
              : 'submitted',
    }));
}
