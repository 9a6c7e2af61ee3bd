// The outbox contract on Chromium's real IndexedDB. The suite runs here in Node; every storage call
// is carried out in a page by the IndexedDB adapter (bundled with Vite), so what is tested is the
// adapter on the browser's own database. A "crash" (reopen without close) reloads the page: the
// tab's JavaScript dies with its connection open, as when a kiosk tablet loses power or reloads.
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe } from 'vitest'
import {
  OutboxFullError,
  type OutboxEntry,
  type PadSettings,
  type PadStorage,
} from '../../device/ports/index.ts'
import { runOutboxContract, type OutboxHarness } from '../device/outbox-contract.ts'
import { launchChromium, noChromium } from './chromium.ts'

const ORIGIN = 'http://pad-idb.test'
const ADAPTER = fileURLToPath(new URL('../../device/adapters/browser/indexeddb-storage.ts', import.meta.url))

/** The adapter as one classic script defining `PadIdb`. */
async function bundleAdapter(): Promise<string> {
  const { build } = await import('vite')
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry: ADAPTER, formats: ['iife'], name: 'PadIdb', fileName: 'pad-idb' },
    },
  })
  const result = Array.isArray(out) ? out[0] : out
  if (!('output' in result)) throw new Error('vite build did not return its output')
  return result.output[0].code
}

type Reply = { ok: unknown } | { err: { name: string; message: string; capacity?: number } }

describe.skipIf(noChromium)('IndexedDB storage in Chromium', () => {
  let browser: Browser
  let page: Page
  let harnesses = 0

  beforeAll(async () => {
    const script = await bundleAdapter()
    browser = await launchChromium()
    page = await browser.newPage()
    const html = `<!doctype html><meta charset="utf-8"><script>${script}
window.__stores = new Map(); window.__next = 0;</script>`
    await page.route(`${ORIGIN}/**`, (route) => route.fulfill({ contentType: 'text/html', body: html }))
    await page.goto(`${ORIGIN}/`)
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** Calls `path` (e.g. 'outbox.put') on a storage opened in the page. */
  async function call(handle: number, path: string, args: unknown[] = []): Promise<unknown> {
    const reply = (await page.evaluate(
      async ([handle, path, args]) => {
        const stores = (globalThis as any).__stores as Map<number, any>
        const storage = stores.get(handle)
        if (!storage) return { err: { name: 'Error', message: 'storage gone: the page was reloaded' } }
        const [a, b] = path.split('.')
        try {
          const value = b ? await storage[a][b](...args) : await storage[a](...args)
          if (path === 'close') stores.delete(handle)
          return { ok: value ?? null }
        } catch (e: any) {
          return { err: { name: e?.name, message: String(e?.message ?? e), capacity: e?.capacity } }
        }
      },
      [handle, path, args] as const,
    )) as Reply
    if ('ok' in reply) return reply.ok
    if (reply.err.name === 'OutboxFullError') throw new OutboxFullError(reply.err.capacity ?? 0)
    throw new Error(reply.err.message)
  }

  function proxy(handle: number, capacity: number): PadStorage {
    return {
      outbox: {
        capacity,
        put: async (entry: OutboxEntry) => void (await call(handle, 'outbox.put', [entry])),
        list: async (options?: { fromSeq?: number; limit?: number }) =>
          (await call(handle, 'outbox.list', [options ?? {}])) as OutboxEntry[],
        remove: async (ids: readonly string[]) => (await call(handle, 'outbox.remove', [[...ids]])) as number,
        size: async () => (await call(handle, 'outbox.size')) as number,
        maxSeq: async () => (await call(handle, 'outbox.maxSeq')) as number,
        close: async () => void (await call(handle, 'outbox.close')),
      },
      settings: {
        load: async () => (await call(handle, 'settings.load')) as PadSettings,
        save: async (patch: Partial<PadSettings>) => void (await call(handle, 'settings.save', [patch])),
      },
      close: async () => void (await call(handle, 'close')),
    }
  }

  function chromiumHarness(): OutboxHarness {
    const name = `contract-${++harnesses}-${Date.now()}`
    return {
      async open(options) {
        const live = await page.evaluate(() => ((globalThis as any).__stores as Map<number, unknown>).size)
        if (live > 0) await page.reload() // a crash: the tab goes with its connection still open
        const { handle, capacity } = await page.evaluate(
          async ([name, options]) => {
            const w = globalThis as any
            const storage = await w.PadIdb.openIndexedDbStorage(name, options ?? {})
            const handle = ++w.__next
            w.__stores.set(handle, storage)
            return { handle, capacity: storage.outbox.capacity as number }
          },
          [name, options ?? null] as const,
        )
        return proxy(handle, capacity)
      },
      async dispose() {
        await page.evaluate(async (name) => {
          const w = globalThis as any
          for (const s of w.__stores.values()) await s.close()
          w.__stores.clear()
          await w.PadIdb.deleteIndexedDbStorage(name)
        }, name)
      },
    }
  }

  runOutboxContract('indexeddb (Chromium)', chromiumHarness)
})
