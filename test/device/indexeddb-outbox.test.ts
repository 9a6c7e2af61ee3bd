// The outbox contract on the IndexedDB adapter over fake-indexeddb (a faithful IndexedDB in Node).
// The same contract runs on Chromium's real IndexedDB in test/web/pad-browser.test.ts.
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import {
  deleteIndexedDbStorage,
  openIndexedDbStorage,
  padDatabaseName,
} from '../../device/adapters/browser/indexeddb-storage.ts'
import { rating, runOutboxContract } from './outbox-contract.ts'

let n = 0

runOutboxContract('indexeddb (fake-indexeddb)', () => {
  const name = `contract-${++n}`
  return {
    open: (options) => openIndexedDbStorage(name, options),
    dispose: () => deleteIndexedDbStorage(name),
  }
})

describe('indexeddb storage', () => {
  it('keeps one database per device and credentials in the settings', async () => {
    const a = await openIndexedDbStorage(padDatabaseName('pad-a'))
    const b = await openIndexedDbStorage(padDatabaseName('pad-b'))
    await a.settings.save({ credentials: { username: 'pad-a', password: 's3cret' } })
    await a.outbox.put(rating(1))
    expect((await b.settings.load()).credentials).toBeNull()
    expect(await b.outbox.size()).toBe(0)
    const again = await openIndexedDbStorage(padDatabaseName('pad-a'))
    expect((await again.settings.load()).credentials).toEqual({ username: 'pad-a', password: 's3cret' })
    for (const s of [a, b, again]) await s.close()
    await deleteIndexedDbStorage(padDatabaseName('pad-a'))
    await deleteIndexedDbStorage(padDatabaseName('pad-b'))
  })

  it('remembers the highest seq after its entries were acked and removed', async () => {
    const name = `maxseq-${++n}`
    const a = await openIndexedDbStorage(name)
    await a.outbox.put(rating(7))
    await a.outbox.remove([rating(7).id])
    await a.close()
    const b = await openIndexedDbStorage(name)
    expect(await b.outbox.size()).toBe(0)
    expect(await b.outbox.maxSeq()).toBe(7)
    await b.close()
    await deleteIndexedDbStorage(name)
  })

  it('rejects when the database connection is gone, so the runtime does not say 谢谢', async () => {
    const name = `closed-${++n}`
    const a = await openIndexedDbStorage(name)
    await a.close()
    await expect(a.outbox.put(rating(1))).rejects.toThrow()
    await expect(a.settings.save({ seq: 1 })).rejects.toThrow()
    await deleteIndexedDbStorage(name)
  })
})
