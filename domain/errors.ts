export interface LocalizedMessage {
  it: string;
  en: string;
}

/**
 * An error raised by domain rules. Every domain error carries both Italian and English text because it may end up
 * in front of a firm (Italian) or an operator/log (English); `message` is the English text so stack traces and logs
 * stay readable without extra handling.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: unknown;
  readonly messages: LocalizedMessage;

  constructor(code: string, messages: LocalizedMessage, details?: unknown) {
    super(messages.en);
    // Keeps `instanceof` working even if a downstream compiler lowers classes below ES2015.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
    this.code = code;
    this.messages = { it: messages.it, en: messages.en };
    this.details = details;
  }
}

/**
 * `instanceof` alone is not enough: errors crossing the Temporal workflow sandbox or a serialisation boundary come
 * from another realm or module instance, so the shape is checked as a fallback.
 */
export function isDomainError(e: unknown): e is DomainError {
  if (e instanceof DomainError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as { code?: unknown; messages?: unknown; message?: unknown };
  if (typeof candidate.code !== 'string' || typeof candidate.message !== 'string') return false;
  const messages = candidate.messages as { it?: unknown; en?: unknown } | null | undefined;
  return (
    typeof messages === 'object' &&
    messages !== null &&
    typeof messages.it === 'string' &&
    typeof messages.en === 'string'
  );
}
