// /docs/protocol and /docs/integrators: readable pages rendered from the repository's Markdown, with
// the schemas they link to served beside them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from '../helpers/server.ts'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => s?.close())

const get = async (path: string) => {
  const res = await fetch(`${s.httpUrl}${path}`)
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

describe('docs pages', () => {
  it('serves the protocol as a page with the worked session, the rules and working schema links', async () => {
    const page = await get('/docs/protocol')
    expect(page.status).toBe(200)
    expect(page.type).toMatch(/^text\/html/)
    expect(page.text).toContain('<h2 id="a-worked-session">A worked session</h2>')
    expect(page.text).toContain('<h2 id="rules-a-pad-must-keep">')
    expect(page.text).toContain('One rating per prompt (一次一评)')
    const links = [...page.text.matchAll(/href="(\/docs\/protocol\/[^"#]+\.json)"/g)].map((m) => m[1])
    expect(links).toContain('/docs/protocol/schemas/rating.json')
    expect(links).toContain('/docs/protocol/asyncapi.json')
    for (const link of new Set(links)) {
      const r = await get(link)
      expect(r.status, link).toBe(200)
      expect(() => JSON.parse(r.text)).not.toThrow()
    }
    expect((await get('/docs/protocol/schemas/..%2f..%2fpackage.json')).status).toBe(404)
  })

  it('serves the integrators’ guide, linking to the protocol page and its own sections', async () => {
    const page = await get('/docs/integrators')
    expect(page.status).toBe(200)
    expect(page.text).toContain('href="/docs/protocol"')
    expect(page.text).toContain('id="webhooks"')
    expect(page.text).toContain('href="#webhooks"')
    // The OpenAPI page is still where it was.
    expect((await get('/docs/json')).status).toBe(200)
  })
})
