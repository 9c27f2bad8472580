/**
 * The password policy: minimum length by role, common and guessable passwords, the user's own name
 * and email, and messages that say what to do in Italian and English.
 */
import {
  assertPasswordAllowed,
  minPasswordLength,
  passwordProblems,
  type PasswordOwner,
} from '../../client/auth/password-policy';
import { isDomainError } from '../../domain/errors';

const consultant: PasswordOwner = { role: 'consultant', email: 'giulia.bianchi@studio.test', name: 'Giulia Bianchi' };
const sme: PasswordOwner = { role: 'sme', email: 'titolare@tessitura.test', name: 'Marco Rossi' };
const codes = (password: string, owner = consultant) => passwordProblems(password, owner).map((p) => p.code);

describe('password policy', () => {
  it('asks staff for 12 characters and sme users for 10', () => {
    expect(minPasswordLength('admin')).toBe(12);
    expect(minPasswordLength('coordinator')).toBe(12);
    expect(minPasswordLength('consultant')).toBe(12);
    expect(minPasswordLength('sme')).toBe(10);
    expect(codes('vento-muro9')).toEqual(['too_short']); // 11 characters
    expect(codes('vento-muro9', sme)).toEqual([]);
    expect(codes('vento-mur9', sme)).toEqual([]); // 10
    expect(codes('vent-mur9', sme)).toEqual(['too_short']);
    expect(codes('x'.repeat(201))).toEqual(['too_long']);
  });

  it('refuses common passwords and their usual variations, whatever their length', () => {
    for (const p of ['password1234', 'qwertyuiop123', 'Password2026!', '123456789012', 'iloveyou1234', 'aaaaaaaaaaaa'])
      expect([p, codes(p).some((c) => c === 'common' || c === 'guessable')]).toEqual([p, true]);
    expect(codes('password1234')).toContain('common');
  });

  it("refuses the user's own email local part and name, accents and case aside", () => {
    expect(codes('giulia.bianchi-2026-x!')).toContain('contains_email');
    expect(codes('GIULIA-sole-fiume-42')).toContain('contains_name');
    expect(codes('il-titolare-vede-il-lago', sme)).toContain('contains_email');
    expect(codes('rossì-nuvola-treno-88', sme)).toContain('contains_name');
  });

  it('accepts long passwords of unrelated words and random ones', () => {
    expect(codes('lungo-fiume-verde-42')).toEqual([]);
    expect(codes('x7Kp-q9Lm-w2Rt')).toEqual([]);
    expect(codes('correct horse battery staple')).toEqual([]);
  });

  it('refuses with code weak_password, every problem listed, in Italian and English', () => {
    let caught: unknown;
    try {
      assertPasswordAllowed('giulia', consultant);
    } catch (err) {
      caught = err;
    }
    expect(isDomainError(caught)).toBe(true);
    const err = caught as { code: string; messages: { it: string; en: string }; details: { code: string }[] };
    expect(err.code).toBe('weak_password');
    expect(err.messages.it).toMatch(/almeno 12 caratteri.*frase di più parole/);
    expect(err.messages.en).toMatch(/at least 12 characters.*phrase of several words/);
    expect(err.details.map((d) => d.code)).toEqual(['too_short', 'contains_email', 'contains_name']);
    expect(() => assertPasswordAllowed('lungo-fiume-verde-42', consultant)).not.toThrow();
  });
});
