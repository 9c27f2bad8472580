import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { databaseUrl, dialectOf } from './infra/db-url';
import { pgAdapter } from './infra/pg-adapter';

// `engine: "js"` with a driver adapter lets `prisma migrate` run without the Rust schema engine,
// which cannot be downloaded offline (see the comment in prisma/schema.prisma).
// DATABASE_URL picks the database family: postgres(ql):// uses the PostgreSQL schema and migrations
// under prisma/postgres/ (generated from prisma/schema.prisma by scripts/pg-schema.ts), file: SQLite.
const url = databaseUrl();
const postgres = dialectOf(url) === 'postgresql';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: postgres ? path.join('prisma', 'postgres', 'schema.prisma') : path.join('prisma', 'schema.prisma'),
  migrations: { path: postgres ? path.join('prisma', 'postgres', 'migrations') : path.join('prisma', 'migrations') },
  async adapter() {
    return postgres ? pgAdapter(url) : new PrismaLibSQL({ url });
  },
});
