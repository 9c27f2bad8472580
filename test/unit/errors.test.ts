import { DomainError, MoneyError, isDomainError } from '../../domain';

describe('DomainError', () => {
  it('carries a code, both languages and details, with the English text as message', () => {
    const error = new DomainError('closed', { it: 'Iscrizioni chiuse', en: 'Enrolment closed' }, { programme: 'p1' });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Enrolment closed');
    expect(error.messages.it).toBe('Iscrizioni chiuse');
    expect(error.code).toBe('closed');
    expect(error.details).toEqual({ programme: 'p1' });
    expect(error.name).toBe('DomainError');
    expect(isDomainError(error)).toBe(true);
  });

  it('keeps subclass identity', () => {
    const error = new MoneyError({ it: 'x', en: 'y' });
    expect(error).toBeInstanceOf(MoneyError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe('MoneyError');
    expect(error.code).toBe('invalid_amount');
    expect(error.details).toBeUndefined();
  });

  it('recognises domain errors rebuilt across a serialisation boundary, and nothing else', () => {
    const original = new DomainError('x', { it: 'a', en: 'b' });
    const copy = { name: original.name, message: original.message, code: original.code, messages: original.messages };
    expect(isDomainError(copy)).toBe(true);
    expect(isDomainError(new Error('plain'))).toBe(false);
    expect(isDomainError({ code: 'x', message: 'm' })).toBe(false);
    expect(isDomainError(null)).toBe(false);
    expect(isDomainError('x')).toBe(false);
  });
});
