/**
 * The per-connection cache of prepared statements under @libsql/client (infra/sqlite-statements.ts):
 * one statement per text and connection, bounded, and a reused statement behaves as a new one
 * (fresh values, usable after an error, after a schema change).
 */
import Database from 'libsql';
import { cachedStatementCount, cacheSqliteStatements, STATEMENT_CACHE_SIZE } from '../../infra/sqlite-statements';

cacheSqliteStatements();

function memoryDb() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
  return db;
}

test('the same text on the same connection is prepared once; another connection prepares its own', () => {
  const a = memoryDb();
  const b = memoryDb();
  const sql = 'SELECT v FROM t WHERE id = ?';
  expect(a.prepare(sql)).toBe(a.prepare(sql));
  expect(b.prepare(sql)).not.toBe(a.prepare(sql));
  expect(a.prepare('SELECT 1')).not.toBe(a.prepare(sql));
  expect(cachedStatementCount(a)).toBe(2);
  expect(cachedStatementCount(b)).toBe(1);
});

test('a reused statement binds new values, and works again after a constraint violation and an error while stepping', () => {
  const db = memoryDb();
  const insert = 'INSERT INTO t (v) VALUES (?)';
  db.prepare(insert).run(['a']);
  expect(() => db.prepare(insert).run(['a'])).toThrow(/UNIQUE/);
  db.prepare(insert).run(['b']);
  const select = db.prepare('SELECT v FROM t WHERE v >= ? ORDER BY v');
  expect(select.all(['a'])).toEqual([{ v: 'a' }, { v: 'b' }]);
  expect(db.prepare('SELECT v FROM t WHERE v >= ? ORDER BY v').all(['b'])).toEqual([{ v: 'b' }]);
  // abs() of the smallest integer overflows while stepping; the statement is usable afterwards.
  db.exec('CREATE TABLE n (x INTEGER)');
  db.exec('INSERT INTO n VALUES (1), (-9223372036854775808), (3)');
  const abs = 'SELECT abs(x) AS a FROM n WHERE x >= ? ORDER BY x';
  expect(() => db.prepare(abs).all([-9223372036854775808n])).toThrow(/overflow/);
  expect(db.prepare(abs).all([0])).toEqual([{ a: 1 }, { a: 3 }]);
  // A transaction opened and closed by cached BEGIN and COMMIT statements commits.
  db.prepare('BEGIN IMMEDIATE').run([]);
  db.prepare(insert).run(['c']);
  db.prepare('COMMIT').run([]);
  db.prepare('BEGIN IMMEDIATE').run([]);
  db.prepare(insert).run(['d']);
  db.prepare('COMMIT').run([]);
  expect(db.inTransaction).toBe(false);
  expect(db.prepare('SELECT count(*) AS c FROM t').all([])).toEqual([{ c: 4 }]);
});

test('a cached statement sees a column added after it was prepared', () => {
  const db = memoryDb();
  db.prepare('INSERT INTO t (v) VALUES (?)').run(['a']);
  const all = 'SELECT * FROM t';
  expect(db.prepare(all).all([])).toEqual([{ id: 1, v: 'a' }]);
  db.exec('ALTER TABLE t ADD COLUMN w TEXT');
  expect(db.prepare(all).all([])).toEqual([{ id: 1, v: 'a', w: null }]);
});

test('the least recently used text goes once a connection holds STATEMENT_CACHE_SIZE', () => {
  const db = memoryDb();
  const first = db.prepare('SELECT 0');
  const one = db.prepare('SELECT 1');
  const two = db.prepare('SELECT 2');
  for (let i = 3; i < STATEMENT_CACHE_SIZE; i++) db.prepare(`SELECT ${i}`);
  expect(db.prepare('SELECT 0')).toBe(first); // used again: now the most recent
  db.prepare('SELECT -1'); // one past the bound: "SELECT 1", the least recent, goes
  expect(cachedStatementCount(db)).toBe(STATEMENT_CACHE_SIZE);
  expect(db.prepare('SELECT 0')).toBe(first);
  expect(db.prepare('SELECT 2')).toBe(two);
  expect(db.prepare('SELECT 1')).not.toBe(one); // prepared again
});

test('a statement keeps its column list, and reads it again once its connection changes the schema', () => {
  const db = memoryDb();
  const all = db.prepare('SELECT * FROM t');
  const first = all.columns();
  expect(first.map((c) => c.name)).toEqual(['id', 'v']);
  expect(db.prepare('SELECT * FROM t').columns()).toBe(first); // kept, not built again
  db.exec('ALTER TABLE t ADD COLUMN w TEXT');
  expect(
    db
      .prepare('SELECT * FROM t')
      .columns()
      .map((c) => c.name),
  ).toEqual(['id', 'v', 'w']);
  // A schema change through a prepared statement counts too.
  db.prepare('ALTER TABLE t ADD COLUMN x INTEGER').run([]);
  expect(cachedStatementCount(db)).toBe(0); // the cache dropped, and the schema change itself not kept
  expect(
    db
      .prepare('SELECT * FROM t')
      .columns()
      .map((c) => c.name),
  ).toEqual(['id', 'v', 'w', 'x']);
  // Another connection's columns are its own.
  const other = memoryDb();
  expect(
    other
      .prepare('SELECT * FROM t')
      .columns()
      .map((c) => c.name),
  ).toEqual(['id', 'v']);
});

test('a schema change after a comment, or later in a script, drops the cache too', () => {
  const db = memoryDb();
  const all = db.prepare('SELECT * FROM t');
  expect(all.columns().map((c) => c.name)).toEqual(['id', 'v']);
  db.exec('-- AddColumn\nALTER TABLE t ADD COLUMN w TEXT');
  expect(db.prepare('SELECT * FROM t')).not.toBe(all);
  expect(
    db
      .prepare('SELECT * FROM t')
      .columns()
      .map((c) => c.name),
  ).toEqual(['id', 'v', 'w']);
  const again = db.prepare('SELECT * FROM t');
  db.exec('PRAGMA foreign_keys=OFF; ALTER TABLE t ADD COLUMN x TEXT');
  expect(db.prepare('SELECT * FROM t')).not.toBe(again);
  // "createdAt" is not CREATE: an ordinary statement keeps the cache.
  db.exec('ALTER TABLE t ADD COLUMN createdAt TEXT');
  const kept = db.prepare('SELECT "createdAt" FROM t');
  expect(db.prepare('SELECT "createdAt" FROM t')).toBe(kept);
});

test('modes are kept per statement: raw and safeIntegers switch both ways, and a statement with no data refuses raw every time', () => {
  const db = memoryDb();
  db.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run([9007199254740993n, 'big']);
  const sql = 'SELECT id, v FROM t';
  expect(db.prepare(sql).raw(true).safeIntegers(true).all([])).toEqual([[9007199254740993n, 'big']]);
  expect(db.prepare(sql).raw(true).safeIntegers(true).all([])).toEqual([[9007199254740993n, 'big']]);
  expect(db.prepare(sql).raw(false).all([])).toEqual([{ id: 9007199254740993n, v: 'big' }]);
  expect(db.prepare(sql).safeIntegers(false).all([])).toEqual([{ id: 9007199254740992, v: 'big' }]);
  expect(db.prepare(sql).raw().all([])).toEqual([[9007199254740992, 'big']]);

  const update = db.prepare('UPDATE t SET v = v WHERE id = 0');
  let first: unknown;
  try {
    update.raw(true);
  } catch (err) {
    first = err;
  }
  expect(String(first)).toMatch(/only for statements that return data/);
  let second: unknown;
  try {
    db.prepare('UPDATE t SET v = v WHERE id = 0').raw(true);
  } catch (err) {
    second = err;
  }
  // The same refusal, not a new native error made and caught on every execution.
  expect(second).toBe(first);
  // Refused, it still runs as a statement that returns no data.
  expect(db.prepare("UPDATE t SET v = 'b' WHERE id = 9007199254740993").run([]).changes).toBe(1);
});
