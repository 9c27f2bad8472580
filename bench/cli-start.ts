/**
 * `npm run bench -- cli-start`: whole-process wall time of the CLI against a bare Node start
 * measured in the same run (`node -e 0`), each command RUNS times, interleaved round by round so
 * that a busy machine weighs on all alike: `--help` from the compiled dist/cli.js and from the
 * TypeScript through tsx (CONCILIAFLOW_CLI_SOURCE=1, what every call cost before), `npx
 * conciliaflow --help`, and `npx conciliaflow show <id>` against a small HTTP server in this
 * process that answers the enrollment (the CLI's cost, not the service's). Builds dist/ first when
 * it is not current. Prints median/min/max in ms and each median over `node -e 0`'s; each npx
 * command also over npx's own floor, `npx noop` in a project whose node_modules/.bin holds a shell
 * no-op (what npx costs before any command of ours runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildCli, cliBuildIsCurrent } from '../scripts/build-cli';
import { repoRoot } from '../scripts/paths';
import { print, round } from './common';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ID = 'enr_bench';

const view = {
  id: ID,
  status: 'active',
  kind: 'welfare-aziendale',
  company: { name: 'Officine Brambilla S.r.l.' },
  pathway: {
    steps: [
      { key: 'intake', status: 'done', dueAt: '2026-03-02T17:00:00.000Z', name: { it: 'Colloquio di avvio' } },
      { key: 'needs-analysis', status: 'active', dueAt: '2026-04-15T16:00:00.000Z', name: { it: 'Analisi' } },
    ],
  },
};

export async function benchCliStart(): Promise<void> {
  if (!cliBuildIsCurrent()) await buildCli();
  const server = http.createServer((req, res) => {
    const found = req.url === `/enrollments/${ID}`;
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found ? view : { error: { code: 'not_found', message: 'not found' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bin = path.join(repoRoot, 'bin', 'conciliaflow.js');
  // npx's own floor: a project whose node_modules/.bin holds a shell no-op, run as `npx noop`.
  const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-npx-floor-'));
  fs.mkdirSync(path.join(floorDir, 'node_modules', '.bin'), { recursive: true });
  fs.writeFileSync(path.join(floorDir, 'package.json'), '{"name":"npx-floor","private":true}\n');
  fs.writeFileSync(path.join(floorDir, 'node_modules', '.bin', 'noop'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const env: NodeJS.ProcessEnv = { ...process.env, CONCILIAFLOW_URL: url, CONCILIAFLOW_TOKEN: 'bench' };
  delete env.NODE_OPTIONS;
  const commands: Record<string, { cmd: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string }> = {
    'node -e 0': { cmd: process.execPath, args: ['-e', '0'] },
    'npx noop (a shell no-op in node_modules/.bin: npx alone)': { cmd: 'npx', args: ['noop'], cwd: floorDir },
    'node bin/conciliaflow.js --help': { cmd: process.execPath, args: [bin, '--help'] },
    'node bin/conciliaflow.js --help (source through tsx)': {
      cmd: process.execPath,
      args: [bin, '--help'],
      env: { ...env, CONCILIAFLOW_CLI_SOURCE: '1' },
    },
    [`node bin/conciliaflow.js show ${ID}`]: { cmd: process.execPath, args: [bin, 'show', ID] },
    'npx conciliaflow --help': { cmd: 'npx', args: ['conciliaflow', '--help'] },
    [`npx conciliaflow show ${ID}`]: { cmd: 'npx', args: ['conciliaflow', 'show', ID] },
    [`npx conciliaflow show ${ID} (source through tsx)`]: {
      cmd: 'npx',
      args: ['conciliaflow', 'show', ID],
      env: { ...env, CONCILIAFLOW_CLI_SOURCE: '1' },
    },
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [name, c] of Object.entries(commands)) {
        const started = performance.now();
        // Spawned asynchronously: the server in this process answers `show` meanwhile.
        const r = await runCommand(c.cmd, c.args, c.env ?? env, c.cwd ?? repoRoot);
        times[name]!.push(performance.now() - started);
        if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr}`);
        if (name.includes('show') && !r.stdout.includes('Officine Brambilla')) throw new Error(`${name}: ${r.stdout}`);
      }
      process.stderr.write(`round ${i + 1}/${RUNS}\n`);
    }
  } finally {
    server.close();
    fs.rmSync(floorDir, { recursive: true, force: true });
  }
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    return { medianMs: round(mid), minMs: round(s[0]!), maxMs: round(s[s.length - 1]!) };
  };
  const base = stats(times['node -e 0']!).medianMs;
  const npxFloor = stats(times['npx noop (a shell no-op in node_modules/.bin: npx alone)']!).medianMs;
  print({
    benchmark: 'cli-start',
    runs: RUNS,
    load: spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim(),
    results: Object.fromEntries(
      Object.entries(times).map(([name, xs]) => {
        const s = stats(xs);
        const overNpx = cmdOf(name) === 'npx' ? { overNpxFloor: round(s.medianMs / npxFloor, 2) } : {};
        return [name, { ...s, overBareNode: round(s.medianMs / base, 2), ...overNpx }];
      }),
    ),
  });
}

function cmdOf(name: string): string {
  return name.split(' ')[0]!;
}

function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
