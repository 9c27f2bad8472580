import {
  MEDIUM_BALANCE_SHEET_MAX_CENTS,
  MICRO_TURNOVER_MAX_CENTS,
  classifySme,
  eurosToCents,
  type SmeInput,
  type SmeSize,
} from '../../domain';

const M = (euros: number): number => eurosToCents(euros * 1_000_000);

describe('classifySme', () => {
  it('expresses the thresholds in cents', () => {
    expect(MICRO_TURNOVER_MAX_CENTS).toBe(eurosToCents('2.000.000'));
    expect(MEDIUM_BALANCE_SHEET_MAX_CENTS).toBe(eurosToCents('43.000.000,00'));
  });

  it.each<[string, SmeInput, SmeSize]>([
    ['9 staff, small figures', { staff: 9, turnoverCents: M(1), balanceSheetCents: M(1) }, 'micro'],
    ['10 staff, small figures', { staff: 10, turnoverCents: M(1), balanceSheetCents: M(1) }, 'small'],
    ['9.5 annual work units', { staff: 9.5, turnoverCents: M(1), balanceSheetCents: M(1) }, 'micro'],
    ['exactly 2 M EUR turnover', { staff: 9, turnoverCents: M(2), balanceSheetCents: M(5) }, 'micro'],
    [
      '2 M + 1 cent, balance sheet above too',
      { staff: 9, turnoverCents: M(2) + 1, balanceSheetCents: M(2) + 1 },
      'small',
    ],
    [
      '2 M + 1 cent turnover, balance sheet exactly 2 M',
      { staff: 9, turnoverCents: M(2) + 1, balanceSheetCents: M(2) },
      'micro',
    ],
    ['49 staff, 10 M turnover', { staff: 49, turnoverCents: M(10), balanceSheetCents: M(20) }, 'small'],
    ['50 staff', { staff: 50, turnoverCents: M(10), balanceSheetCents: M(10) }, 'medium'],
    ['medium by balance sheet 43 M', { staff: 100, turnoverCents: M(60), balanceSheetCents: M(43) }, 'medium'],
    [
      'balance sheet 43 M + 1 cent, turnover 60 M',
      { staff: 100, turnoverCents: M(60), balanceSheetCents: M(43) + 1 },
      'large',
    ],
    ['medium by turnover exactly 50 M', { staff: 249, turnoverCents: M(50), balanceSheetCents: M(100) }, 'medium'],
    ['250 staff', { staff: 250, turnoverCents: M(1), balanceSheetCents: M(1) }, 'large'],
    ['staff alone: 3', { staff: 3 }, 'micro'],
    ['staff alone: 30', { staff: 30 }, 'small'],
    ['staff alone: 200', { staff: 200 }, 'medium'],
    ['staff alone: 300', { staff: 300 }, 'large'],
    ['known turnover too high, balance sheet unknown', { staff: 5, turnoverCents: M(3) }, 'micro'],
    ['both known and too high for micro', { staff: 5, turnoverCents: M(3), balanceSheetCents: M(3) }, 'small'],
    ['0 staff', { staff: 0, turnoverCents: 0, balanceSheetCents: 0 }, 'micro'],
  ])('%s', (_label, input, size) => {
    expect(classifySme(input).size).toBe(size);
  });

  it('says when the classification rests on staff alone', () => {
    const result = classifySme({ staff: 30 });
    expect(result.reasons[0]).toMatch(/not known: classified on staff headcount alone/);
    expect(result.reasons.join('\n')).toMatch(/Staff 30 is not below 10: not micro/);
  });

  it('names the figures that decided the size', () => {
    const result = classifySme({ staff: 100, turnoverCents: M(60), balanceSheetCents: M(43) });
    expect(result.reasons.at(-1)).toBe(
      'Staff 100 < 250 and balance sheet total €43,000,000.00 <= €43,000,000.00: medium',
    );
    expect(classifySme({ staff: 5, turnoverCents: M(3) }).reasons.join('\n')).toMatch(/Balance sheet total not known/);
  });

  it.each<SmeInput>([
    { staff: -1 },
    { staff: Number.NaN },
    { staff: 5, turnoverCents: -1 },
    { staff: 5, balanceSheetCents: 1.5 },
  ])('rejects %j', (input) => {
    expect(() => classifySme(input)).toThrow(/Invalid/);
  });
});
