// Opens the database named by the configuration: a SQLite file (embedded default) or PostgreSQL,
// applies pending migrations, and returns one Prisma client type for both.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient as SqliteClient } from './generated/sqlite/client.ts'
import { PrismaClient as PostgresClient } from './generated/postgres/client.ts'
import { trackSqliteTransactions } from './bulk.ts'
import { startCheckpointer, type Checkpointer } from './checkpointer.ts'
import { listMigrations, migrate, type MigrationDriver } from './migrate.ts'
import type { AppConfig } from '../config.ts'

/** Both generated clients have the same models; the SQLite one's type stands for both. */
export type Db = SqliteClient

export interface Database {
  prisma: Db
  provider: 'sqlite' | 'postgres'
  /**
   * SQLite: the one connection Prisma's adapter runs every statement on. Only for statements run
   * inside a Prisma transaction's callback (see bindSqliteConnection in bulk.ts).
   */
  sqlite?: BetterSqlite3.Database
  /** SQLite: the worker that checkpoints the WAL (checkpointer.ts). */
  checkpointer?: Checkpointer
  /** Names of migrations applied by this start. */
  migrated: string[]
  close(): Promise<void>
}

export async function openDatabase(config: AppConfig['database']): Promise<Database> {
  return config.provider === 'sqlite' ? openSqlite(config.file) : openPostgres(config.url)
}

async function openSqlite(file: string): Promise<Database> {
  mkdirSync(dirname(file), { recursive: true })
  const raw = new BetterSqlite3(file)
  let migrated: string[]
  try {
    // WAL lets reports read while ingest writes; it is a property of the file and stays set.
    raw.pragma('journal_mode = WAL')
    raw.pragma('busy_timeout = 5000')
    migrated = await migrate(sqliteDriver(raw), listMigrations('sqlite'))
  } finally {
    raw.close()
  }
  const adapter = new ConnectionKeepingAdapter({ url: `file:${file}`, timeout: 5000 })
  const prisma = new SqliteClient({ adapter, transactionOptions: TRANSACTION_OPTIONS })
  // An ack promises the rating is on disk: keep full fsync on commit (batched commits keep it cheap).
  await prisma.$executeRawUnsafe('PRAGMA synchronous = FULL')
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON')
  // Each multi-row INSERT … RETURNING keeps a statement journal; in a temp file that cost a dozen
  // writes per rating (measured), in memory it is a copy of the pages the statement changes.
  await prisma.$executeRawUnsafe('PRAGMA temp_store = MEMORY')
  const checkpointer = startCheckpointer(file, () => adapter.connection ?? undefined)
  return {
    prisma,
    provider: 'sqlite',
    checkpointer,
    // A getter: Prisma opens a new connection if it reconnects.
    get sqlite() {
      return adapter.connection ?? undefined
    },
    migrated,
    close: async () => {
      await checkpointer.stop()
      await prisma.$disconnect()
    },
  }
}

/**
 * Prisma's SQLite adapter factory, keeping the connection it opens (its `client` field) and which
 * of its transactions is open now, so statements run directly on the connection (bulk.ts) can
 * tell that theirs still is.
 */
class ConnectionKeepingAdapter extends PrismaBetterSQLite3 {
  connection: BetterSqlite3.Database | null = null
  override async connect() {
    const adapter = await super.connect()
    const connection = (adapter as unknown as { client: BetterSqlite3.Database }).client
    let open: object | null = null
    const start = adapter.startTransaction.bind(adapter)
    adapter.startTransaction = async (...args) => {
      const transaction = await start(...args)
      open = transaction
      for (const end of ['commit', 'rollback'] as const) {
        const f = transaction[end].bind(transaction)
        transaction[end] = () => {
          if (open === transaction) open = null
          return f()
        }
      }
      return transaction
    }
    trackSqliteTransactions(connection, () => open)
    this.connection = connection
    return adapter
  }
}

/**
 * Prisma waits 2 s by default for a connection to start a transaction, then fails. Under a burst
 * (200 pads signing in while batches commit) every connection can be busy for longer, and a
 * sign-in or a follow-up step failing for that alone is wrong: wait, as the ingest commit does.
 */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 60_000 }

function sqliteDriver(db: BetterSqlite3.Database): MigrationDriver {
  return {
    async exclusive(fn) {
      return fn() // one file, and better-sqlite3's BEGIN IMMEDIATE in apply() serialises writers
    },
    async exec(sql) {
      db.exec(sql)
    },
    async applied() {
      const rows = db.prepare('SELECT "name", "checksum" FROM "_rp_migrations"').all() as {
        name: string
        checksum: string
      }[]
      return new Map(rows.map((r) => [r.name, r.checksum]))
    },
    async apply(m) {
      db.transaction(() => {
        db.exec(m.sql)
        db.prepare('INSERT INTO "_rp_migrations" ("name", "checksum", "appliedAt") VALUES (?, ?, ?)').run(
          m.name,
          m.checksum,
          new Date().toISOString(),
        )
      }).immediate()
    },
  }
}

async function openPostgres(url: string): Promise<Database> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  let migrated: string[]
  try {
    migrated = await migrate(postgresDriver(client), listMigrations('postgres'))
  } finally {
    await client.end()
  }
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  // An idle connection the database ends (a restart, an administrator, DROP … FORCE) errors with no
  // query to fail; without a listener that error would end the process. The pool drops that
  // connection and opens a new one for the next query.
  pool.on('error', (err) => process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`))
  const prisma = new PostgresClient({
    adapter: new PrismaPg(pool),
    transactionOptions: TRANSACTION_OPTIONS,
  }) as unknown as Db
  return {
    prisma,
    provider: 'postgres',
    migrated,
    close: async () => {
      await prisma.$disconnect()
      await pool.end().catch(() => {})
    },
  }
}

function postgresDriver(client: pg.Client): MigrationDriver {
  const LOCK = 7_151_842 // any constant: the advisory lock that serialises migrating instances
  return {
    async exclusive(fn) {
      await client.query('SELECT pg_advisory_lock($1)', [LOCK])
      try {
        return await fn()
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [LOCK])
      }
    },
    async exec(sql) {
      await client.query(sql)
    },
    async applied() {
      const { rows } = await client.query<{ name: string; checksum: string }>(
        'SELECT "name", "checksum" FROM "_rp_migrations"',
      )
      return new Map(rows.map((r) => [r.name, r.checksum]))
    },
    async apply(m) {
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query(
          'INSERT INTO "_rp_migrations" ("name", "checksum", "appliedAt") VALUES ($1, $2, $3)',
          [m.name, m.checksum, new Date().toISOString()],
        )
        await client.query('COMMIT')
      } catch (e) {
        await client.query('ROLLBACK')
        throw e
      }
    },
  }
}
