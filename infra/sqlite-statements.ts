/**
 * Prepared statements kept per SQLite connection. @libsql/client 0.8 prepares every statement anew
 * (`db.prepare(sql)` in its executeStmt, for Prisma's queries and the hand-written ones alike), and
 * on the enrollment path preparing cost more than running: about 1.2 ms of the API's one thread per
 * enrollment for ten statements whose text never changes (the token look-up, the edition, the
 * INSERTs, BEGIN and COMMIT), measured with a timer around libsql's `prepare`, `run` and `all`.
 *
 * The libsql connection under @libsql/client cannot be reached (a private field), so `prepare` is
 * wrapped on libsql's Database class, once per process, with one cache per connection object:
 * the most recently used STATEMENT_CACHE_SIZE texts. Reuse is safe for how @libsql/client uses a
 * statement: it prepares, runs it to the end (`all` or `run`, synchronously) and drops it, so no two
 * uses of one statement overlap; a statement binds its values afresh on each run, is usable again
 * after it failed (checked: a constraint violation, an error while stepping), and SQLite prepares
 * it again by itself after a schema change. A connection replaced after an error
 * (infra/sqlite-client.ts) takes its cache with it; a closed connection's statements go with it.
 *
 * @libsql/client also asks every statement for its columns twice per execution, and libsql builds
 * that list anew each time (about 25 microseconds for a row of fourteen columns, more than running
 * the look-up itself): the list is kept with the statement. A connection that changes the schema
 * itself (a text with CREATE, ALTER or DROP through it) drops its whole cache, so its next
 * statements are prepared, and their columns read, afresh; such a text is not kept itself, so only
 * a miss is scanned for those words.
 *
 * One caveat: @libsql/client reads a statement's column names and types before it steps it, and
 * SQLite re-prepares an expired statement only on the step; with the list kept, after ANOTHER
 * process or another connection of this one changed the schema (a migration while it runs) a
 * cached statement whose columns changed would be read with the old names until the process
 * restarts (the service's own SQL names its columns, so only a `SELECT *` could be affected). Restart the API and workers after migrating a SQLite
 * database they have open (`npm start` migrates before it opens one).
 */
import Database from 'libsql';

/** Distinct statement texts kept per connection (multi-row INSERTs differ by their number of rows). */
export const STATEMENT_CACHE_SIZE = 256;

type Prepared = ReturnType<Database.Database['prepare']>;
const caches = new WeakMap<object, Map<string, Prepared>>();
/**
 * A text that may change the schema: CREATE, ALTER or DROP anywhere in it (after comments, in a
 * script of several statements). A false match only drops the cache.
 */
const SCHEMA_CHANGE = /\b(CREATE|ALTER|DROP)\b/i;
let installed = false;

/** Installs the cache (idempotent). */
export function cacheSqliteStatements(): void {
  if (installed) return;
  installed = true;
  const proto = (Database as unknown as { prototype: { prepare(sql: string, ...rest: unknown[]): Prepared } })
    .prototype;
  const prepare = proto.prepare;
  const exec = (proto as unknown as { exec(sql: string): unknown }).exec;
  (proto as unknown as { exec(sql: string): unknown }).exec = function exec_(this: object, sql: string) {
    if (SCHEMA_CHANGE.test(sql)) caches.delete(this);
    return exec.call(this, sql);
  };
  proto.prepare = function cachedPrepare(this: object, sql: string, ...rest: unknown[]): Prepared {
    let cache = caches.get(this);
    // A text in the cache is no schema change (those are never kept): a hit is not scanned again.
    const hit = cache?.get(sql);
    if (cache && hit) {
      // Most recently used last: the first key is the one to drop.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    if (SCHEMA_CHANGE.test(sql)) {
      caches.delete(this);
      return prepare.call(this, sql, ...rest);
    }
    if (!cache) caches.set(this, (cache = new Map()));
    const stmt = keepModes(keepColumns(prepare.call(this, sql, ...rest)));
    cache.set(sql, stmt);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return stmt;
  };
}

/** The statement's column list, read once (a statement's columns change only with the schema). */
function keepColumns(stmt: Prepared): Prepared {
  const columns = stmt.columns.bind(stmt);
  let kept: ReturnType<Prepared['columns']> | undefined;
  stmt.columns = () => (kept ??= columns());
  return stmt;
}

/**
 * The statement's modes set once, not on every execution. @libsql/client calls `safeIntegers(true)`
 * and `raw(true)` before each run, and for a statement that returns no data (an INSERT, BEGIN,
 * COMMIT) libsql's `raw` throws, a native error made and caught every time: on the enrollment path
 * that cost about 0.2 ms of the API's thread per enrollment, more than running the statements it
 * was about. Whether a statement returns data is fixed by its text, so its first refusal is
 * remembered and thrown again as it is; a mode is passed to libsql only when it changes.
 */
function keepModes(stmt: Prepared): Prepared {
  const raw = stmt.raw.bind(stmt);
  const safeIntegers = stmt.safeIntegers.bind(stmt);
  let rawMode: boolean | undefined;
  let integersMode: boolean | undefined;
  let refusal: unknown;
  stmt.raw = (toggle?: boolean) => {
    if (refusal !== undefined) throw refusal;
    const mode = toggle ?? true;
    if (mode !== rawMode) {
      try {
        raw(mode);
      } catch (err) {
        // Only the refusal of a statement that returns no data is kept; anything else is thrown as it came.
        if (!stmt.reader) refusal = err;
        throw err;
      }
      rawMode = mode;
    }
    return stmt;
  };
  stmt.safeIntegers = (toggle?: boolean) => {
    const mode = toggle ?? true;
    if (mode !== integersMode) {
      safeIntegers(mode);
      integersMode = mode;
    }
    return stmt;
  };
  return stmt;
}

/** How many statements a connection object holds prepared (tests). */
export function cachedStatementCount(connection: object): number {
  return caches.get(connection)?.size ?? 0;
}
