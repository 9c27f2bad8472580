import { ConfigError, loadConfig } from '../../config';
import {
  EXTERNAL_CONTACTS_ALLOWANCE,
  PARTICIPANTS_HARD_CAP,
  participantLimit,
  quotaFreesAt,
  recipientQuotaFor,
  RECIPIENT_QUOTA_WINDOW_MS,
} from '../../domain/participant-limits';

describe('participantLimit', () => {
  it.each([
    [0, 5], // a self-employment project not yet registered: its founder and a few contacts
    [3, 8], // a time-saving shop
    [35, 40],
    [49.5, 55], // fractional annual work units count up
    [244, 249],
    [245, 250],
    [249, 250], // the largest medium enterprise
    [100_000, 250], // a declared headcount never buys more than the cap
  ])('a firm with %d staff may list %d participants', (staff, limit) => {
    expect(participantLimit(staff)).toBe(limit);
  });

  it('treats nonsense headcounts as none', () => {
    expect(participantLimit(-3)).toBe(EXTERNAL_CONTACTS_ALLOWANCE);
    expect(participantLimit(Number.NaN)).toBe(EXTERNAL_CONTACTS_ALLOWANCE);
    expect(participantLimit(Number.POSITIVE_INFINITY)).toBe(EXTERNAL_CONTACTS_ALLOWANCE);
    expect(PARTICIPANTS_HARD_CAP).toBe(250);
  });
});

describe('recipientQuotaFor', () => {
  const quotas = { perDay: 200, coordinatorPerDay: 2000 };
  it('limits consultants and SME users, coordinators more loosely, admins not at all', () => {
    expect(recipientQuotaFor('consultant', quotas)).toBe(200);
    expect(recipientQuotaFor('sme', quotas)).toBe(200);
    expect(recipientQuotaFor('coordinator', quotas)).toBe(2000);
    expect(recipientQuotaFor('admin', quotas)).toBeNull();
    // A role the code does not know gets the tightest limit, not none.
    expect(recipientQuotaFor('someone', quotas)).toBe(200);
  });
});

describe('quotaFreesAt', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 11, 1, h));
  it('is the moment enough of the oldest rows leave the 24-hour window', () => {
    const added = [t(8), t(9), t(10), t(11)];
    // 4 used of 5: one more fits now, three more once the two oldest have aged out.
    expect(quotaFreesAt(added, 1, 5)).toEqual(new Date(0));
    expect(quotaFreesAt(added, 3, 5)).toEqual(new Date(t(9).getTime() + RECIPIENT_QUOTA_WINDOW_MS));
    expect(quotaFreesAt(added, 5, 5)).toEqual(new Date(t(11).getTime() + RECIPIENT_QUOTA_WINDOW_MS));
  });

  it('is null when the request alone is over the quota', () => {
    expect(quotaFreesAt([], 6, 5)).toBeNull();
  });
});

describe('RECIPIENTS_PER_DAY configuration', () => {
  const env = { PREFERENCES_SECRET: 'x'.repeat(32) };
  it('defaults to 200 a day, 2000 for coordinators, and takes other values', () => {
    expect(loadConfig(env).recipientQuotas).toEqual({ perDay: 200, coordinatorPerDay: 2000 });
    expect(
      loadConfig({ ...env, RECIPIENTS_PER_DAY: '50', RECIPIENTS_PER_DAY_COORDINATOR: '500' }).recipientQuotas,
    ).toEqual({ perDay: 50, coordinatorPerDay: 500 });
  });

  it.each(['0', '-1', 'many', '1.5'])('refuses RECIPIENTS_PER_DAY=%s, naming the variable', (value) => {
    expect(() => loadConfig({ ...env, RECIPIENTS_PER_DAY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, RECIPIENTS_PER_DAY: value })).toThrow(/RECIPIENTS_PER_DAY/);
  });
});
