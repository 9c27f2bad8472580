/**
 * Checkpoints of a SQLite file's write-ahead log on a thread of their own, so that the thread that
 * answers requests never waits for one.
 *
 * With WAL and synchronous=NORMAL a commit appends pages to the log and syncs nothing; every 1,000
 * pages of log (SQLite's default) the committing connection copies the log back into the database
 * and syncs both files, inside that COMMIT. Measured on the enrollment benchmark (1,200 enrollments,
 * about 700 commits): 31 commits of 3 to 14 ms, 223 of the 324 ms the API's thread spent in COMMIT;
 * every request waiting behind one of those waited with it. SQLite's documentation names the remedy:
 * turn the automatic checkpoint down and run checkpoints from another thread.
 *
 * Here a worker thread holds its own connection to the file and runs a PASSIVE checkpoint every
 * `intervalMs` (a PASSIVE checkpoint never takes the write lock and never waits: writers go on
 * appending while it copies). While it runs, the writer's connection keeps an automatic checkpoint
 * only as a safety net, at SAFETY_AUTOCHECKPOINT_PAGES: a log that keeps growing under sustained
 * writes (a PASSIVE checkpoint cannot reset a log a writer is still appending to) is reset there by
 * the writer as before, with little left to copy. If the thread cannot start or ends, the writer's
 * connection goes back to SQLite's default (infra/sqlite-client.ts).
 */
import { Worker } from 'node:worker_threads';

/** SQLite's default automatic checkpoint, in pages of log. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The writer's own automatic checkpoint while the thread runs (about 16 MB of log at 4 KiB pages). */
export const SAFETY_AUTOCHECKPOINT_PAGES = 4000;
/** How often the thread checkpoints; one with nothing to copy costs microseconds. */
export const CHECKPOINT_INTERVAL_MS = 200;

export interface CheckpointStats {
  /** Checkpoints that copied pages. */
  checkpoints: number;
  /** Pages of log copied into the database in all (at least: a log that restarted between two looks counts from its start). */
  pages: number;
  /** Checkpoints that failed (the thread goes on). */
  failures: number;
}

export interface Checkpointer {
  /** What the thread has done so far. */
  stats(): Promise<CheckpointStats>;
  /** Closes the thread's connection and ends the thread. */
  stop(): Promise<void>;
  /** Ends the thread at once, as a crash would: `onGone` runs (tests). */
  terminate(): Promise<void>;
}

/**
 * The thread's code: plain CommonJS, evaluated in the worker (a TypeScript file would need the
 * loader the main thread runs under, which a worker does not inherit).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const db = new Database(workerData.file);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw();
const stats = { checkpoints: 0, pages: 0, failures: 0 };
let before = 0;
const tick = () => {
  try {
    // [busy, pages in the log, pages of it in the database]; the log restarts after a full copy,
    // so fewer pages copied than last time means a new log (a lower bound of what was copied).
    const [, , done] = checkpoint.get();
    const copied = done >= before ? done - before : done;
    before = done;
    if (copied > 0) {
      stats.checkpoints++;
      stats.pages += copied;
    }
  } catch {
    stats.failures++;
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ stats: { ...stats } });
  else if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage('ready');
`;

/**
 * Starts the thread for the database `file` (an absolute path, in WAL mode). `onReady` runs once
 * its connection is open; `onGone` once, if it fails to start or ends for any reason but `stop`.
 */
export function startCheckpointer(
  file: string,
  opts: { intervalMs?: number; onReady: () => void; onGone: (err?: Error) => void },
): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { libsql: require.resolve('libsql'), file, intervalMs: opts.intervalMs ?? CHECKPOINT_INTERVAL_MS },
  });
  // The thread never keeps a process alive: whatever it has not copied, the next checkpoint does.
  worker.unref();
  let stopping = false;
  let gone = false;
  const lost = (err?: Error) => {
    if (gone || stopping) return;
    gone = true;
    opts.onGone(err);
  };
  const waiting: ((s: CheckpointStats) => void)[] = [];
  worker.on('message', (m: unknown) => {
    if (m === 'ready') opts.onReady();
    else if (typeof m === 'object' && m !== null && 'stats' in m)
      waiting.shift()?.((m as { stats: CheckpointStats }).stats);
  });
  worker.on('error', (err) => lost(err));
  worker.on('exit', () => lost());
  return {
    stats: () =>
      gone
        ? Promise.reject(new Error('the checkpoint thread has ended'))
        : new Promise((resolve) => {
            waiting.push(resolve);
            worker.postMessage('stats');
          }),
    terminate: async () => {
      await worker.terminate();
    },
    stop: async () => {
      if (stopping || gone) return;
      stopping = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      // A thread stuck in a checkpoint (a locked file) is ended after a second.
      const timer = setTimeout(() => void worker.terminate(), 1000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}
