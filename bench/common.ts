/** Shared pieces of the benchmarks: the machine, percentiles, a concurrency pool, JSON output. */
import os from 'node:os';

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
