/**
 * The worker's sticky cache is sized from the memory it is given (WORKER_MEMORY_MB, else the cgroup
 * limit, else a share of the machine), within bounds; WORKER_MAX_CACHED_WORKFLOWS overrides it.
 */
import { ConfigError, loadConfig } from '../../config';
import {
  BASELINE_MIB,
  cacheSizeForBudget,
  chooseCacheSize,
  MAX_DEFAULT_CACHED,
  memoryBudget,
  MIN_CACHED,
  parseCgroupLimit,
  PER_PATHWAY_MIB,
} from '../../worker/cache-size';

const GiB = 2 ** 30;
const V2 = '/sys/fs/cgroup/memory.max';
const V1 = '/sys/fs/cgroup/memory/memory.limit_in_bytes';
const files =
  (contents: Record<string, string>) =>
  (file: string): string | undefined =>
    contents[file];

test('a budget gives the pathways that fit beside the baseline, within the bounds', () => {
  expect(cacheSizeForBudget(BASELINE_MIB + 100 * PER_PATHWAY_MIB)).toBe(100);
  expect(cacheSizeForBudget(BASELINE_MIB + 100 * PER_PATHWAY_MIB - 0.01)).toBe(99);
  // A budget that does not even hold the baseline still gets the minimum the worker runs with.
  expect(cacheSizeForBudget(64)).toBe(MIN_CACHED);
  expect(cacheSizeForBudget(BASELINE_MIB)).toBe(MIN_CACHED);
  // Past the working set, more memory buys nothing at the next timer: capped.
  expect(cacheSizeForBudget(64 * 1024)).toBe(MAX_DEFAULT_CACHED);
  // Monotone in the budget.
  const sizes = [128, 256, 300, 320, 350, 400, 512, 1024].map(cacheSizeForBudget);
  expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
});

test('cgroup limits: a byte count is a limit; "max", v1 unlimited, empty or garbage are none', () => {
  expect(parseCgroupLimit('536870912\n')).toBe(512 * 2 ** 20);
  expect(parseCgroupLimit('max\n')).toBeUndefined();
  expect(parseCgroupLimit('9223372036854771712\n')).toBeUndefined();
  expect(parseCgroupLimit('')).toBeUndefined();
  expect(parseCgroupLimit(undefined)).toBeUndefined();
  expect(parseCgroupLimit('0')).toBeUndefined();
  expect(parseCgroupLimit('-1')).toBeUndefined();
  expect(parseCgroupLimit('12k')).toBeUndefined();
});

test('the memory budget: WORKER_MEMORY_MB, else cgroup v2, else v1, else a quarter of the machine', () => {
  const totalMemBytes = 16 * GiB;
  const both = files({ [V2]: `${512 * 2 ** 20}\n`, [V1]: `${GiB}\n` });
  expect(memoryBudget({ memoryMb: 300, readFile: both, totalMemBytes })).toEqual({
    mib: 300,
    source: 'WORKER_MEMORY_MB',
  });
  expect(memoryBudget({ readFile: both, totalMemBytes })).toEqual({ mib: 512, source: 'cgroup v2 memory.max' });
  expect(memoryBudget({ readFile: files({ [V2]: 'max\n', [V1]: `${GiB}\n` }), totalMemBytes })).toEqual({
    mib: 1024,
    source: 'cgroup v1 memory.limit_in_bytes',
  });
  expect(memoryBudget({ readFile: files({ [V1]: '9223372036854771712\n' }), totalMemBytes })).toEqual({
    mib: 4096,
    source: 'os.totalmem',
  });
  expect(memoryBudget({ readFile: files({}), totalMemBytes })).toEqual({ mib: 4096, source: 'os.totalmem' });
  // A limit above the machine's memory limits nothing.
  expect(memoryBudget({ readFile: files({ [V2]: `${64 * GiB}` }), totalMemBytes }).source).toBe('os.totalmem');
});

test('WORKER_MAX_CACHED_WORKFLOWS wins over any memory figure, 0 included', () => {
  const small = { memoryMb: 128, readFile: files({ [V2]: `${256 * 2 ** 20}` }), totalMemBytes: GiB };
  expect(chooseCacheSize(5000, small)).toEqual({ maxCachedWorkflows: 5000, reason: 'WORKER_MAX_CACHED_WORKFLOWS' });
  expect(chooseCacheSize(0, small).maxCachedWorkflows).toBe(0);
});

test('the chosen size says where its memory came from and why, and flags a budget below the minimum', () => {
  const container = chooseCacheSize(undefined, {
    readFile: files({ [V2]: `${320 * 2 ** 20}` }),
    totalMemBytes: 16 * GiB,
  });
  expect(container).toMatchObject({
    maxCachedWorkflows: Math.floor((320 - BASELINE_MIB) / PER_PATHWAY_MIB),
    memoryBudgetMiB: 320,
    memorySource: 'cgroup v2 memory.max',
  });
  expect(container.reason).toContain('320 MiB from cgroup v2 memory.max');
  expect(container.belowMinimum).toBeUndefined();

  const tiny = chooseCacheSize(undefined, { memoryMb: 128 });
  expect(tiny).toMatchObject({ maxCachedWorkflows: MIN_CACHED, belowMinimum: true, memorySource: 'WORKER_MEMORY_MB' });
  const big = chooseCacheSize(undefined, { readFile: files({}), totalMemBytes: 64 * GiB });
  expect(big).toMatchObject({ maxCachedWorkflows: MAX_DEFAULT_CACHED, memorySource: 'os.totalmem' });
  expect(big.reason).toContain('capped');
});

describe('WORKER_MEMORY_MB in the configuration', () => {
  const env = (extra: Record<string, string>) => ({
    DATABASE_URL: 'file:/tmp/conciliaflow-config-test.db',
    PREFERENCES_SECRET: 'x'.repeat(32),
    ...extra,
  });

  test('a whole number of MiB from 128 is taken; unset stays unset', () => {
    expect(loadConfig(env({ WORKER_MEMORY_MB: '512' })).workerMemoryMb).toBe(512);
    expect(loadConfig(env({})).workerMemoryMb).toBeUndefined();
  });

  test.each(['64', '512.5', 'lots', '-1'])('%s is refused, naming the variable', (value) => {
    expect(() => loadConfig(env({ WORKER_MEMORY_MB: value }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ WORKER_MEMORY_MB: value }))).toThrow(/WORKER_MEMORY_MB/);
  });
});
