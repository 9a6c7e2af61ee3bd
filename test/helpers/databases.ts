// Fresh databases for tests: a SQLite file in a temp folder, or a new PostgreSQL database on the
// machine's server (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres).
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openDatabase, type Database } from '../../server/db/client.ts'

export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  name: string
  config: { provider: 'sqlite'; file: string } | { provider: 'postgres'; url: string }
  open(): Promise<Database>
  drop(): Promise<void>
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'rp-db-'))
  const config = { provider: 'sqlite' as const, file: join(dir, 'test.db') }
  return {
    name: 'sqlite',
    config,
    open: () => openDatabase(config),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const dbName = `rp_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  await admin.end()
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${dbName}`
  const config = { provider: 'postgres' as const, url: url.toString() }
  return {
    name: 'postgres',
    config,
    open: () => openDatabase(config),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      await c.end()
    },
  }
}

/** Both databases, for suites that must give the same results on each. */
export const DATABASES: [string, () => Promise<TestDatabase>][] = [
  ['sqlite', async () => sqliteDatabase()],
  ['postgres', postgresDatabase],
]

/**
 * The ways the ingest store reaches a database, for its contract suites: on SQLite the server runs
 * the hot path's statements on Prisma's connection (bulk.ts bindSqliteConnection), and without that
 * connection every statement goes through Prisma's query layer, as it always does on PostgreSQL.
 */
export const INGEST_PATHS: [string, () => Promise<TestDatabase>, { direct: boolean }][] = [
  ['sqlite', async () => sqliteDatabase(), { direct: true }],
  ['sqlite through Prisma only', async () => sqliteDatabase(), { direct: false }],
  ['postgres', postgresDatabase, { direct: false }],
]
