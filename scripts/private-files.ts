/**
 * Everything the embedded stack keeps under var/ is private to the user running it: the database,
 * the Temporal state, the caught emails (with working opt-out links), the first admin's password
 * and the CLI token. Folders 0700, files 0600, whatever the umask of the shell that started it.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The umask that gives new files 0600 and new folders 0700, inherited by child processes. */
export const PRIVATE_UMASK = 0o077;

/** Creates `dir` if needed and closes it and everything below it (symbolic links are left alone). */
export function makePrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      fs.chmodSync(p, PRIVATE_DIR_MODE);
      for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    } else if (st.isFile()) fs.chmodSync(p, PRIVATE_FILE_MODE);
  };
  walk(dir);
}

/** The database file of a SQLite URL (`file:/path`, `file:///path` or a plain path); undefined for anything else. */
export function sqliteFileOf(url: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^file:/i.test(url)) return undefined;
  const file = url.replace(/^file:(\/\/(?=\/))?/i, '').split('?')[0]!;
  return file && file !== ':memory:' ? file : undefined;
}

/** Closes a SQLite database file and its -wal, -shm and -journal companions, where they exist. */
export function closeSqliteFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      fs.chmodSync(file + suffix, PRIVATE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * The database of a SQLite URL created empty (a valid, empty database) with mode 0600, or an
 * existing one closed: SQLite gives its -wal, -shm and -journal files the mode of the database
 * file, so they follow. PostgreSQL and remote libsql URLs are left alone.
 */
export function privateSqliteDatabase(url: string): void {
  const file = sqliteFileOf(url);
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  closeSqliteFiles(file);
}

/** Runs `fn` (a spawn) under the private umask, so the child creates its files private. */
export function withPrivateUmask<T>(fn: () => T): T {
  const previous = process.umask(PRIVATE_UMASK);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}
