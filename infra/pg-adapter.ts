/**
 * The PostgreSQL driver adapter, for the application (infra/db.ts) and for `prisma migrate`
 * (prisma.config.ts).
 */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

const NAME_OID = 19;
const TEXT_OID = 25;

function nameColumnsAsText<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as Partial<pg.QueryResult> | undefined)?.fields ?? []) {
      if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/**
 * A pg client that reports columns of PostgreSQL's internal `name` type (identifiers in the
 * catalogs) as text. @prisma/adapter-pg 6.19 refuses that type ("Column type 'name' could not be
 * deserialized", prisma/prisma#27403), and the JS schema engine behind `prisma migrate deploy`
 * reads such columns when it inspects the database. The values are plain strings either way.
 */
class NameAsTextClient extends pg.Client {}
const originalQuery = pg.Client.prototype.query;
NameAsTextClient.prototype.query = function query(this: pg.Client, ...args: unknown[]): unknown {
  const last = args.at(-1);
  if (typeof last === 'function') {
    const callback = last as (err: Error | null, res?: unknown) => void;
    const wrapped = (err: Error | null, res?: unknown) => callback(err, err ? res : nameColumnsAsText(res));
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, [...args.slice(0, -1), wrapped]);
  }
  const ret = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  return ret instanceof Promise ? ret.then(nameColumnsAsText) : ret;
} as typeof originalQuery;

/**
 * A Prisma driver adapter factory for a postgres:// or postgresql:// URL. Idle pooled connections
 * do not keep the process alive (the Prisma CLI would otherwise wait out the pool's idle timeout).
 */
export function pgAdapter(url: string): PrismaPg {
  return new PrismaPg({ connectionString: url, Client: NameAsTextClient, allowExitOnIdle: true });
}
