import { DomainError } from '../../domain/errors';
import {
  checkGrant,
  fundInRankOrder,
  fundingByProvince,
  MAX_GRANT_CENTS,
  MAX_GRANT_SHARE,
  scrollRanking,
  type FundingProject,
  type FundingStatus,
} from '../../domain/funding';
import { MoneyError } from '../../domain/money';
import { PROVINCES, type ProvinceCode } from '../../domain/territory';

function project(code: string, rank: number, grantCents: number, extra: Partial<FundingProject> = {}): FundingProject {
  return {
    code,
    title: `Progetto ${code}`,
    leadBody: 'Comune capofila',
    partners: ['Cooperativa sociale'],
    provinceCode: 'MI',
    // The smallest cost that allows the grant at exactly 80%, rounded up to the cent.
    eligibleCostCents: Math.ceil((grantCents * 100) / MAX_GRANT_SHARE),
    requestedGrantCents: grantCents,
    rank,
    status: 'admitted',
    ...extra,
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

// Seeded so a failing generated case can be reproduced.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('checkGrant', () => {
  it('uses the call caps', () => {
    expect(MAX_GRANT_SHARE).toBe(80);
    expect(MAX_GRANT_CENTS).toBe(10_000_000);
  });

  it('accepts exactly 80% of the cost and refuses one cent more', () => {
    expect(checkGrant(10_000_00, 8_000_00)).toBeNull();
    expect(checkGrant(10_000_00, 8_000_01)).toMatchObject({ code: 'grant_over_80_percent' });
  });

  it('accepts 80% of EUR 125,000, which is exactly the EUR 100,000 cap', () => {
    expect(checkGrant(125_000_00, 100_000_00)).toBeNull();
  });

  it('refuses EUR 100,000.01 even when 80% of the cost would allow it', () => {
    const refusal = checkGrant(200_000_00, 100_000_01);
    expect(refusal?.code).toBe('grant_over_100000');
    expect(refusal?.message.it).toContain('100.000,00 €');
    expect(refusal?.message.en).toContain('€100,000.00');
  });

  it('is exact at the cent on odd costs (80% of 0.03 is 0.024)', () => {
    expect(checkGrant(3, 2)).toBeNull();
    expect(checkGrant(3, 3)).toMatchObject({ code: 'grant_over_80_percent' });
    expect(checkGrant(12_345_67, 9_876_53)).toBeNull();
    expect(checkGrant(12_345_67, 9_876_54)).toMatchObject({ code: 'grant_over_80_percent' });
  });

  it('stays exact for costs whose product with 80 exceeds 2^53', () => {
    const cost = Number.MAX_SAFE_INTEGER;
    expect(checkGrant(cost, MAX_GRANT_CENTS)).toBeNull();
  });

  it('names the binding cap when both are broken', () => {
    // 80% of 50,000 = 40,000 binds before the 100,000 cap.
    expect(checkGrant(50_000_00, 150_000_00)?.code).toBe('grant_over_80_percent');
    // 80% of 1,000,000 = 800,000: the 100,000 cap binds.
    expect(checkGrant(1_000_000_00, 900_000_00)?.code).toBe('grant_over_100000');
    expect(checkGrant(125_000_00, 100_000_01)?.code).toBe('grant_over_100000');
    expect(checkGrant(125_000_00, 100_000_01)?.message.en).toContain('at most €100,000.00');
  });

  it.each([
    [0, 1],
    [-100, 50],
    [100.5, 50],
    [NaN, 50],
    [10_000_00, 0],
    [10_000_00, -1],
    [10_000_00, 1.5],
    [10_000_00, Infinity],
  ])('refuses invalid amounts (cost %p, grant %p)', (cost, grant) => {
    const refusal = checkGrant(cost, grant);
    expect(refusal?.code).toBe('invalid_amount');
    expect(refusal?.message.it).toBeTruthy();
    expect(refusal?.message.en).toBeTruthy();
  });
});

describe('fundInRankOrder', () => {
  // Written independently of the implementation: a plain queue, funded from the front while the money lasts.
  function reference(projects: FundingProject[], budget: number) {
    const queue = projects.filter((p) => p.status === 'admitted').sort((a, b) => a.rank - b.rank);
    let left = budget;
    let k = 0;
    const funded: string[] = [];
    while (k < queue.length && queue[k]!.requestedGrantCents <= left) {
      left -= queue[k]!.requestedGrantCents;
      funded.push(queue[k]!.code);
      k++;
    }
    return {
      funded,
      remaining: left,
      firstUnfunded: queue[k]?.code,
      notReached: queue.slice(k + 1).map((p) => p.code),
    };
  }

  function generate(random: () => number): FundingProject[] {
    const n = Math.floor(random() * 30);
    const statuses: FundingStatus[] = ['submitted', 'admitted', 'admitted', 'admitted', 'not_admitted', 'funded'];
    // Ranks with gaps and in shuffled order, as after withdrawals.
    const ranks = Array.from({ length: n }, (_, i) => i * 3 + 1 + Math.floor(random() * 3));
    for (let i = ranks.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
    }
    return ranks.map((rank, i) => {
      const cost = 1_000_00 + Math.floor(random() * 200_000_00);
      const cap = Math.min(Math.floor((cost * 80) / 100), MAX_GRANT_CENTS);
      return {
        code: `P${String(i).padStart(3, '0')}`,
        title: `Project ${i}`,
        leadBody: 'Lead',
        partners: [],
        provinceCode: PROVINCES[Math.floor(random() * PROVINCES.length)]!.code,
        eligibleCostCents: cost,
        requestedGrantCents: 1 + Math.floor(random() * cap),
        rank,
        status: statuses[Math.floor(random() * statuses.length)]!,
      };
    });
  }

  it('agrees with a simple reference loop on generated calls', () => {
    const random = mulberry32(20170310);
    for (let round = 0; round < 500; round++) {
      const projects = generate(random);
      const budget = Math.floor(random() * 1_000_000_00);
      const got = fundInRankOrder(projects, budget);
      const want = reference(projects, budget);
      expect(got.funded).toEqual(want.funded);
      expect(got.remainingCents).toBe(want.remaining);
      expect(got.grantedCents).toBe(budget - want.remaining);
      expect(got.skipped.map((s) => s.code)).toEqual(
        want.firstUnfunded === undefined ? [] : [want.firstUnfunded, ...want.notReached],
      );
      expect(got.skipped[0]?.reason ?? 'none').toBe(want.firstUnfunded === undefined ? 'none' : 'insufficient_budget');
      expect(got.skipped.slice(1).every((s) => s.reason === 'ranking_stopped')).toBe(true);
    }
  });

  it('stops at the first project that does not fit, even if later ones would', () => {
    const projects = [project('A', 1, 50_000_00), project('B', 2, 60_000_00), project('C', 3, 10_000_00)];
    expect(fundInRankOrder(projects, 100_000_00)).toEqual({
      funded: ['A'],
      grantedCents: 50_000_00,
      remainingCents: 50_000_00,
      skipped: [
        { code: 'B', reason: 'insufficient_budget' },
        { code: 'C', reason: 'ranking_stopped' },
      ],
    });
  });

  it('funds a project that fits exactly, leaving nothing', () => {
    const projects = [project('A', 1, 40_000_00), project('B', 2, 60_000_00)];
    expect(fundInRankOrder(projects, 100_000_00)).toMatchObject({
      funded: ['A', 'B'],
      remainingCents: 0,
      skipped: [],
    });
  });

  it('walks by rank, not by input order', () => {
    const projects = [project('C', 30, 1_000_00), project('A', 2, 1_000_00), project('B', 7, 1_000_00)];
    expect(fundInRankOrder(projects, 10_000_00).funded).toEqual(['A', 'B', 'C']);
  });

  it('never funds projects that are not admitted, whatever the budget', () => {
    const projects = [
      project('N', 1, 1_000_00, { status: 'not_admitted' }),
      project('S', 2, 1_000_00, { status: 'submitted' }),
      project('A', 3, 1_000_00),
    ];
    const result = fundInRankOrder(projects, 1_000_000_00);
    expect(result.funded).toEqual(['A']);
    expect(result.skipped).toEqual([]);
  });

  it('leaves already funded projects out and does not charge them to the budget', () => {
    const projects = [project('F', 1, 90_000_00, { status: 'funded' }), project('A', 2, 10_000_00)];
    expect(fundInRankOrder(projects, 10_000_00)).toMatchObject({ funded: ['A'], grantedCents: 10_000_00 });
  });

  it('funds nothing with no budget and reports the first admitted project', () => {
    const result = fundInRankOrder([project('A', 1, 1)], 0);
    expect(result).toEqual({
      funded: [],
      grantedCents: 0,
      remainingCents: 0,
      skipped: [{ code: 'A', reason: 'insufficient_budget' }],
    });
  });

  it('rejects an invalid budget', () => {
    for (const budget of [-1, 1.5, NaN]) {
      expect(thrown(() => fundInRankOrder([], budget))).toBeInstanceOf(MoneyError);
    }
  });

  it('rejects ambiguous rankings and over-cap admitted grants instead of guessing', () => {
    const cases: FundingProject[][] = [
      [project('A', 1, 1_000_00), project('B', 1, 1_000_00, { status: 'not_admitted' })],
      [project('A', 0, 1_000_00)],
      [project('A', 1.5, 1_000_00)],
      [project('A', 1, 1_000_00), project('A', 2, 1_000_00)],
      [project('A', 1, 100_000_01, { eligibleCostCents: 500_000_00 })],
      [project('A', 1, 8_000_01, { eligibleCostCents: 10_000_00 })],
    ];
    for (const projects of cases) {
      const error = thrown(() => fundInRankOrder(projects, 1_000_000_00));
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('invalid_ranking');
    }
  });

  it('does not modify its input', () => {
    const projects = [project('B', 2, 1_000_00), project('A', 1, 1_000_00)];
    const copy = structuredClone(projects);
    fundInRankOrder(projects, 1_500_00);
    expect(projects).toEqual(copy);
  });
});

describe('scrollRanking', () => {
  const call = (): FundingProject[] => [
    project('A', 1, 80_000_00),
    project('B', 2, 70_000_00),
    project('X', 3, 5_000_00, { status: 'not_admitted' }),
    project('C', 4, 20_000_00),
    project('D', 5, 90_000_00),
    project('E', 6, 10_000_00),
  ];

  it('funds the next admitted projects in rank order when new funds arrive', () => {
    const first = scrollRanking(call(), 100_000_00);
    expect(first.funded).toEqual(['A']);
    expect(first.skipped[0]).toEqual({ code: 'B', reason: 'insufficient_budget' });

    // The 20,000 left over from the first round is carried by the caller.
    const second = scrollRanking(first.projects, first.remainingCents + 80_000_00);
    expect(second.funded).toEqual(['B', 'C']);
    expect(second.remainingCents).toBe(10_000_00);
    expect(second.skipped).toEqual([
      { code: 'D', reason: 'insufficient_budget' },
      { code: 'E', reason: 'ranking_stopped' },
    ]);

    const third = scrollRanking(second.projects, second.remainingCents + 90_000_00);
    expect(third.funded).toEqual(['D', 'E']);
    expect(third.remainingCents).toBe(0);
    expect(third.projects.filter((p) => p.status === 'funded').map((p) => p.code)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(third.projects.find((p) => p.code === 'X')?.status).toBe('not_admitted');
  });

  it('never funds an already funded project again', () => {
    const first = scrollRanking(call(), 1_000_000_00);
    expect(first.funded).toEqual(['A', 'B', 'C', 'D', 'E']);
    const again = scrollRanking(first.projects, 1_000_000_00);
    expect(again).toMatchObject({ funded: [], grantedCents: 0, remainingCents: 1_000_000_00, skipped: [] });
    expect(again.projects).toEqual(first.projects);
  });

  it('returns updated copies and leaves the input untouched', () => {
    const projects = call();
    const copy = structuredClone(projects);
    const result = scrollRanking(projects, 80_000_00);
    expect(projects).toEqual(copy);
    expect(result.projects[0]).toMatchObject({ code: 'A', status: 'funded' });
    expect(result.projects[0]).not.toBe(projects[0]);
  });
});

describe('fundingByProvince', () => {
  it('has a row for each of the 12 provinces, sorted by name, zero rows included', () => {
    const { rows, total } = fundingByProvince([]);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.provinceName)).toEqual(PROVINCES.map((p) => p.name).sort());
    expect(rows.every((r) => r.fundedProjects === 0 && r.grantedCents === 0)).toBe(true);
    expect(total).toEqual({ fundedProjects: 0, grantedCents: 0 });
  });

  it('counts only funded projects and its totals equal the sum of their grants', () => {
    const provinces: ProvinceCode[] = ['MI', 'BG', 'MI', 'SO', 'MB', 'BG', 'VA'];
    const statuses: FundingStatus[] = ['funded', 'funded', 'funded', 'admitted', 'funded', 'not_admitted', 'funded'];
    const projects = provinces.map((provinceCode, i) =>
      project(`P${i}`, i + 1, (i + 1) * 10_000_00 + i, { provinceCode, status: statuses[i]! }),
    );
    const report = fundingByProvince(projects);
    const funded = projects.filter((p) => p.status === 'funded');
    const sum = funded.reduce((acc, p) => acc + p.requestedGrantCents, 0);

    expect(report.total).toEqual({ fundedProjects: funded.length, grantedCents: sum });
    expect(report.rows.reduce((acc, r) => acc + r.grantedCents, 0)).toBe(sum);
    expect(report.rows.reduce((acc, r) => acc + r.fundedProjects, 0)).toBe(funded.length);
    expect(report.rows.find((r) => r.provinceCode === 'MI')).toEqual({
      provinceCode: 'MI',
      provinceName: 'Milano',
      fundedProjects: 2,
      grantedCents: 10_000_00 + 30_000_02,
    });
    expect(report.rows.find((r) => r.provinceCode === 'BG')?.fundedProjects).toBe(1);
    expect(report.rows.find((r) => r.provinceCode === 'SO')?.fundedProjects).toBe(0);
  });

  it('agrees with the projects funded by scrolling the ranking', () => {
    const projects = [
      project('A', 1, 50_000_00, { provinceCode: 'CR' }),
      project('B', 2, 30_000_00, { provinceCode: 'LO' }),
      project('C', 3, 40_000_00, { provinceCode: 'CR' }),
    ];
    const round = scrollRanking(projects, 90_000_00);
    const report = fundingByProvince(round.projects);
    expect(report.total).toEqual({ fundedProjects: round.funded.length, grantedCents: round.grantedCents });
  });

  it('rejects a funded project outside Lombardy', () => {
    const error = thrown(() =>
      fundingByProvince([project('A', 1, 1_000_00, { status: 'funded', provinceCode: 'TO' as ProvinceCode })]),
    );
    expect((error as DomainError).code).toBe('unknown_province');
  });
});
