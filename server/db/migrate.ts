// Applies pending migrations from prisma/migrations/<provider>/ at server start, recording each in
// the _rp_migrations table. The same runner serves SQLite and PostgreSQL because Prisma's own
// `migrate deploy` cannot run on PostgreSQL here (no native engine).
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MIGRATIONS_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations')

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export function listMigrations(provider: 'sqlite' | 'postgres'): Migration[] {
  const dir = join(MIGRATIONS_ROOT, provider)
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

/** The few operations the runner needs, over a raw driver connection. */
export interface MigrationDriver {
  /** Runs fn with an exclusive lock so concurrent server starts don't migrate twice. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>
  exec(sql: string): Promise<void>
  applied(): Promise<Map<string, string>>
  /** Runs the migration SQL and records it, in one transaction. */
  apply(m: Migration): Promise<void>
}

export async function migrate(driver: MigrationDriver, migrations: Migration[]): Promise<string[]> {
  return driver.exclusive(async () => {
    await driver.exec(
      'CREATE TABLE IF NOT EXISTS "_rp_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)',
    )
    const done = await driver.applied()
    const applied: string[] = []
    for (const m of migrations) {
      const seen = done.get(m.name)
      if (seen !== undefined) {
        if (seen !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`)
        continue
      }
      await driver.apply(m)
      applied.push(m.name)
    }
    return applied
  })
}
