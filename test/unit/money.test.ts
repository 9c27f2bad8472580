import { DomainError, MoneyError, assertCents, eurosToCents, formatEuro, isDomainError, percentOf } from '../../domain';

function errorOf(fn: () => unknown): MoneyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MoneyError) return e;
    throw e;
  }
  throw new Error('expected a MoneyError');
}

describe('eurosToCents', () => {
  it.each<[string | number, number]>([
    ['1234', 123400],
    ['1234.5', 123450],
    ['1234.56', 123456],
    ['1234,56', 123456],
    ['1234,5', 123450],
    ['1.234,56', 123456],
    ['1.234.567', 123456700],
    ['1.234.567,8', 123456780],
    ['0,05', 5],
    ['0', 0],
    ['  12,00 € ', 1200],
    ['€ 1.500,00', 150000],
    ['90071992547409,91', 9007199254740991],
    [1234, 123400],
    [1234.5, 123450],
    [0.29, 29],
    [19.99, 1999],
  ])('parses %j as %d cents', (input, cents) => {
    expect(eurosToCents(input)).toBe(cents);
  });

  it.each<[string | number, RegExp]>([
    ['1,234', /3 decimal digits.*at most 2/],
    ['1234.567', /3 decimal digits/],
    ['1.234', /ambiguous/],
    ['-5', /negative/],
    [-5, /negative/],
    [Number.NaN, /not a number/],
    [Number.POSITIVE_INFINITY, /not a finite number/],
    [1.005, /3 decimal digits/],
    [1234.567, /3 decimal digits/],
    [0.1 + 0.2, /17 decimal digits/],
    ['', /empty/],
    ['abc', /expected a number of euros/],
    ['12.34.56', /expected a number of euros/],
    ['1,234.56', /expected a number of euros/],
    ['1.23,45', /expected a number of euros/],
    ['1e3', /expected a number of euros/],
    ['90071992547409,92', /too large/],
    [1e21, /expected a number of euros/],
  ])('rejects %j', (input, message) => {
    const error = errorOf(() => eurosToCents(input));
    expect(error.message).toMatch(message);
    expect(error.code).toBe('invalid_amount');
    expect(error).toBeInstanceOf(DomainError);
    expect(isDomainError(error)).toBe(true);
    expect(error.messages.it).toMatch(/^Importo non valido/);
  });
});

describe('assertCents', () => {
  it('accepts non-negative safe integers only', () => {
    expect(() => assertCents(0)).not.toThrow();
    expect(() => assertCents(Number.MAX_SAFE_INTEGER)).not.toThrow();
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => assertCents(bad)).toThrow(MoneyError);
    }
  });
});

describe('formatEuro', () => {
  it.each([
    [123456, '1.234,56 €', '€1,234.56'],
    [5, '0,05 €', '€0.05'],
    [0, '0,00 €', '€0.00'],
    [100, '1,00 €', '€1.00'],
    [123456789012, '1.234.567.890,12 €', '€1,234,567,890.12'],
    [Number.MAX_SAFE_INTEGER, '90.071.992.547.409,91 €', '€90,071,992,547,409.91'],
  ])('formats %d cents', (cents, it, en) => {
    expect(formatEuro(cents, 'it')).toBe(it);
    expect(formatEuro(cents, 'en')).toBe(en);
  });

  it('round-trips through the Italian parser', () => {
    for (const cents of [1, 99, 100, 101, 99999, 100000, 2_000_000_00, 43_000_000_01]) {
      expect(eurosToCents(formatEuro(cents, 'it'))).toBe(cents);
    }
  });

  it('refuses fractional cents', () => {
    expect(() => formatEuro(1.5, 'it')).toThrow(MoneyError);
  });
});

describe('percentOf', () => {
  it('rounds 80% down at the cent boundary', () => {
    expect(percentOf(12345, 80, 100)).toBe(9876); // 9876.0 exactly
    expect(percentOf(12346, 80, 100)).toBe(9876); // 9876.8 -> 9876
    expect(percentOf(12347, 80, 100)).toBe(9877); // 9877.6 -> 9877
    expect(percentOf(1, 80, 100)).toBe(0);
    expect(percentOf(5, 80, 100)).toBe(4);
    expect(percentOf(4, 80, 100)).toBe(3); // 3.2 -> 3
  });

  it('never exceeds the exact share and stays within one cent of it', () => {
    for (let cents = 0; cents < 2000; cents += 7) {
      const share = percentOf(cents, 80, 100);
      expect(share * 100).toBeLessThanOrEqual(cents * 80);
      expect((share + 1) * 100).toBeGreaterThan(cents * 80);
    }
  });

  it('is exact beyond floating-point precision', () => {
    // 9007199254740991 * 2 / 3 is not representable as an intermediate double.
    expect(percentOf(Number.MAX_SAFE_INTEGER, 2, 3)).toBe(6004799503160660);
    expect(percentOf(Number.MAX_SAFE_INTEGER, 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('validates its arguments', () => {
    expect(() => percentOf(100, 1, 0)).toThrow(/denominator/);
    expect(() => percentOf(100, -1, 100)).toThrow(/numerator/);
    expect(() => percentOf(100, 0.5, 100)).toThrow(/numerator/);
    expect(() => percentOf(-100, 80, 100)).toThrow(MoneyError);
    expect(() => percentOf(Number.MAX_SAFE_INTEGER, 2, 1)).toThrow(/safe integer/);
  });
});
