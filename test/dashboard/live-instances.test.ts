// The hall wall with two server instances on Mosquitto and PostgreSQL: the pads' ratings are split
// between the instances by the shared subscription, yet a wall connected to either instance sees
// every rating, because each instance tells the others through the broker (rp/v1/_server/committed).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleTransaction } from '../fixtures/messages.ts'
import { postgresDatabase, type TestDatabase } from '../helpers/databases.ts'
import { startServerMosquitto, type ServerMosquitto } from '../helpers/mosquitto.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { waitFor } from '../helpers/server.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

let broker: ServerMosquitto
let pgdb: TestDatabase
let a: ServerProcess
let b: ServerProcess

/** Follows a hall's wall stream on one instance; `latest` is the last snapshot received. */
function follow(server: ServerProcess, token: string, hallId: string) {
  const ctrl = new AbortController()
  const state: { latest: any; frames: number } = { latest: null, frames: 0 }
  void (async () => {
    const res = await fetch(`${server.httpUrl}/api/v1/live/halls/${hallId}/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: ctrl.signal,
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        let i
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i)
          buffer = buffer.slice(i + 2)
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n')
          if (/^event: ?wall/m.test(frame) && data) {
            state.latest = JSON.parse(data)
            state.frames++
          }
        }
      }
    } catch {}
  })()
  return { state, stop: () => ctrl.abort() }
}

beforeAll(async () => {
  broker = await startServerMosquitto()
  pgdb = await postgresDatabase()
  const env = {
    ...broker.serverEnv,
    DATABASE_URL: (pgdb.config as { url: string }).url,
  }
  ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
}, 120_000)

afterAll(async () => {
  await a?.stop()
  await b?.stop()
  await broker?.stop()
  await pgdb?.drop()
})

describe('live hall wall across two instances', () => {
  it('shows every rating on the walls of both instances, whichever stored it', async () => {
    const token = a.token || b.token
    const api = a.token ? a : b
    const hallId = `live-${randomUUID().slice(0, 6)}`
    await api.api('POST', '/api/v1/halls', { id: hallId, name: '联动测试大厅' })
    await api.api('POST', '/api/v1/windows', { id: `${hallId}-w1`, hallId, name: '1号窗口' })
    await api.api('POST', '/api/v1/staff', { staffNo: `${hallId}-S1`, hallId, name: '王晓梅' })
    await api.api('POST', `/api/v1/windows/${hallId}-w1/sign-in`, { staffNo: `${hallId}-S1` })
    const pad = await api.api('POST', '/api/v1/devices', {
      id: `${hallId}-pad1`,
      hallId,
      windowId: `${hallId}-w1`,
    })
    await broker.loadPadPasswords({ httpUrl: api.httpUrl, token })

    const onA = follow(a, token, hallId)
    const onB = follow(b, token, hallId)
    await waitFor(() => onA.state.latest && onB.state.latest, 'first snapshots')

    const raw = await RawPad.connect(broker.url, pad.id, pad.secret)
    const rated = (s: typeof onA.state) => s.latest?.windows[0]?.metrics.rated
    // One rating at a time: exactly one instance stores each, and both walls must show it before
    // the next is sent (without the notice, the other instance's wall would wait for its own next
    // commit, which never comes while it waits).
    const N = 8
    for (let i = 1; i <= N; i++) {
      const now = new Date()
      const r = raw.rating({
        key: 1,
        promptedAt: new Date(now.getTime() - 2000).toISOString(),
        pressedAt: now.toISOString(),
        transaction: sampleTransaction({ id: `T-${hallId}-${i}`, staffNo: `${hallId}-S1` }),
      })
      await raw.send(r)
      await waitFor(
        () => rated(onA.state) === i && rated(onB.state) === i,
        `rating ${i} on both walls`,
        10_000,
      )
    }
    expect(onA.state.latest.totals.rated).toBe(N)
    expect(onB.state.latest.totals.rated).toBe(N)
    onA.stop()
    onB.stop()
    await raw.close()
  }, 120_000)
})
