import { allocateWithRemainder, rankingStandings, scrollRanking, type FundingProject } from '../../domain/funding';

function project(
  code: string,
  rank: number,
  grantCents: number,
  status: FundingProject['status'] = 'admitted',
): FundingProject {
  return {
    code,
    title: `Progetto ${code}`,
    leadBody: 'Comune capofila',
    partners: [],
    provinceCode: 'MI',
    eligibleCostCents: grantCents * 2,
    requestedGrantCents: grantCents,
    rank,
    status,
  };
}

describe('allocateWithRemainder', () => {
  const call = () => [project('A', 1, 80_000_00), project('B', 2, 50_000_00), project('C', 3, 30_000_00)];

  it('adds what the last allocation left to the new money: the €14,000 remainder is spent by the next round', () => {
    const first = allocateWithRemainder(call(), 0, 94_000_00);
    expect(first).toMatchObject({ funded: ['A'], remainingCents: 14_000_00, budgetCents: 94_000_00 });
    const after = scrollRanking(call(), 94_000_00).projects;
    const second = allocateWithRemainder(after, first.remainingCents, 36_000_00);
    expect(second).toMatchObject({
      funded: ['B'],
      addedCents: 36_000_00,
      carriedCents: 14_000_00,
      budgetCents: 50_000_00,
      grantedCents: 50_000_00,
      remainingCents: 0,
    });
  });

  it('keeps the remainder when nothing fits', () => {
    const round = allocateWithRemainder(call(), 14_000_00, 1_000_00);
    expect(round).toMatchObject({ funded: [], remainingCents: 15_000_00 });
    expect(round.skipped[0]).toEqual({ code: 'A', reason: 'insufficient_budget' });
  });

  it('refuses a negative or fractional amount', () => {
    expect(() => allocateWithRemainder(call(), -1, 10)).toThrow();
    expect(() => allocateWithRemainder(call(), 0, 10.5)).toThrow();
  });
});

describe('rankingStandings', () => {
  it('lists the whole ranking in rank order: funded, admitted but unfunded, not admitted', () => {
    const standings = rankingStandings([
      project('C', 3, 10_00, 'not_admitted'),
      project('A', 1, 10_00, 'funded'),
      project('B', 2, 10_00),
      project('D', 4, 10_00, 'submitted'),
    ]);
    expect(standings.map((s) => [s.project.code, s.standing])).toEqual([
      ['A', 'funded'],
      ['B', 'admitted_unfunded'],
      ['C', 'not_admitted'],
      ['D', 'submitted'],
    ]);
  });
});
