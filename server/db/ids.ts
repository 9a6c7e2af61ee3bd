// Row ids for tables written in bulk (ratings, events, flags, cases, rollups, webhook outbox).
// UUIDv7 starts with the time, so new rows land at the end of the primary-key index: a random v4
// id touches a random index page per row, which made each ingest commit write (and sync) many
// more pages. Ordered by the millisecond (within one, by chance: nothing relies on more). Same text
// form as before, so existing ids and the API do not change.
import { randomFillSync } from 'node:crypto'
import { v7 } from 'uuid'

// uuid asks the system for 16 random bytes per id (measured: 5 µs, 4 % of the ingest's time);
// taking them from a pool filled 4 KiB at a time costs the same randomness for much less.
const pool = new Uint8Array(4096)
let used = pool.length

export function newRowId(): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool)
    used = 0
  }
  const random = pool.subarray(used, (used += 16))
  return v7({ random })
}
