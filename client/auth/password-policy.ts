/**
 * What a password must be: long enough for the role (staff reach every enrollment of a network or
 * the Region, so they need more than a company's own user), not one of the passwords every
 * attacker tries first (the common-password list of @zxcvbn-ts/language-common, with its
 * variations: l33t, reversed, digits or a year appended), not easy to guess by zxcvbn's estimate,
 * and free of the user's own name and email. Each problem comes with what to do instead, in
 * Italian and English.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { DomainError, type LocalizedMessage } from '../../domain/errors';
import type { Role } from './principal';
import { MIN_PASSWORD_LENGTH } from './secrets';

export const MIN_STAFF_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;
/** zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" against online attacks). */
const MIN_SCORE = 3;

/** Words of this service that anyone guessing a password here would try, counted as dictionary words. */
const SERVICE_WORDS = ['conciliaflow', 'conciliazione', 'vitalavoro', 'lombardia', 'regione', 'password', 'welfare'];

let commonSet: Set<string> | undefined;
const isCommon = (folded: string) => (commonSet ??= new Set(dictionary['passwords-common'])).has(folded);
let estimator: ZxcvbnFactory | undefined;
// No Levenshtein matching: it multiplies the check's time (up to seconds, on the event loop) for
// little gain over the l33t, reversal and suffix variations the matchers already try.
const zxcvbn = () => (estimator ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs }));

export function minPasswordLength(role: Role): number {
  return role === 'sme' ? Math.max(MIN_PASSWORD_LENGTH, 10) : MIN_STAFF_PASSWORD_LENGTH;
}

export interface PasswordOwner {
  role: Role;
  email: string;
  name: string;
}

export interface PasswordProblem {
  code: 'too_short' | 'too_long' | 'common' | 'guessable' | 'contains_email' | 'contains_name';
  message: LocalizedMessage;
}

/** Lower case without accents, so "Niccolò" and "niccolo" are the same word. */
const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** The parts of the user's own identity a password must not contain (4 letters or more, or the whole local part). */
function personalWords(owner: PasswordOwner): { email: string[]; name: string[] } {
  const local = fold(owner.email.split('@')[0] ?? '');
  const pieces = (s: string) => s.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4);
  return {
    email: [...new Set([...(local.length >= 3 ? [local] : []), ...pieces(local)])],
    name: [...new Set(pieces(fold(owner.name)))],
  };
}

/** Every problem of the password for this user; none means it is accepted. */
export function passwordProblems(password: string, owner: PasswordOwner): PasswordProblem[] {
  const min = minPasswordLength(owner.role);
  const problems: PasswordProblem[] = [];
  if ([...password].length < min)
    problems.push({
      code: 'too_short',
      message: {
        it: `La password deve avere almeno ${min} caratteri${owner.role === 'sme' ? '' : ' per il personale (amministratori, coordinatori, consulenti)'}: usare una frase di più parole.`,
        en: `The password needs at least ${min} characters${owner.role === 'sme' ? '' : ' for staff (admins, coordinators, consultants)'}: use a phrase of several words.`,
      },
    });
  if (password.length > MAX_PASSWORD_LENGTH)
    problems.push({
      code: 'too_long',
      message: {
        it: `La password può avere al massimo ${MAX_PASSWORD_LENGTH} caratteri.`,
        en: `The password can have at most ${MAX_PASSWORD_LENGTH} characters.`,
      },
    });
  if (problems.some((p) => p.code === 'too_long')) return problems;

  const folded = fold(password);
  const mine = personalWords(owner);
  if (mine.email.some((w) => folded.includes(w)))
    problems.push({
      code: 'contains_email',
      message: {
        it: 'La password non deve contenere il proprio indirizzo email (la parte prima della @): sceglierne una che non dica chi si è.',
        en: 'The password must not contain your own email address (the part before the @): choose one that does not say who you are.',
      },
    });
  if (mine.name.some((w) => folded.includes(w)))
    problems.push({
      code: 'contains_name',
      message: {
        it: 'La password non deve contenere il proprio nome o cognome: sceglierne una che non dica chi si è.',
        en: 'The password must not contain your own first or last name: choose one that does not say who you are.',
      },
    });

  // A password too short is refused already: its strength would only lengthen the message.
  if (problems.some((p) => p.code === 'too_short')) return problems;
  const result = zxcvbn().check(password, [...SERVICE_WORDS, ...mine.email, ...mine.name]);
  const common =
    isCommon(folded) ||
    result.sequence.some(
      (m) =>
        m.pattern === 'dictionary' && m.dictionaryName === 'passwords-common' && m.token.length >= password.length - 4,
    );
  if (common)
    problems.push({
      code: 'common',
      message: {
        it: 'Questa password è tra le più usate e viene provata per prima da chi tenta di indovinarla: sceglierne un’altra, per esempio tre o quattro parole a caso.',
        en: 'This password is among the most used ones, which attackers try first: choose another, for example three or four random words.',
      },
    });
  else if (result.score < MIN_SCORE && problems.length === 0)
    problems.push({
      code: 'guessable',
      message: {
        it: 'Password troppo facile da indovinare (parole comuni, sequenze di tastiera, date, ripetizioni): aggiungere parole non collegate tra loro o renderla più lunga.',
        en: 'Password too easy to guess (common words, keyboard sequences, dates, repetitions): add unrelated words or make it longer.',
      },
    });
  return problems;
}

/** Refuses the password with every problem named (422 weak_password), or returns nothing. */
export function assertPasswordAllowed(password: string, owner: PasswordOwner): void {
  const problems = passwordProblems(password, owner);
  if (problems.length === 0) return;
  throw new DomainError(
    'weak_password',
    {
      it: `Password non accettata: ${problems.map((p) => p.message.it).join(' ')}`,
      en: `Password not accepted: ${problems.map((p) => p.message.en).join(' ')}`,
    },
    problems.map((p) => ({ path: 'password', code: p.code, message: p.message })),
  );
}
