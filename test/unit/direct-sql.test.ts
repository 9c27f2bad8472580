import {
  directSql,
  ident,
  insertRows,
  join,
  MAX_BOUND_VALUES,
  sql,
  toDate,
  type DriverAdapter,
} from '../../infra/direct-sql';

/** An adapter that records what it is sent and answers from a script. */
function recordingAdapter(provider: string, fail?: (sqlText: string) => Error | undefined) {
  const sent: { sql: string; args: unknown[]; inTx: boolean }[] = [];
  const events: string[] = [];
  const exec = (inTx: boolean) => async (q: { sql: string; args: unknown[] }) => {
    sent.push({ sql: q.sql, args: q.args, inTx });
    const err = fail?.(q.sql);
    if (err) throw err;
    return 1;
  };
  const adapter: DriverAdapter = {
    provider,
    queryRaw: async (q) => {
      sent.push({ sql: q.sql, args: q.args, inTx: false });
      return {
        columnNames: ['id', 'n'],
        rows: [
          ['a', 1],
          ['b', 2],
        ],
      };
    },
    executeRaw: exec(false),
    startTransaction: async () => {
      events.push('begin');
      return {
        options: { usePhantomQuery: provider === 'sqlite' },
        executeRaw: exec(true),
        commit: async () => void events.push('commit'),
        rollback: async () => void events.push('rollback'),
      };
    },
  };
  return { adapter, sent, events };
}

test('values are bound, never spliced, with each dialect its placeholders', async () => {
  const hostile = 'x\'); DROP TABLE "Company"; --';
  const q = sql`SELECT * FROM ${ident('Company')} WHERE "name" = ${hostile} AND "vatNumber" IN (${join(['1', '2'])})`;
  for (const [provider, text] of [
    ['sqlite', 'SELECT * FROM "Company" WHERE "name" = ? AND "vatNumber" IN (?, ?)'],
    ['postgres', 'SELECT * FROM "Company" WHERE "name" = $1 AND "vatNumber" IN ($2, $3)'],
  ] as const) {
    const { adapter, sent } = recordingAdapter(provider);
    const rows = await directSql(adapter).query(q);
    expect(sent).toEqual([{ sql: text, args: [hostile, '1', '2'], inTx: false }]);
    expect(rows).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
  }
});

test('identifiers come from the code: anything but a plain name is refused', () => {
  expect(() => ident('Company"; DROP')).toThrow(/not an identifier/);
  expect(() => insertRows('Company', [{ 'name" --': 1 }])).toThrow(/not an identifier/);
});

test('only pieces made here are SQL: a value shaped like one is bound', async () => {
  const { adapter, sent } = recordingAdapter('sqlite');
  const lookalike = { parts: ['1; DROP TABLE "Company"'] };
  await directSql(adapter).query(sql`SELECT ${lookalike}`);
  expect(sent[0]).toEqual({ sql: 'SELECT ?', args: [lookalike], inTx: false });
});

test('many rows go in as many statements as keep each under MAX_BOUND_VALUES', () => {
  const rows = Array.from({ length: 12_000 }, (_, i) => ({ id: `r${i}`, n: i }));
  const statements = insertRows('Participant', rows);
  const counts = statements.map((st) => st.parts.filter((p) => typeof p !== 'string').length);
  expect(counts).toEqual([MAX_BOUND_VALUES, MAX_BOUND_VALUES, 24_000 - 2 * MAX_BOUND_VALUES]);
});

test('rows are inserted in one statement with nulls for missing values', async () => {
  const { adapter, sent } = recordingAdapter('postgres');
  const at = new Date('2026-12-01T09:00:00Z');
  await directSql(adapter).transaction([
    ...insertRows('Company', [
      { id: 'c1', city: 'Monza', createdAt: at },
      { id: 'c2', city: null, createdAt: at },
    ]),
  ]);
  expect(sent[0]).toEqual({
    sql: 'INSERT INTO "Company" ("id", "city", "createdAt") VALUES ($1, $2, $3), ($4, $5, $6)',
    args: ['c1', 'Monza', at, 'c2', null, at],
    inTx: true,
  });
});

test('a transaction commits all, or rolls back on the first failure (COMMIT sent where the driver wants it)', async () => {
  const ok = recordingAdapter('postgres');
  await directSql(ok.adapter).transaction([sql`INSERT 1`, sql`INSERT 2`]);
  expect(ok.sent.map((s) => s.sql)).toEqual(['INSERT 1', 'INSERT 2', 'COMMIT']);
  expect(ok.events).toEqual(['begin', 'commit']);

  const lite = recordingAdapter('sqlite'); // libsql's adapter commits itself
  await directSql(lite.adapter).transaction([sql`INSERT 1`]);
  expect(lite.sent.map((s) => s.sql)).toEqual(['INSERT 1']);
  expect(lite.events).toEqual(['begin', 'commit']);

  const bad = recordingAdapter('postgres', (s) => (s === 'INSERT 2' ? new Error('unique') : undefined));
  await expect(directSql(bad.adapter).transaction([sql`INSERT 1`, sql`INSERT 2`, sql`INSERT 3`])).rejects.toThrow(
    'unique',
  );
  expect(bad.sent.map((s) => s.sql)).toEqual(['INSERT 1', 'INSERT 2', 'ROLLBACK']);
  expect(bad.events).toEqual(['begin', 'rollback']);
});

test('dates read back from either driver are the same instant', () => {
  const instant = new Date('2026-12-01T08:30:00.123Z');
  expect(toDate('2026-12-01T08:30:00.123+00:00')).toEqual(instant); // SQLite (libsql)
  expect(toDate('2026-12-01 08:30:00.123')).toEqual(instant); // PostgreSQL timestamp(3), UTC
  expect(toDate(instant)).toBe(instant);
  expect(toDate(null)).toBeNull();
});
