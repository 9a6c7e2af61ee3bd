// Prisma CLI configuration. The WebAssembly engine ("js") with a driver adapter lets
// `prisma migrate diff` run with no native engine. Migrations are applied by the server at start
// (server/db/migrate.ts), the same way on SQLite and PostgreSQL.
import { defineConfig } from 'prisma/config'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  async adapter() {
    return new PrismaBetterSQLite3({ url: `file:${join(tmpdir(), 'rating-pad-prisma-cli.db')}` })
  },
})
