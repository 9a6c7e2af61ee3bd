// Multi-row INSERT and key lookups in raw SQL, for the ingest hot path. Prisma's createMany and
// findMany cost far more in the client than in the database (measured: ~6× slower for a batch of
// 500 ratings), and these statements are plain SQL both SQLite and PostgreSQL accept.
// Prisma.sql picks the placeholder style of each database and encodes Dates the way Prisma does.
import type BetterSqlite3 from 'better-sqlite3'
import { Prisma } from './generated/sqlite/client.ts'

/** The smallest host-parameter limit among the supported databases (Prisma's SQLite adapter). */
export const MAX_PARAMS = 999

type Sql = {
  $executeRaw(query: Prisma.Sql): Promise<number>
  $queryRaw<T>(query: Prisma.Sql): Promise<T>
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

/**
 * SQLite only: the connection under Prisma, bound to a transaction's client while that transaction
 * runs. Prisma's SQLite adapter holds one connection and runs a transaction's statements on it
 * between BEGIN and COMMIT, so a statement run here directly (synchronously, inside the callback)
 * is part of the same transaction. The hot path then skips Prisma's query layer and re-preparing:
 * measured at about half the commit's time on the ingest bench.
 */
const directConnections = new WeakMap<object, { db: BetterSqlite3.Database; transaction: object }>()
const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>()
/** Per connection: the adapter transaction open on it now, or null (kept by client.ts). */
const openTransactions = new WeakMap<BetterSqlite3.Database, () => object | null>()

export function trackSqliteTransactions(db: BetterSqlite3.Database, open: () => object | null) {
  openTransactions.set(db, open)
}

/** Call first thing inside the transaction's callback: it names the transaction now open. */
export function bindSqliteConnection(tx: object, db: BetterSqlite3.Database | undefined) {
  const transaction = db && openTransactions.get(db)?.()
  if (db && transaction) directConnections.set(tx, { db, transaction })
}

/**
 * The bound connection, while the transaction it was bound in is still the one open on it. Prisma
 * ends a transaction that outlives its timeout while the callback runs on; a statement run after
 * that would be committed on its own (or join the next transaction), so it throws instead.
 */
function direct(tx: object): BetterSqlite3.Database | undefined {
  const bound = directConnections.get(tx)
  if (!bound) return undefined
  if (!bound.db.inTransaction || openTransactions.get(bound.db)?.() !== bound.transaction)
    throw new Error('the transaction has ended (rolled back or timed out); nothing is written outside it')
  return bound.db
}

function prepared(db: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = statements.get(db)
  if (!cache) statements.set(db, (cache = new Map()))
  let st = cache.get(sql)
  if (!st) {
    // IN lists make a statement per list length: keep the cache from growing without end.
    if (cache.size >= 500) cache.clear()
    cache.set(sql, (st = db.prepare(sql)))
  }
  return st
}

/**
 * Inserts rows (all with the same keys) into a table; rows that hit a unique key are skipped.
 * The rows travel as one JSON parameter that the database unpacks (SQLite json_each, PostgreSQL
 * json_populate_recordset), because Prisma's per-parameter cost dominates a multi-row VALUES list.
 * Returns the `id` of each row really inserted: a row another server instance inserted meanwhile
 * (after this transaction looked) is skipped here and must not be counted again.
 */
export async function insertRows(
  tx: Sql,
  table: string,
  rows: Record<string, unknown>[],
): Promise<Set<string>> {
  if (!rows.length) return new Set()
  const cols = Object.keys(rows[0])
  const db = direct(tx)
  if (db) {
    const insert = prepared(
      db,
      `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    )
    const inserted = new Set<string>()
    for (const r of rows)
      if (insert.run(cols.map((c) => sqliteValue(r[c]))).changes === 1) inserted.add(r.id as string)
    return inserted
  }
  const provider = (tx as { _activeProvider?: string })._activeProvider
  const into = `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) `
  const returning = ' ON CONFLICT DO NOTHING RETURNING "id"'
  const ids = (found: { id: string }[]) => new Set(found.map((r) => r.id))
  if (provider === 'postgresql' || provider === 'postgres') {
    const json = JSON.stringify(rows, (_k, v) => (v === undefined ? null : v))
    return ids(
      await tx.$queryRaw<{ id: string }[]>(
        Prisma.sql`${Prisma.raw(`${into}SELECT ${cols.map(q).join(', ')} FROM json_populate_recordset(NULL::${q(table)}, `)}${json}${Prisma.raw(`::json)${returning}`)}`,
      ),
    )
  }
  if (provider === 'sqlite') {
    // Dates exactly as Prisma's SQLite adapter writes them, so comparisons and sorting agree.
    const json = JSON.stringify(rows.map((r) => Object.fromEntries(cols.map((c) => [c, sqliteValue(r[c])]))))
    const select = cols.map((c) => `json_extract(value, '$."${c}"')`).join(', ')
    // "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    return ids(
      await tx.$queryRaw<{ id: string }[]>(
        Prisma.sql`${Prisma.raw(`${into}SELECT ${select} FROM json_each(`)}${json}${Prisma.raw(`) WHERE true${returning}`)}`,
      ),
    )
  }
  const inserted = new Set<string>()
  const perStatement = Math.floor(MAX_PARAMS / cols.length)
  for (let i = 0; i < rows.length; i += perStatement) {
    const values = rows
      .slice(i, i + perStatement)
      .map((r) => Prisma.sql`(${Prisma.join(cols.map((c) => r[c] ?? null))})`)
    for (const id of ids(
      await tx.$queryRaw<{ id: string }[]>(
        Prisma.sql`${Prisma.raw(`${into}VALUES `)}${Prisma.join(values)}${Prisma.raw(returning)}`,
      ),
    ))
      inserted.add(id)
  }
  return inserted
}

/**
 * A query (Prisma.sql) on the bound SQLite connection when the transaction has one, else through
 * Prisma. Rows come back as the database gives them: on SQLite, dates are ISO text and booleans 0/1.
 */
export async function queryRows<T>(tx: Sql, query: Prisma.Sql): Promise<T[]> {
  const db = direct(tx)
  if (!db) return tx.$queryRaw<T[]>(query)
  return prepared(db, query.sql).safeIntegers(false).all(query.values.map(sqliteValue)) as T[]
}

/** A statement (Prisma.sql) without rows, as queryRows; returns how many rows it changed. */
export async function execute(tx: Sql, query: Prisma.Sql): Promise<number> {
  const db = direct(tx)
  if (!db) return tx.$executeRaw(query)
  return prepared(db, query.sql).run(query.values.map(sqliteValue)).changes
}

function sqliteValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00')
  if (typeof v === 'boolean') return v ? 1 : 0
  return v ?? null
}

/** Which (deviceId, id) pairs already exist in a table, as `${deviceId}\0${id}` keys. */
export async function existingKeys(
  tx: Sql,
  table: string,
  idColumn: string,
  pairs: [string, string][],
): Promise<Set<string>> {
  const found = new Set<string>()
  const db = direct(tx)
  if (db) {
    const exists = prepared(
      db,
      `SELECT 1 FROM ${q(table)} WHERE "deviceId" = ? AND ${q(idColumn)} = ?`,
    ).pluck()
    for (const [d, id] of pairs) if (exists.get(d, id) !== undefined) found.add(`${d}\u0000${id}`)
    return found
  }
  const perStatement = Math.floor(MAX_PARAMS / 2)
  for (let i = 0; i < pairs.length; i += perStatement) {
    const tuples = pairs.slice(i, i + perStatement).map(([d, id]) => Prisma.sql`(${d}, ${id})`)
    const rows = await tx.$queryRaw<{ d: string; i: string }[]>(
      Prisma.sql`SELECT "deviceId" AS d, ${Prisma.raw(q(idColumn))} AS i FROM ${Prisma.raw(q(table))} WHERE ("deviceId", ${Prisma.raw(q(idColumn))}) IN (VALUES ${Prisma.join(tuples)})`,
    )
    for (const r of rows) found.add(`${r.d}\u0000${r.i}`)
  }
  return found
}
