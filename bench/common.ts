/** Shared pieces of the benchmarks: the machine, percentiles, a concurrency pool, JSON output. */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';

export const machine = () =>
  `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? ''}`.trim();

/** Nearest-rank percentile of already sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Runs fn(0..n-1) with at most `concurrency` in flight; returns elapsed milliseconds. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return performance.now() - started;
}

export function progress(label: string, done: number, total: number): void {
  if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0)
    process.stderr.write(`${label}: ${done}/${total}\n`);
}

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export function print(result: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ machine: machine(), ...result }, null, 2) + '\n');
}

/** Busy and total jiffies of all cores together, from /proc/stat (Linux); undefined elsewhere. */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Runs a phase and says where its CPU went: this process's cores (its threads together: the event
 * loop, the Temporal client's core, libuv) and the whole machine's busy cores, both averaged over
 * the phase's wall time. Tells a phase bound by this process apart from one bound by the machine.
 */
export async function withCpu(
  phase: () => Promise<number>,
): Promise<{ ms: number; processCores: number; machineCores: number }> {
  const cpu = process.cpuUsage();
  const before = machineJiffies();
  const ms = await phase();
  const used = process.cpuUsage(cpu);
  const after = machineJiffies();
  const cores = os.cpus().length;
  const machineCores =
    before && after && after.total > before.total
      ? ((after.busy - before.busy) / (after.total - before.total)) * cores
      : NaN;
  return { ms, processCores: round((used.user + used.system) / 1000 / ms, 2), machineCores: round(machineCores, 2) };
}

/**
 * With BENCH_PROFILE=<dir>, a V8 CPU profile of `phase` alone (open it in Chrome's DevTools):
 * a benchmark spends seconds starting servers that a whole-process profile mixes in.
 */
export async function profiled<T>(name: string, phase: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return phase();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`CPU profile of ${name}: ${file}\n`);
    session.disconnect();
  }
}
