import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { databaseUrl } from './activities/db-url';

// `engine: "js"` with a driver adapter lets `prisma migrate` run without the Rust schema engine,
// which cannot be downloaded offline (see the comment in prisma/schema.prisma).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaLibSQL({ url: databaseUrl() });
  },
});
