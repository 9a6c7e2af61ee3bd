// The dashboard's server side over HTTP: accounts, sign-in with a cookie session, the throttle on
// wrong passwords, CSRF protection of cookie-authenticated writes, staff photos, and the live wall
// stream fed by a pad's rating through the real broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { sampleTransaction } from '../fixtures/messages.ts'

let s: TestServer
let firstAdmin: { username: string; password: string } | null
let pads: Awaited<ReturnType<typeof seedHall>>['pads']

/** A browser-like client: keeps the session cookie, sends the CSRF header on writes. */
function browser(opts: { csrf?: boolean; origin?: string } = {}) {
  let cookie = ''
  return {
    get cookie() {
      return cookie
    },
    async call<T = any>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${s.httpUrl}${path}`, {
        method,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(opts.csrf !== false ? { 'x-requested-with': 'rating-pad' } : {}),
          ...(opts.origin ? { origin: opts.origin } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      })
      const set = res.headers.getSetCookie().find((c) => c.startsWith('rp_session='))
      if (set) cookie = set.split(';')[0]
      const text = await res.text()
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T }
    },
  }
}

beforeAll(async () => {
  s = await startServer()
  firstAdmin = await s.app.users.ensureFirstAdmin() // as server.ts does on a first start
  ;({ pads } = await seedHall(s, { hallId: 'hall-a', windows: 2 }))
  await seedHall(s, { hallId: 'hall-b', windows: 1 })
  for (const u of [
    { username: 'director', password: 'director-pass-1', role: 'manager', hallIds: ['hall-a'] },
    { username: 'watcher', password: 'watcher-pass-1', role: 'viewer', hallIds: ['hall-a'] },
    { username: 'victim', password: 'victim-pass-1', role: 'viewer' },
  ])
    expect((await s.api('POST', '/api/v1/users', u)).status).toBe(201)
})
afterAll(async () => s?.close())

describe('accounts and sessions', () => {
  it('makes the first admin once, with a password that signs in and must be changed', async () => {
    const first = firstAdmin
    expect(first?.username).toBe('admin')
    expect(await s.app.users.ensureFirstAdmin()).toBeNull()
    const b = browser()
    const login = await b.call('POST', '/api/v1/session', { username: 'admin', password: first!.password })
    expect(login.status).toBe(200)
    expect(login.body.user).toMatchObject({ role: 'admin', mustChangePassword: true })
    expect(login.headers.getSetCookie()[0]).toMatch(/HttpOnly/i)
    expect(login.headers.getSetCookie()[0]).toMatch(/SameSite=Strict/i)
    const changed = await b.call('PUT', '/api/v1/session/password', {
      currentPassword: first!.password,
      newPassword: 'a-new-admin-password',
    })
    expect(changed.status).toBe(200)
    expect((await b.call('GET', '/api/v1/session')).body.user.mustChangePassword).toBe(false)
  })

  it('signs a manager in with a cookie the REST API accepts, scoped to their halls', async () => {
    const b = browser()
    expect(
      (await b.call('POST', '/api/v1/session', { username: 'director', password: 'director-pass-1' })).status,
    ).toBe(200)
    const me = await b.call('GET', '/api/v1/session')
    expect(me.body).toMatchObject({ name: 'director', role: 'manager', halls: ['hall-a'] })
    expect((await b.call('GET', '/api/v1/reports/summary?hallId=hall-a&period=day')).status).toBe(200)
    expect((await b.call('GET', '/api/v1/reports/summary?hallId=hall-b&period=day')).status).toBe(403)
    const renamed = await b.call('PATCH', `/api/v1/windows/${pads[0].windowId}`, { name: '1号综合窗口' })
    expect(renamed.status).toBe(200)
    expect((await b.call('GET', '/api/v1/users')).status).toBe(403)
  })

  it('refuses a wrong password with a message, then locks the username after five', async () => {
    const b = browser()
    const wrong = await b.call('POST', '/api/v1/session', { username: 'victim', password: 'nope-nope' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toMatchObject({ code: 'bad_credentials', attemptsLeft: 4 })
    expect(wrong.body.message).toMatch(/wrong username or password/)
    const unknown = await b.call('POST', '/api/v1/session', { username: 'nobody', password: 'nope-nope' })
    expect(unknown.body.code).toBe('bad_credentials') // no hint whether the name exists
    for (let i = 0; i < 3; i++) await b.call('POST', '/api/v1/session', { username: 'victim', password: 'x' })
    const locked = await b.call('POST', '/api/v1/session', { username: 'victim', password: 'x' })
    expect(locked.status).toBe(429)
    expect(locked.body.code).toBe('locked')
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    // Even the right password waits until the lock ends.
    const right = await b.call('POST', '/api/v1/session', { username: 'victim', password: 'victim-pass-1' })
    expect(right.status).toBe(429)
    // An admin setting a new password lifts the lock.
    const victim = (await s.api('GET', '/api/v1/users')).body.find((u: any) => u.username === 'victim')
    expect((await s.api('PATCH', `/api/v1/users/${victim.id}`, { password: 'victim-pass-2' })).status).toBe(
      200,
    )
    expect(
      (await b.call('POST', '/api/v1/session', { username: 'victim', password: 'victim-pass-2' })).status,
    ).toBe(200)
  })

  it('refuses cookie-authenticated writes without the CSRF header or from another origin', async () => {
    const b = browser()
    await b.call('POST', '/api/v1/session', { username: 'director', password: 'director-pass-1' })
    const bare = browser({ csrf: false })
    const forged = await fetch(`${s.httpUrl}/api/v1/windows/${pads[0].windowId}`, {
      method: 'PATCH',
      headers: { cookie: b.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    })
    expect(forged.status).toBe(403)
    const cross = await fetch(`${s.httpUrl}/api/v1/windows/${pads[0].windowId}`, {
      method: 'PATCH',
      headers: {
        cookie: b.cookie,
        'content-type': 'application/json',
        'x-requested-with': 'rating-pad',
        origin: 'http://evil.example',
      },
      body: JSON.stringify({ name: 'x' }),
    })
    expect(cross.status).toBe(403)
    expect(
      (await bare.call('POST', '/api/v1/session', { username: 'director', password: 'director-pass-1' }))
        .status,
    ).toBe(403)
    // Reads need no header; a bearer token needs none either.
    expect((await fetch(`${s.httpUrl}/api/v1/halls`, { headers: { cookie: b.cookie } })).status).toBe(200)
  })

  it('ends the session on sign-out and when an admin disables the account', async () => {
    const b = browser()
    await b.call('POST', '/api/v1/session', { username: 'watcher', password: 'watcher-pass-1' })
    expect((await b.call('GET', '/api/v1/halls')).status).toBe(200)
    expect((await b.call('DELETE', '/api/v1/session')).status).toBe(200)
    const after = await fetch(`${s.httpUrl}/api/v1/halls`, { headers: { cookie: b.cookie } })
    expect(after.status).toBe(401)
    const c = browser()
    await c.call('POST', '/api/v1/session', { username: 'watcher', password: 'watcher-pass-1' })
    const watcher = (await s.api('GET', '/api/v1/users')).body.find((u: any) => u.username === 'watcher')
    await s.api('PATCH', `/api/v1/users/${watcher.id}`, { disabled: true })
    expect((await c.call('GET', '/api/v1/halls')).status).toBe(401)
    expect(
      (await c.call('POST', '/api/v1/session', { username: 'watcher', password: 'watcher-pass-1' })).status,
    ).toBe(401)
    await s.api('PATCH', `/api/v1/users/${watcher.id}`, { disabled: false })
  })

  it('keeps one enabled admin and checks roles and halls, naming the field', async () => {
    const admin = (await s.api('GET', '/api/v1/users')).body.find((u: any) => u.username === 'admin')
    const demote = await s.api('PATCH', `/api/v1/users/${admin.id}`, { role: 'viewer' })
    expect(demote.status).toBe(400)
    const noHalls = await s.api('POST', '/api/v1/users', {
      username: 'm2',
      password: 'longenough',
      role: 'manager',
    })
    expect(noHalls.status).toBe(400)
    expect(noHalls.body.issues[0].field).toBe('body.hallIds')
    const short = await s.api('POST', '/api/v1/users', { username: 'm3', password: 'short', role: 'viewer' })
    expect(short.status).toBe(400)
    expect(short.body.message).toMatch(/body\.password/)
  })
})

describe('staff photos', () => {
  // A 1×1 PNG.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  )

  it('stores an uploaded image under DATA_DIR and serves it publicly', async () => {
    const staff = (await s.api('GET', '/api/v1/staff?hallId=hall-a')).body[0]
    const res = await fetch(`${s.httpUrl}/api/v1/staff/${staff.id}/photo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'image/png' },
      body: new Uint8Array(png),
    })
    expect(res.status).toBe(200)
    const updated = await res.json()
    expect(updated.photoUrl).toMatch(/^\/photos\/.+\.png$/)
    const img = await fetch(`${s.httpUrl}${updated.photoUrl}`)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await img.arrayBuffer()).equals(png)).toBe(true)
  })

  it('refuses what is not an image, and images that are too large', async () => {
    const staff = (await s.api('GET', '/api/v1/staff?hallId=hall-a')).body[0]
    const put = (body: Buffer, type: string) =>
      fetch(`${s.httpUrl}/api/v1/staff/${staff.id}/photo`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': type },
        body: new Uint8Array(body),
      })
    const fake = await put(Buffer.from('<html>not a picture</html>'), 'image/jpeg')
    expect(fake.status).toBe(400)
    expect((await fake.json()).message).toMatch(/not a JPEG, PNG or WebP/)
    expect((await put(png, 'image/gif')).status).toBe(415)
    const huge = Buffer.concat([png, Buffer.alloc(3 * 1024 * 1024)])
    expect((await put(huge, 'image/png')).status).toBe(413)
    expect((await fetch(`${s.httpUrl}/photos/..%2Frating-pad.db`)).status).toBe(404)
  })
})

describe('live hall wall', () => {
  it('streams a snapshot, then another after a pad rates', async () => {
    const b = browser()
    await b.call('POST', '/api/v1/session', { username: 'director', password: 'director-pass-1' })
    const ctrl = new AbortController()
    const res = await fetch(`${s.httpUrl}/api/v1/live/halls/hall-a/stream`, {
      headers: { cookie: b.cookie, accept: 'text/event-stream' },
      signal: ctrl.signal,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const snapshots: any[] = []
    const reader = res.body!.getReader()
    let buffer = ''
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          buffer += new TextDecoder().decode(value)
          let i
          while ((i = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, i)
            buffer = buffer.slice(i + 2)
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trim())
              .join('\n')
            if (/^event: ?wall/m.test(frame) && data) snapshots.push(JSON.parse(data))
          }
        }
      } catch {}
    })()
    await waitFor(() => snapshots.length >= 1, 'first snapshot')
    const w1 = () => snapshots.at(-1).windows.find((w: any) => w.id === pads[0].windowId)
    expect(w1().metrics.rated).toBe(0)
    expect(w1().staff).toMatchObject({ staffNo: pads[0].staffNo })

    const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    const now = new Date()
    const r = pad.rating({
      key: 1,
      promptedAt: new Date(now.getTime() - 2000).toISOString(),
      pressedAt: now.toISOString(),
      transaction: sampleTransaction({ id: 'T-live-1', staffNo: pads[0].staffNo }),
    })
    await pad.send(r)
    await waitFor(() => w1().metrics.rated === 1, 'the rating on the wall')
    expect(snapshots.at(-1).totals.rated).toBe(1)
    ctrl.abort()
    await pad.close()
  })

  it('refuses another hall and needs a session or token', async () => {
    const b = browser()
    await b.call('POST', '/api/v1/session', { username: 'director', password: 'director-pass-1' })
    expect((await b.call('GET', '/api/v1/live/halls/hall-b/wall')).status).toBe(403)
    expect((await fetch(`${s.httpUrl}/api/v1/live/halls/hall-a/wall`)).status).toBe(401)
    const snap = await b.call('GET', '/api/v1/live/halls/hall-a/wall')
    expect(snap.status).toBe(200)
    expect(snap.body.windows).toHaveLength(2)
  })
})
