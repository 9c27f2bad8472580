/**
 * Hand-written SQL sent straight to the driver adapter under a Prisma client, for the few statements
 * every API request or enrollment makes. Through Prisma even a raw query costs about 0.2 ms of CPU in
 * its query compiler and runtime, more than SQLite takes to run it, and the API spends its one
 * thread there. The adapter is the one Prisma itself uses, so the same rules hold: on SQLite its lock
 * serialises these statements with Prisma's own (infra/sqlite-client.ts), on PostgreSQL its pool
 * hands out connections. Values are bound, never spliced; identifiers come from the code.
 *
 * The same text runs on SQLite and PostgreSQL: identifiers double-quoted, placeholders rendered per
 * dialect (`?` or `$n`), and dates bound by the adapters as Prisma binds them, so rows written here
 * read back through Prisma like rows Prisma wrote (test/e2e/enrollment-writes.test.ts compares them).
 */

/**
 * A piece of SQL with its values in place: build with `sql`, `join` and `ident`. A class, so that
 * only pieces made here are inlined as SQL: any other value, whatever its shape, is bound.
 */
export class Sql {
  constructor(readonly parts: readonly (string | { value: unknown })[]) {}
}

type Part = Sql['parts'][number];

/** A piece of SQL is inlined; any other value is bound. */
function append(parts: Part[], v: unknown): void {
  if (v instanceof Sql) parts.push(...v.parts);
  else parts.push({ value: v });
}

/** Tagged template: `sql\`SELECT … WHERE "id" = ${id}\``; a value that is itself Sql is inlined. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const parts: Part[] = [];
  strings.forEach((s, i) => {
    parts.push(s);
    if (i < values.length) append(parts, values[i]);
  });
  return new Sql(parts);
}

/** Values (bound) or pieces of SQL, separated by `separator`. */
export function join(items: readonly unknown[], separator = ', '): Sql {
  const parts: Part[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push(separator);
    append(parts, item);
  });
  return new Sql(parts);
}

/** A quoted table or column name from the code (letters and underscores only). */
export function ident(name: string): Sql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not an identifier: ${name}`);
  return new Sql([`"${name}"`]);
}

/** Bound values in one statement, well under SQLite's 32,766 and PostgreSQL's 65,535. */
export const MAX_BOUND_VALUES = 10_000;

/**
 * `INSERT INTO "table" (columns) VALUES (…), (…)` for rows that share the keys of the first, as
 * many statements as it takes to keep each under MAX_BOUND_VALUES (run them in one transaction);
 * none for no rows.
 */
export function insertRows(table: string, rows: readonly Record<string, unknown>[]): Sql[] {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(MAX_BOUND_VALUES / columns.length));
  const statements: Sql[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    statements.push(
      sql`INSERT INTO ${ident(table)} (${join(columns.map(ident))}) VALUES ${join(
        chunk.map((r) => sql`(${join(columns.map((c) => r[c] ?? null))})`),
      )}`,
    );
  }
  return statements;
}

interface AdapterQuery {
  sql: string;
  args: unknown[];
  argTypes: { scalarType: 'unknown'; arity: 'scalar' }[];
}
interface AdapterTransaction {
  readonly options: { usePhantomQuery: boolean };
  executeRaw(q: AdapterQuery): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
/** What this module uses of a Prisma driver adapter (@prisma/driver-adapter-utils' SqlDriverAdapter). */
export interface DriverAdapter {
  readonly provider: string;
  queryRaw(q: AdapterQuery): Promise<{ columnNames: string[]; rows: unknown[][] }>;
  executeRaw(q: AdapterQuery): Promise<number>;
  startTransaction(): Promise<AdapterTransaction>;
}

function render(q: Sql, provider: string): AdapterQuery {
  let text = '';
  const args: unknown[] = [];
  for (const p of q.parts) {
    if (typeof p === 'string') text += p;
    else {
      args.push(p.value);
      text += provider === 'postgres' ? `$${args.length}` : '?';
    }
  }
  // The adapters turn Date values into their column format whatever the type says.
  return { sql: text, args, argTypes: args.map(() => ({ scalarType: 'unknown', arity: 'scalar' })) };
}

/** A date column as an adapter returns it: ISO text with its offset (both here), or UTC text without one. */
export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

export interface DirectSql {
  /** Rows as objects keyed by column name (dates as the adapter gives them: see toDate). */
  query<T = Record<string, unknown>>(q: Sql): Promise<T[]>;
  /**
   * The statements in one transaction: all or none. `check` sees the rows each statement changed
   * before the commit; what it throws rolls the transaction back and reaches the caller.
   */
  transaction(statements: readonly Sql[], check?: (changed: number[]) => void): Promise<void>;
}

/** `onQuery` sees every statement, as createDb's option of that name sees Prisma's. */
export function directSql(adapter: DriverAdapter, onQuery?: (sql: string) => void): DirectSql {
  const provider = adapter.provider;
  const seen = (q: AdapterQuery) => {
    onQuery?.(q.sql);
    return q;
  };
  return {
    async query<T>(q: Sql): Promise<T[]> {
      const { columnNames, rows } = await adapter.queryRaw(seen(render(q, provider)));
      return rows.map((row) => Object.fromEntries(columnNames.map((c, i) => [c, row[i]])) as T);
    },
    async transaction(statements: readonly Sql[], check?: (changed: number[]) => void): Promise<void> {
      const tx = await adapter.startTransaction();
      // Prisma sends COMMIT and ROLLBACK itself where the adapter asks it to (pg).
      const say = (word: 'COMMIT' | 'ROLLBACK') =>
        tx.options.usePhantomQuery ? Promise.resolve(0) : tx.executeRaw(seen(render(new Sql([word]), provider)));
      try {
        const changed: number[] = [];
        for (const s of statements) changed.push(await tx.executeRaw(seen(render(s, provider))));
        check?.(changed);
        await say('COMMIT');
      } catch (err) {
        await say('ROLLBACK').catch(() => undefined);
        await tx.rollback().catch(() => undefined);
        throw err;
      }
      await tx.commit();
    },
  };
}
