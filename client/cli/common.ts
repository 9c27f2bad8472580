/**
 * What every CLI command shares and that costs nothing to load: the HTTP calls to the service, the
 * error that carries an exit code, the enrollment printout. Nothing here reaches the database, so
 * `--help` and the commands that talk to the API load only this, commander and node:http.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { formatRomeDateTime } from '../../domain/calendar';
import { cliToken } from '../auth/cli-token';

// Against the local embedded stack, the token `npm start` created is used when none is given.
export const token = () =>
  process.env.CONCILIAFLOW_URL ? process.env.CONCILIAFLOW_TOKEN : cliToken(path.resolve(__dirname, '..', '..', 'var'));
export const baseUrl = () => (process.env.CONCILIAFLOW_URL ?? 'http://localhost:3000').replace(/\/$/, '');

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function request(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; text: string; location?: string }> {
  let res: { status: number; text: string; location?: string };
  try {
    res = await send(
      method,
      new URL(`${baseUrl()}${path}`),
      {
        'content-type': 'application/json',
        'accept-language': process.env.CONCILIAFLOW_LANG ?? 'it',
        ...(token() ? { authorization: `Bearer ${token()}` } : {}),
        ...headers,
      },
      body === undefined ? undefined : JSON.stringify(body),
    );
  } catch (err) {
    throw new CliError(
      `Cannot reach ${baseUrl()} (${(err as Error).message}). Start the service with \`npm start\` or set CONCILIAFLOW_URL.`,
      4,
    );
  }
  const text = res.text;
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, text, ...(res.location ? { location: res.location } : {}) };
}

/**
 * One request through node:http (node:https for an https URL, loaded only then). Not Node's fetch:
 * its first request costs a short-lived process about 90 ms more (undici loads and compiles its
 * parser), which was half of what `conciliaflow show` took.
 */
function send(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string; location?: string }> {
  const transport: typeof http =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    url.protocol === 'https:' ? (require('node:https') as typeof http) : url.protocol === 'http:' ? http : bad(url);
  const sized = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers: sized }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
      res.on('error', reject);
    });
    // A service that takes the connection and never answers: an error, not a CLI hanging for ever.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const REQUEST_TIMEOUT_MS = Number(process.env.CONCILIAFLOW_TIMEOUT_MS ?? 60_000);

function bad(url: URL): never {
  throw new Error(`${url.protocol} is not http: or https:`);
}

export function failure(r: { status: number; json: unknown; text: string; location?: string }): CliError {
  const e = (r.json as { error?: { code?: string; message?: string } })?.error;
  const hint =
    r.status >= 300 && r.status < 400
      ? `\nThe service answered with a redirect${r.location ? ` to ${r.location}` : ''}: set CONCILIAFLOW_URL to the address it names.`
      : r.status === 401
        ? '\nSet CONCILIAFLOW_TOKEN to an API token (create one with `conciliaflow users token <email>`).'
        : '';
  return new CliError(`${e?.code ?? r.status}: ${e?.message ?? r.text}${hint}`, r.status >= 500 ? 4 : 3);
}

export async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const r = await request(method, path, body, headers);
  // Redirects are not followed (a token is never sent on to another address): they are reported.
  if (r.status >= 300) throw failure(r);
  return r.json;
}

/** A progress bar on stderr; a line every tenth when stderr is not a terminal (CI logs). */
export function progress(total: number, label: string) {
  let done = 0;
  let lastTenth = -1;
  const draw = () => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    if (process.stderr.isTTY) {
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`);
      if (done === total) process.stderr.write('\n');
    } else {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${done}/${total} ${label}\n`);
      }
    }
  };
  draw();
  return {
    tick() {
      done++;
      draw();
    },
  };
}

export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    throw new CliError(`Cannot read JSON from ${file}: ${(err as Error).message}`, 2);
  }
}

export type View = {
  id: string;
  status: string;
  kind: string;
  company: { name: string };
  pathway: { steps: { key: string; status: string; dueAt: string | null; name: { it: string } }[] } | null;
};

export function printEnrollment(v: View): void {
  process.stdout.write(`${v.id}  ${v.company.name}  ${v.kind}  [${v.status}]\n`);
  if (!v.pathway) process.stdout.write('  (pathway workflow started; `conciliaflow show` lists its steps)\n');
  for (const s of v.pathway?.steps ?? []) {
    const mark = s.status === 'done' ? '✔' : s.status === 'active' ? '▶' : '·';
    const due = s.dueAt ? formatRomeDateTime(Date.parse(s.dueAt), 'it') : '';
    process.stdout.write(`  ${mark} ${s.key.padEnd(16)} ${s.name.it.padEnd(48)} ${due}\n`);
  }
}

/** Prints a value as indented JSON, one line at the end. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
