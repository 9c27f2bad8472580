/**
 * The worker's sticky cache (pathways kept in memory between their workflow tasks), sized from the
 * memory the deployment gives the worker instead of the SDK's default, which follows the V8 heap
 * limit (about 2,300 pathways, 1.2 GiB RSS, with Node's 4 GiB heap) whatever the container holds.
 *
 * A pathway waits days between its timers, so a cache smaller than the open pathways saves almost
 * nothing at the next timer (least recently used goes first: the pathway waking is the one evicted
 * longest ago); what it does save is the replays between a timer and the end of the pathway's
 * reaction to it (an activity, its completion, the next task), when a pathway is touched several
 * times within seconds. MAX_DEFAULT holds all of those at once; a bigger cache only pays when it
 * holds every open pathway, which WORKER_MAX_CACHED_WORKFLOWS can still ask for.
 */
import fs from 'node:fs';
import os from 'node:os';

/**
 * RSS of the worker process (`npm run worker`: worker, dispatcher, Prisma on SQLite, the workflow
 * thread with its bundle) when it starts running, nothing cached, in MiB: 276 measured by
 * `npm run bench -- reminders`.
 */
export const BASELINE_MIB = 280;
/**
 * RSS per cached pathway workflow, in MiB: the benchmark's worker grew by 120 MiB from its start to
 * 1,000 open runs with 250 cached (0.48 a cached run if nothing else grew); 0.28 with 2,000 open,
 * against the same worker with the cache off.
 */
export const PER_PATHWAY_MIB = 0.45;
/**
 * SDK defaults: 40 workflow tasks at once; a smaller cache also lowers that concurrency (the SDK
 * caps it at the cache size).
 */
export const MIN_CACHED = 40;
/**
 * Pathways that can be mid-reaction at once: 40 workflow tasks and 100 activities in flight (the
 * SDK's defaults), with room to spare for the completions queued behind them.
 */
export const MAX_DEFAULT_CACHED = 250;
/** Without a memory figure or a cgroup limit the worker shares the machine: this share of it. */
export const TOTAL_MEMORY_SHARE = 0.25;

export type MemorySource =
  'WORKER_MEMORY_MB' | 'cgroup v2 memory.max' | 'cgroup v1 memory.limit_in_bytes' | 'os.totalmem';

export interface CacheChoice {
  maxCachedWorkflows: number;
  /** Why this size, for the start-up log. */
  reason: string;
  /** The memory the size was derived from (absent when WORKER_MAX_CACHED_WORKFLOWS gave it). */
  memoryBudgetMiB?: number;
  memorySource?: MemorySource;
  /** The budget holds fewer than MIN_CACHED pathways: the worker may use more than it was given. */
  belowMinimum?: boolean;
}

/**
 * A cgroup memory limit in bytes from the text of memory.max (v2) or memory.limit_in_bytes (v1);
 * undefined when there is none: "max" (v2), or v1's "unlimited", a page-rounded 2^63 − 1.
 */
export function parseCgroupLimit(text: string | undefined): number | undefined {
  const t = text?.trim();
  if (!t || t === 'max') return undefined;
  if (!/^\d+$/.test(t)) return undefined;
  const bytes = Number(t);
  // v1 reports "no limit" as 9223372036854771712; anything past 2^60 (an exbibyte) is that.
  if (!Number.isFinite(bytes) || bytes <= 0 || bytes >= 2 ** 60) return undefined;
  return bytes;
}

const readText = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

export interface MemoryProbe {
  /** WORKER_MEMORY_MB, validated by the configuration. */
  memoryMb?: number;
  readFile?: (file: string) => string | undefined;
  totalMemBytes?: number;
}

/** The memory the worker is given, in MiB, and where that figure came from. */
export function memoryBudget(probe: MemoryProbe = {}): { mib: number; source: MemorySource } {
  if (probe.memoryMb !== undefined) return { mib: probe.memoryMb, source: 'WORKER_MEMORY_MB' };
  const read = probe.readFile ?? readText;
  const total = probe.totalMemBytes ?? os.totalmem();
  const v2 = parseCgroupLimit(read('/sys/fs/cgroup/memory.max'));
  // A limit above the machine's memory limits nothing.
  if (v2 !== undefined && v2 < total) return { mib: Math.floor(v2 / 2 ** 20), source: 'cgroup v2 memory.max' };
  const v1 = parseCgroupLimit(read('/sys/fs/cgroup/memory/memory.limit_in_bytes'));
  if (v1 !== undefined && v1 < total)
    return { mib: Math.floor(v1 / 2 ** 20), source: 'cgroup v1 memory.limit_in_bytes' };
  return { mib: Math.floor((total * TOTAL_MEMORY_SHARE) / 2 ** 20), source: 'os.totalmem' };
}

/** Pathways that fit in `budgetMiB` beside the worker's baseline, within [MIN_CACHED, MAX_DEFAULT_CACHED]. */
export function cacheSizeForBudget(budgetMiB: number): number {
  const fit = Math.floor((budgetMiB - BASELINE_MIB) / PER_PATHWAY_MIB);
  return Math.min(MAX_DEFAULT_CACHED, Math.max(MIN_CACHED, fit));
}

/** The cache size a worker starts with: WORKER_MAX_CACHED_WORKFLOWS if set, else from its memory. */
export function chooseCacheSize(explicit: number | undefined, probe: MemoryProbe = {}): CacheChoice {
  if (explicit !== undefined) return { maxCachedWorkflows: explicit, reason: 'WORKER_MAX_CACHED_WORKFLOWS' };
  const budget = memoryBudget(probe);
  const size = cacheSizeForBudget(budget.mib);
  const fit = Math.floor((budget.mib - BASELINE_MIB) / PER_PATHWAY_MIB);
  const why =
    fit >= MAX_DEFAULT_CACHED
      ? `the budget fits ${fit}; capped at ${MAX_DEFAULT_CACHED}, the pathways that can be mid-reaction at once`
      : fit < MIN_CACHED
        ? `the budget fits ${Math.max(fit, 0)}; raised to ${MIN_CACHED}, the workflow tasks run at once`
        : `(${budget.mib} MiB − ${BASELINE_MIB} MiB baseline) / ${PER_PATHWAY_MIB} MiB per pathway`;
  return {
    maxCachedWorkflows: size,
    reason: `${budget.mib} MiB from ${budget.source}: ${why}`,
    memoryBudgetMiB: budget.mib,
    memorySource: budget.source,
    ...(fit < MIN_CACHED ? { belowMinimum: true } : {}),
  };
}
