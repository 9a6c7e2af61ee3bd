// One contract for every pad outbox and settings store (memory, file, and later IndexedDB).
// Uses vitest and the ports only, no Node APIs, so a browser implementation can run it as is.
import { afterEach, describe, expect, it } from 'vitest'
import type { PadEvent, Rating } from '../../protocol/index.ts'
import { OutboxFullError, type OutboxEntry, type PadStorage } from '../../device/ports/index.ts'

export interface OutboxHarness {
  /** Opens the storage over the same backing data every time (a reboot when the last one was not closed). */
  open(options?: { capacity?: number }): Promise<PadStorage>
  /** Leaves a partly written record behind, as a kill in the middle of a write would. */
  tearWrite?(): Promise<void>
  /** Frees the backing data. Storage still open is closed by the suite first. */
  dispose?(): Promise<void>
}

export function rating(seq: number, id = `rating-${String(seq).padStart(6, '0')}`): OutboxEntry {
  const message: Rating = {
    v: 1,
    id,
    seq,
    scale: 5,
    key: 1,
    level: 5,
    class: 'good',
    transaction: { id: `tx-${seq}`, serviceName: '居住证办理' },
    staffNo: 'A001',
    configVersion: 1,
    promptedAt: '2025-03-03T01:00:00.000Z',
    pressedAt: '2025-03-03T01:00:03.000Z',
    replayed: false,
  }
  return { id, seq, channel: 'rating', message }
}

export function event(seq: number, id: string): OutboxEntry {
  const message: PadEvent = { v: 1, id, at: '2025-03-03T01:00:00.000Z', type: 'pressNoPrompt', key: 2 }
  return { id, seq, channel: 'event', message }
}

const ids = (entries: OutboxEntry[]) => entries.map((e) => e.id)

export function runOutboxContract(
  name: string,
  makeHarness: () => OutboxHarness | Promise<OutboxHarness>,
): void {
  describe(`outbox contract: ${name}`, () => {
    let harness: OutboxHarness | undefined
    const opened: PadStorage[] = []

    async function open(options?: { capacity?: number }): Promise<PadStorage> {
      harness ??= await makeHarness()
      const s = await harness.open(options)
      opened.push(s)
      return s
    }

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => {})
      await harness?.dispose?.()
      harness = undefined
    })

    it('starts empty', async () => {
      const { outbox } = await open()
      expect(await outbox.size()).toBe(0)
      expect(await outbox.list()).toEqual([])
      expect(await outbox.maxSeq()).toBe(0)
      expect(outbox.capacity).toBe(50_000)
    })

    it('lists entries in seq order, ties in put order, and keeps their content', async () => {
      const { outbox } = await open()
      await outbox.put(rating(1))
      await outbox.put(event(1, 'event-aaaa'))
      await outbox.put(event(1, 'event-bbbb'))
      await outbox.put(rating(2))
      await outbox.put(event(0, 'event-zero'))
      expect(ids(await outbox.list())).toEqual([
        'event-zero',
        'rating-000001',
        'event-aaaa',
        'event-bbbb',
        'rating-000002',
      ])
      expect((await outbox.list())[1]).toEqual(rating(1))
      expect(await outbox.size()).toBe(5)
      expect(await outbox.maxSeq()).toBe(2)
    })

    it('lists from a seq and up to a limit', async () => {
      const { outbox } = await open()
      for (let seq = 1; seq <= 10; seq++) await outbox.put(rating(seq))
      expect((await outbox.list({ fromSeq: 7 })).map((e) => e.seq)).toEqual([7, 8, 9, 10])
      expect((await outbox.list({ limit: 3 })).map((e) => e.seq)).toEqual([1, 2, 3])
      expect((await outbox.list({ fromSeq: 4, limit: 2 })).map((e) => e.seq)).toEqual([4, 5])
    })

    it('keeps the first entry when an id is put twice', async () => {
      const { outbox } = await open()
      await outbox.put(rating(1, 'same-id-0001'))
      await outbox.put(rating(2, 'same-id-0001'))
      expect(await outbox.list()).toEqual([rating(1, 'same-id-0001')])
    })

    it('removes by id, counting only those present', async () => {
      const { outbox } = await open()
      for (let seq = 1; seq <= 4; seq++) await outbox.put(rating(seq))
      expect(await outbox.remove(['rating-000002', 'rating-000004', 'unknown-id-01'])).toBe(2)
      expect(await outbox.remove([])).toBe(0)
      expect(ids(await outbox.list())).toEqual(['rating-000001', 'rating-000003'])
      expect(await outbox.size()).toBe(2)
    })

    it('takes concurrent puts in call order', async () => {
      const { outbox } = await open()
      await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.put(rating(i + 1))))
      expect((await outbox.list()).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    })

    it('refuses a put at capacity until the server acks something', async () => {
      const { outbox } = await open({ capacity: 3 })
      expect(outbox.capacity).toBe(3)
      for (let seq = 1; seq <= 3; seq++) await outbox.put(rating(seq))
      const err = await outbox.put(rating(4)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OutboxFullError)
      expect(await outbox.size()).toBe(3)
      // Nothing is dropped to make room: the oldest is still there.
      expect(ids(await outbox.list())[0]).toBe('rating-000001')
      await outbox.remove(['rating-000001'])
      await outbox.put(rating(4))
      expect((await outbox.list()).map((e) => e.seq)).toEqual([2, 3, 4])
    })

    it('keeps entries and removals over a clean reopen', async () => {
      const a = await open()
      for (let seq = 1; seq <= 5; seq++) await a.outbox.put(rating(seq))
      await a.outbox.remove(['rating-000002'])
      await a.close()
      const b = await open()
      expect((await b.outbox.list()).map((e) => e.seq)).toEqual([1, 3, 4, 5])
      expect(await b.outbox.maxSeq()).toBe(5)
    })

    it('keeps every resolved put over a crash (reopen without close)', async () => {
      const a = await open()
      for (let seq = 1; seq <= 5; seq++) await a.outbox.put(rating(seq))
      await a.outbox.put(event(5, 'event-after-5'))
      const b = await open()
      expect(ids(await b.outbox.list())).toEqual([
        'rating-000001',
        'rating-000002',
        'rating-000003',
        'rating-000004',
        'rating-000005',
        'event-after-5',
      ])
      await b.outbox.put(rating(6))
      expect(await b.outbox.size()).toBe(7)
    })

    it('survives many puts and removes (compaction) with the live entries in order', async () => {
      const a = await open()
      for (let seq = 1; seq <= 300; seq++) await a.outbox.put(rating(seq))
      for (let seq = 1; seq <= 250; seq += 10)
        await a.outbox.remove(Array.from({ length: 10 }, (_, i) => rating(seq + i).id))
      expect(await a.outbox.size()).toBe(50)
      await a.outbox.put(rating(301))
      const b = await open()
      expect((await b.outbox.list()).map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => 251 + i))
    })

    it('starts settings from defaults and merges saves', async () => {
      const { settings } = await open()
      expect(await settings.load()).toEqual({
        seq: 0,
        config: null,
        staff: null,
        paused: false,
        connectCount: 0,
        credentials: null,
      })
      await settings.save({ seq: 7 })
      await settings.save({ connectCount: 3, paused: true })
      expect(await settings.load()).toMatchObject({ seq: 7, connectCount: 3, paused: true, staff: null })
    })

    it('never hands back a seq or connectCount saved before a crash', async () => {
      const a = await open()
      await a.settings.save({ seq: 41, connectCount: 9 })
      await a.settings.save({ seq: 42 })
      const b = await open()
      const loaded = await b.settings.load()
      expect(loaded.seq).toBe(42)
      expect(loaded.connectCount).toBe(9)
    })

    it('does not let a caller change stored settings by mutating what load() returned', async () => {
      const { settings } = await open()
      await settings.save({ staff: { staffNo: 'A001', name: '张三', photoUrl: null, title: null, stars: 4 } })
      const loaded = await settings.load()
      loaded.staff!.name = 'changed'
      expect((await settings.load()).staff!.name).toBe('张三')
    })

    it('ignores a record torn by a kill mid-write and keeps working', async () => {
      harness ??= await makeHarness()
      if (!harness.tearWrite) return // a store with atomic writes (memory, IndexedDB) cannot tear
      const a = await open()
      await a.outbox.put(rating(1))
      await a.outbox.put(rating(2))
      await harness.tearWrite()
      const b = await open()
      expect((await b.outbox.list()).map((e) => e.seq)).toEqual([1, 2])
      await b.outbox.put(rating(3))
      await b.outbox.remove(['rating-000001'])
      const c = await open()
      expect((await c.outbox.list()).map((e) => e.seq)).toEqual([2, 3])
    })
  })
}
