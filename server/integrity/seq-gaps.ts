// seqGap: ratings a pad numbered but never delivered. Every rating carries the pad's seq, which
// grows with every press; a seq missing below the highest stored one is a rating lost or withheld.
// Gaps fill normally (an outbox drains after a reconnect, live ratings may overtake it), so a gap
// is judged only once the rating after it was received `graceMs` ago; it is then flagged on that
// rating with the missing numbers, and SeqGapScan.checkedSeq moves past it, so each rating is
// judged once. Gaps before a pad's first stored rating are not judged (it may have been used
// before it was registered here).
//
// Several instances may scan at once: the gaps are found in one read, the flags are inserted with
// ON CONFLICT DO NOTHING on (kind, ratingId), and checkedSeq only ever moves forward, so a second
// scan of the same ratings writes nothing new.
import type { Db } from '../db/client.ts'
import { existingKeys, insertRows, MAX_PARAMS } from '../db/bulk.ts'
import { messageId, serialOf } from '../drivers/keypad.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import { flagRow, type FlagRow } from './writer.ts'

/** At most this many missing seqs are listed in one flag's detail (the count says how many in all). */
export const MISSING_LISTED = 100

/** The seqs strictly between prev and next, at most `cap` of them listed. */
export function missingBetween(prev: number, next: number, cap = MISSING_LISTED) {
  const count = Math.max(0, next - prev - 1)
  const missing: number[] = []
  for (let s = prev + 1; s < next && missing.length < cap; s++) missing.push(s)
  return { missing, count }
}

/** Gaps longer than this are not looked up in the pad's events (and are flagged as they are). */
const EVENT_LOOKUP_MAX = 1000

/**
 * Serials that pads driven by a driver (server/drivers/keypad.ts) spent on events: such a pad
 * numbers every message from one counter, so a rating seq missing because a no-prompt press or a
 * timeout took it is no lost rating. Protocol pads number only their ratings and make random event
 * ids, which never match.
 */
async function serialsOfEvents(db: Db, gaps: { row: Row; prev: number; seq: number }[]) {
  const wanted: [string, string][] = []
  for (const g of gaps)
    if (g.seq - g.prev - 1 <= EVENT_LOOKUP_MAX)
      for (let s = g.prev + 1; s < g.seq; s++) wanted.push([g.row.deviceId, messageId(g.row.deviceId, s)])
  const found = await existingKeys(db, 'PadEventRecord', 'eventId', wanted)
  const used = new Map<string, Set<number>>()
  for (const key of found) {
    const [deviceId, eventId] = key.split('\u0000')
    const serial = serialOf(deviceId, eventId)
    if (serial === null) continue
    let set = used.get(deviceId)
    if (!set) used.set(deviceId, (set = new Set()))
    set.add(serial)
  }
  return used
}

export interface SeqGapScanResult {
  /** Pads whose checkedSeq moved forward. */
  devices: number
  /** Gaps judged never filled by this scan, each flagged on the rating after it. */
  gaps: number
}

interface Row {
  deviceId: string
  id: string
  seq: unknown
  prev: unknown
  top: unknown
  checked: unknown
  hallId: string
  windowId: string | null
  staffNo: string | null
  day: string
}

/**
 * A scan reads at most this many pads, and this many ratings of each, per query, yielding to the
 * event loop between queries. A first scan of a database filled before the scan existed (or one
 * after a long pause) would otherwise read every rating in one synchronous SQLite query: about
 * 16 µs a rating here, minutes for 10 million, with the broker and the API stalled meanwhile.
 */
const PADS_PER_QUERY = 20
const SEQS_PER_PAD = 5000

export async function scanSeqGaps(
  db: Db,
  opts: { graceMs: number; now?: Date; seqsPerPad?: number },
): Promise<SeqGapScanResult> {
  const ids = (await db.device.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((d) => d.id)
  const total: SeqGapScanResult = { devices: 0, gaps: 0 }
  for (let i = 0; i < ids.length; i += PADS_PER_QUERY) {
    const r = await scanPads(db, ids.slice(i, i + PADS_PER_QUERY), opts)
    total.devices += r.devices
    total.gaps += r.gaps
    await new Promise((resolve) => setImmediate(resolve))
  }
  return total
}

async function scanPads(
  db: Db,
  deviceIds: string[],
  opts: { graceMs: number; now?: Date; seqsPerPad?: number },
): Promise<SeqGapScanResult> {
  const now = opts.now ?? new Date()
  const cutoff = new Date(now.getTime() - opts.graceMs)
  // Per pad, the ratings from its checkedSeq on, each with the seq before it; the judged ones are
  // those below the lowest seq received within the grace period. Only gap rows and each pad's
  // highest judged row come back.
  const rows = await db.$queryRaw<Row[]>(Prisma.sql`
    WITH u AS (
      SELECT r."deviceId", r."id", r."seq", r."receivedAt", r."hallId", r."windowId", r."staffNo", r."day",
        g."checkedSeq" AS "checked",
        LAG(r."seq") OVER (PARTITION BY r."deviceId" ORDER BY r."seq", r."id") AS "prev"
      FROM "Device" d
      LEFT JOIN "SeqGapScan" g ON g."deviceId" = d."id"
      JOIN "Rating" r ON r."deviceId" = d."id" AND r."seq" >= COALESCE(g."checkedSeq", 0)
        -- at most SEQS_PER_PAD seqs from where the last scan stopped (or the pad's first rating);
        -- the next scan goes on from there
        AND r."seq" < COALESCE(
          g."checkedSeq",
          (SELECT MIN(f."seq") FROM "Rating" f WHERE f."deviceId" = d."id")
        ) + ${opts.seqsPerPad ?? SEQS_PER_PAD}
      WHERE d."id" IN (${Prisma.join(deviceIds)})
    ), y AS (
      SELECT "deviceId", MIN("seq") AS "young" FROM u WHERE "receivedAt" > ${cutoff} GROUP BY "deviceId"
    ), j AS (
      SELECT u.*, MAX(u."seq") OVER (PARTITION BY u."deviceId") AS "top"
      FROM u LEFT JOIN y ON y."deviceId" = u."deviceId"
      WHERE y."young" IS NULL OR u."seq" < y."young"
    )
    SELECT "deviceId", "id", "seq", "prev", "top", "checked", "hallId", "windowId", "staffNo", "day"
    FROM j WHERE ("prev" IS NOT NULL AND "seq" - "prev" > 1) OR "seq" = "top"`)

  const gaps: { row: Row; prev: number; seq: number }[] = []
  const progress = new Map<string, number>()
  for (const r of rows) {
    const seq = Number(r.seq)
    const top = Number(r.top)
    if (r.checked === null || Number(r.checked) < top) progress.set(r.deviceId, top)
    if (r.prev === null || r.prev === undefined || seq - Number(r.prev) <= 1) continue
    gaps.push({ row: r, prev: Number(r.prev), seq })
  }
  const used = await serialsOfEvents(db, gaps)
  const flags: FlagRow[] = []
  for (const g of gaps) {
    const taken = used.get(g.row.deviceId)
    const { missing, count } = missingBetween(g.prev, g.seq, taken ? EVENT_LOOKUP_MAX : MISSING_LISTED)
    const left = taken ? missing.filter((s) => !taken.has(s)) : missing
    if (!left.length && count <= missing.length) continue
    flags.push(
      flagRow(
        {
          kind: 'seqGap',
          detail: { missing: left.slice(0, MISSING_LISTED), count: count - (missing.length - left.length) },
        },
        { ratingId: g.row.id },
        g.row,
        now,
      ),
    )
  }
  if (!flags.length && !progress.size) return { devices: 0, gaps: 0 }
  await db.$transaction(
    async (tx) => {
      await insertRows(tx, 'RatingFlag', flags as unknown as Record<string, unknown>[])
      const entries = [...progress]
      const perStatement = Math.floor(MAX_PARAMS / 3)
      for (let i = 0; i < entries.length; i += perStatement) {
        const values = entries
          .slice(i, i + perStatement)
          .map(([d, seq]) => Prisma.sql`(${d}, ${seq}, ${now})`)
        // checkedSeq only moves forward, whichever instance writes last.
        await tx.$executeRaw(
          Prisma.sql`INSERT INTO "SeqGapScan" ("deviceId", "checkedSeq", "scannedAt") VALUES ${Prisma.join(values)}
            ON CONFLICT ("deviceId") DO UPDATE SET "checkedSeq" = excluded."checkedSeq", "scannedAt" = excluded."scannedAt"
            WHERE "SeqGapScan"."checkedSeq" < excluded."checkedSeq"`,
        )
      }
    },
    { timeout: 60_000, maxWait: 30_000 },
  )
  return { devices: progress.size, gaps: flags.length }
}
