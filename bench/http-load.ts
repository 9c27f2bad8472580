/**
 * The load generator of the HTTP benchmarks, on a thread of its own: the users of an API send their
 * requests from other processes, so the client's CPU (request building, parsing answers) must not
 * come out of the API's event loop. Plain JSON POSTs over keep-alive connections, as a script's
 * HTTP client would send them.
 */
import { Worker } from 'node:worker_threads';

export interface LoadRequest {
  body: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  ms: number;
  /** Status counts, e.g. { "201": 600 }. */
  statuses: Record<string, number>;
  /** The first answers that were not `expect`, up to five. */
  unexpected: { i: number; status: number; body: string }[];
}

const WORKER_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, requests, concurrency, expect } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function post(r) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...(r.headers || {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode || 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
(async () => {
  const statuses = {};
  const unexpected = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const i = next++;
      const res = await post(requests[i]);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      if (!(Array.isArray(expect) ? expect.includes(res.status) : res.status === expect) && unexpected.length < 5) unexpected.push({ i, status: res.status, body: res.body.slice(0, 500) });
    }
  }));
  const ms = performance.now() - started;
  agent.destroy();
  parentPort.postMessage({ ms, statuses, unexpected });
})(); // a rejection ends the thread with an 'error' event
`;

/**
 * POSTs every request to `url` with `concurrency` in flight, from a worker thread; throws on an answer other than
 * `expect` (one status, or any of several). `onResult` sees the status counts.
 */
export async function postFromThread(
  url: string,
  requests: LoadRequest[],
  opts: { concurrency: number; expect: number | number[]; label: string; onResult?: (r: LoadResult) => void },
): Promise<number> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { url, requests, concurrency: opts.concurrency, expect: opts.expect },
  });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${opts.label}: load thread exited with code ${code}`)));
  });
  await worker.terminate();
  opts.onResult?.(result);
  if (result.unexpected.length > 0) {
    const first = result.unexpected[0]!;
    throw new Error(
      `${opts.label}: ${JSON.stringify(result.statuses)} (expected ${opts.expect}); request ${first.i}: HTTP ${first.status} ${first.body}`,
    );
  }
  return result.ms;
}
