import os from 'node:os';
import path from 'node:path';

/** Versions of the external servers the embedded stack runs. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1'; // newer tags carry a `replace` directive and cannot be go-installed
export const TEST_SERVER_VERSION = '1.31.0'; // io.temporal:temporal-test-server on Maven Central

/**
 * Binaries are cached outside the repository so that every clone on a machine (and CI) reuses one
 * build. CONCILIAFLOW_CACHE_DIR overrides the location.
 */
export function cacheDir(): string {
  return (
    process.env.CONCILIAFLOW_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'conciliaflow')
  );
}

export function temporalCliCachedPath(): string {
  return path.join(cacheDir(), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

export function testServerCachedPath(): string {
  return path.join(cacheDir(), 'temporal-test-server', TEST_SERVER_VERSION, 'temporal-test-server');
}

export const repoRoot = path.resolve(__dirname, '..');
export const varDir = path.join(repoRoot, 'var');
