// Bad bodies on every route that takes one, as an admin (and with their own credentials on the pad,
// provisioning and broker routes), taken from the running server's OpenAPI document so a new route is
// fuzzed the day it appears: arbitrary JSON values, bodies that follow the route's schema, the same
// with one field dropped or replaced by a nasty value, and text that is not JSON. The server never
// answers 5xx, every 4xx is JSON with a message (a 400 for a body that is not even an object names
// `body`), and it keeps serving. Runs on SQLite and PostgreSQL with a fixed seed (FUZZ_SEED).
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'
import { applyEdit, edit, paths, serialize, type Json } from '../helpers/fuzz.ts'
import {
  arbitraryFor,
  fillPath,
  openApi,
  operations,
  type OpenApiDoc,
  type PathIds,
} from '../helpers/openapi.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20260302)
const RUNS = Number(process.env.FUZZ_RUNS ?? 10)
const BROKER_SECRET = 'fuzz-broker-secret'

const get = (v: Json, path: string[]): Json => path.reduce<Json>((x, k) => (x as Record<string, Json>)[k], v)
const set = (v: Json, path: string[], value: Json) => {
  ;(get(v, path.slice(0, -1)) as Record<string, Json>)[path[path.length - 1]] = value
}

describe.each(DATABASES)('fuzzed REST bodies on %s', (_name, make) => {
  let tdb: TestDatabase
  let s: TestServer
  let doc: OpenApiDoc
  let ids: PathIds
  let pads: Awaited<ReturnType<typeof seedHall>>['pads']

  beforeAll(async () => {
    tdb = await make()
    const url = tdb.config.provider === 'postgres' ? tdb.config.url : `file:${tdb.config.file}`
    s = await startServer({ DATABASE_URL: url, BROKER_AUTH_SECRET: BROKER_SECRET })
    pads = (await seedHall(s, { windows: 2 })).pads
    doc = await openApi(s)
    // Real things behind every kind of path, so that bodies that pass validation reach the handlers.
    const hook = await s.api('POST', '/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['rating.created'],
    })
    const user = await s.api('POST', '/api/v1/users', {
      username: 'fuzz-user',
      password: 'fuzz password 1',
      role: 'viewer',
    })
    const key = await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-1', name: 'fuzz' })
    const token = await s.api('POST', '/api/v1/tokens', { name: 'fuzz viewer', role: 'viewer' })
    ids = {
      hallId: 'hall-1',
      windowId: pads[1].windowId,
      staffNo: pads[1].staffNo,
      deviceId: pads[1].id,
      byPrefix: {
        '/api/v1/webhooks': hook.body?.id,
        '/api/v1/users': user.body?.id,
        '/api/v1/provisioning-keys': key.body?.id,
        '/api/v1/tokens': token.body?.id,
      },
    }
  })
  afterAll(async () => {
    await s?.close()
    await tdb?.drop()
  })

  /** The credentials a route takes: a pad's HTTP Basic, the broker's shared secret, or the admin token. */
  function headersFor(path: string): Record<string, string> {
    if (path.startsWith('/api/v1/pad/'))
      return { authorization: `Basic ${Buffer.from(`${pads[0].id}:${pads[0].secret}`).toString('base64')}` }
    if (path.startsWith('/broker/')) return { 'x-broker-auth': BROKER_SECRET }
    return { authorization: `Bearer ${s.adminToken}`, 'x-requested-with': 'rating-pad' }
  }

  /** Sends a body (JSON text as is) and says what is wrong with the answer, if anything. */
  async function problem(method: string, path: string, text: string, bodyIsObject: boolean, names?: string) {
    const res = await fetch(`${s.httpUrl}${path}`, {
      method,
      headers: { ...headersFor(path), 'content-type': 'application/json' },
      body: text,
    })
    const answer = await res.text()
    const where = `${method} ${path} ${text.slice(0, 200)} → ${res.status} ${answer.slice(0, 200)}`
    if (res.status >= 500) return where
    if (res.status < 400) return null
    let json: { message?: unknown; error?: unknown }
    try {
      json = JSON.parse(answer)
    } catch {
      return `${where}: not JSON`
    }
    // Provisioning answers a pad in the protocol's ProvisionResponse, with the reason in `error`.
    const message = json.message ?? (path === '/api/v1/provision' ? json.error : undefined)
    if (typeof message !== 'string' || !message.trim()) return `${where}: no message`
    if (names && res.status !== 400) return `${where}: not 400`
    if (names && !message.includes(names)) return `${where}: does not name ${names}`
    if (res.status === 400 && !bodyIsObject && !path.startsWith('/broker/') && !/body|JSON/i.test(message))
      return `${where}: does not name the body`
    return null
  }

  const writes = () => operations(doc).filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))

  it('finds the write routes in the OpenAPI document', () => {
    expect(writes().length).toBeGreaterThan(30)
    expect(writes().filter((o) => o.body).length).toBeGreaterThan(20)
  })

  it('never answers 5xx to arbitrary JSON, and names the body in a 400', async () => {
    const found: string[] = []
    for (const op of writes()) {
      const path = fillPath(op.path, ids)
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
          const isObject = value !== null && typeof value === 'object' && !Array.isArray(value)
          const p = await problem(op.method, path, JSON.stringify(value), isObject)
          if (p) found.push(p)
        }),
        { numRuns: RUNS, seed: SEED },
      )
      // Not JSON, or JSON of the wrong shape (Fastify's own parser answers the first ones).
      for (const text of [
        '',
        '{',
        '{"a":',
        'nul',
        'null',
        '[]',
        '"x"',
        '\u0000',
        '{"__proto__":{"role":"admin"}}',
      ]) {
        const p = await problem(op.method, path, text, text.startsWith('{"'))
        if (p) found.push(p)
      }
    }
    expect(found).toEqual([])
  })

  it('never answers 5xx to a valid body, or one with a field dropped or made nasty', async () => {
    const found: string[] = []
    for (const op of writes().filter((o) => o.body)) {
      const path = fillPath(op.path, ids)
      const body = arbitraryFor(doc, op.body!)
      await fc.assert(
        fc.asyncProperty(body, fc.array(edit, { maxLength: 2 }), async (valid, edits) => {
          const json = structuredClone(valid) as Json
          for (const e of edits) applyEdit(json, e)
          const text = serialize(json)
          const isObject = json !== null && typeof json === 'object' && !Array.isArray(json)
          const p = await problem(op.method, path, text, isObject)
          if (p) found.push(p)
        }),
        { numRuns: RUNS, seed: SEED },
      )
    }
    expect(found).toEqual([])
  })

  it('answers 400 naming the field for NUL or a lone surrogate in any text field (no database stores them)', async () => {
    const found: string[] = []
    for (const op of writes().filter((o) => o.body)) {
      const path = fillPath(op.path, ids)
      for (const valid of fc.sample(arbitraryFor(doc, op.body!), { numRuns: 2, seed: SEED })) {
        const fields = paths(valid as Json).filter((p) => typeof get(valid as Json, p) === 'string')
        for (const field of fields)
          for (const bad of ['a\u0000b', '\u0000', '\ud800']) {
            const json = structuredClone(valid) as Json
            set(json, field, bad)
            const p = await problem(op.method, path, JSON.stringify(json), true, ['body', ...field].join('.'))
            if (p) found.push(p)
          }
      }
    }
    expect(found).toEqual([])
  })

  it('refuses device ids with MQTT wildcards, separators or NUL, naming body.id', async () => {
    for (const id of ['pad+1', 'pad#1', 'hall/pad', 'pad\u00001', '+', '#', '/', '\u0000', 'pad 1', '']) {
      const r = await s.api('POST', '/api/v1/devices', { id, hallId: 'hall-1' })
      expect(r.status, JSON.stringify(id)).toBe(400)
      expect(r.body.message).toMatch(/body\.id/)
    }
  })

  it('keeps serving: health, the API, and a pad rating', async () => {
    expect((await fetch(`${s.httpUrl}/health`).then((r) => r.json())).ok).toBe(true)
    expect((await s.api('GET', '/api/v1/halls')).status).toBe(200)
    const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    const r = pad.rating()
    await pad.send(r)
    await waitFor(() => pad.ackedIds().has(r.id), 'a rating after the fuzzing')
    await pad.close()
  })
})
