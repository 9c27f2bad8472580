/** Helpers of the front-door tests: HTTP from a chosen loopback address, valid VAT numbers, a request form. */
import http from 'node:http';

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
  body: any;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** One request with node:http, so that the source address can be chosen (127.0.0.x is loopback too). */
export function request(
  url: string,
  opts: { method?: string; body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
  localAddress = '127.0.0.1',
): Promise<Answer> {
  const payload =
    opts.form !== undefined
      ? new URLSearchParams(opts.form).toString()
      : opts.body === undefined
        ? undefined
        : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
        localAddress,
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json' }),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            body = null;
          }
          resolve({ status: res.statusCode ?? 0, body, text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let vatCounter = 0;
/** A partita IVA with the right check digit, a different one every call. */
export function validVat(): string {
  const body = `0${String(Date.now() % 1e6).padStart(6, '0')}${String(++vatCounter % 1000).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(body[i]);
    sum += i % 2 === 0 ? d : d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** The public request form of a small firm of Monza (ATS della Brianza), as a browser sends it. */
export function requestForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    edizione: 'demo-2026-2027',
    percorso: 'congedo-flessibilita',
    ragione: 'Tessitura Brianzola S.r.l.',
    piva: validVat(),
    registrata: 'yes',
    provincia: 'MB',
    comune: 'Monza',
    settore: 'industria',
    ula: '12,5',
    occupati: '14',
    fatturato: '1.500.000',
    bilancio: '900000',
    ateco: '13.20',
    nome: 'Marco Rossi',
    email: `marco.${vatCounter}@tessitura.test`,
    lingua: 'it',
    p1nome: 'Giulia Verdi',
    p1email: `giulia.${vatCounter}@tessitura.test`,
    p1ruolo: 'hr',
    privacy: 'yes',
    sito: '',
    ...overrides,
  };
}

/** The first link in a text that starts with `prefix` (a path), as a path. */
export function linkIn(text: string, prefix: string): string {
  const m = new RegExp(`https?://[^\\s"<>]+${prefix.replace(/\//g, '\\/')}[^\\s"<>]*`).exec(text);
  if (!m) throw new Error(`no link ${prefix} in:\n${text}`);
  return new URL(m[0]).pathname;
}
