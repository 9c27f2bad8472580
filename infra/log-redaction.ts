/**
 * What the logs must not keep: the opt-out tokens carried in URLs (whoever reads a log line could
 * opt the recipient out) and recipients' email addresses. Applied as a pino child (redact with a
 * censor, and the request serializer Fastify uses), so every line of a module goes through it,
 * whatever logger its caller handed in.
 */
import type { Logger } from 'pino';

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const SECRET_PARAM = /token|secret|password|signature|sig$|key$/i;

/** `marco.rossi@tessitura.it` → `m***@tessitura.it`: the domain stays, for telling relays apart. */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, '$1***@$2');
}

function censorValue(value: unknown): unknown {
  if (typeof value === 'string') return maskEmails(value);
  if (Array.isArray(value)) return value.map(censorValue);
  return value;
}

/** A request URL with the values of token-like query parameters replaced. */
export function redactRequestUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is checked as it is.
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : maskEmails(pair);
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** Fastify's request serializer, with the URL redacted. */
export function requestSerializer(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: redactRequestUrl(req.url ?? ''),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Fields of the mail and preferences log lines that hold addresses (or messages quoting them). */
const ADDRESS_PATHS = [
  'to',
  'email',
  'toAddress',
  'from',
  'recipient',
  'recipients',
  'err',
  'reason',
  'subject',
  'key',
];

/** `logger` with addresses masked in the fields above and request URLs redacted. */
export function redactingLogger(logger: Logger): Logger {
  return logger.child(
    {},
    {
      redact: { paths: ADDRESS_PATHS, censor: (value: unknown) => censorValue(value) },
      serializers: { req: requestSerializer },
    },
  );
}
