// Pad power loss in the middle of writing its outbox. A process writing ratings into the real file
// outbox is SIGKILLed at random moments, and after some kills the last record is also torn in half
// (what a power cut leaves when the page cache had only part of a write). Every time, the outbox
// opens cleanly and holds every rating whose put() had resolved, the point where the pad says 谢谢.
// Then a pad boots on that outbox and the server stores each of them exactly once.
import { spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileOutbox, OUTBOX_FILE, openFileStorage } from '../../device/adapters/node/file-outbox.ts'
import { MqttTransport } from '../../device/adapters/mqtt/mqtt-transport.ts'
import { PadRuntime } from '../../device/pad.ts'
import { randomId } from '../../device/adapters/ids.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { recordFigures } from './figures.ts'
import { faultRandom, size } from './helpers.ts'

const KILLS = size(10, 50)

let s: TestServer
let dir: string
beforeAll(async () => {
  s = await startServer()
  dir = mkdtempSync(join(tmpdir(), 'rp-power-'))
})
afterAll(async () => {
  await s?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the writer until it has put at least `atLeast` ratings, then kills it `delayMs` later. */
function runAndKill(atLeast: number, delayMs: number): Promise<{ put: string[]; removed: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/outbox-writer.ts', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const put: string[] = []
    const removed: string[] = []
    let buffer = ''
    let armed = false
    child.stdout.on('data', (d) => {
      buffer += d
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        const [what, ...ids] = line.split(' ')
        if (what === 'put') put.push(ids[0])
        else if (what === 'removed') removed.push(...ids)
      }
      if (!armed && put.length >= atLeast) {
        armed = true
        setTimeout(() => child.kill('SIGKILL'), delayMs)
      }
    })
    child.once('error', reject)
    child.once('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve({ put, removed }) : reject(new Error(`writer exited: ${signal}`)),
    )
  })
}

describe('pad power loss mid-write', () => {
  it(`keeps every rating the pad thanked for through ${KILLS} kills, and the server stores each once`, async () => {
    const { random } = faultRandom('pad-power-loss')
    const durable = new Set<string>()
    let torn = 0
    for (let k = 0; k < KILLS; k++) {
      const { put, removed } = await runAndKill(20 + Math.floor(random() * 40), Math.floor(random() * 30))
      for (const id of put) durable.add(id)
      for (const id of removed) durable.delete(id)
      if (random() < 0.5) {
        // The power cut caught a write half way: part of a record, no newline.
        appendFileSync(join(dir, OUTBOX_FILE), `{"p":{"id":"pwr-torn-${k}","seq":${1e9 + k},"channel":"rat`)
        torn++
      }
      const outbox = await FileOutbox.open(dir)
      const present = new Set((await outbox.list()).map((e) => e.id))
      await outbox.close()
      expect([...durable].filter((id) => !present.has(id))).toEqual([])
      // Removed ones may come back (a remove is not fsynced): the server deduplicates a resend.
      for (const id of present) durable.add(id)
    }
    expect(durable.size).toBeGreaterThan(KILLS * 10)

    // The pad boots on what survived, connects, and empties its outbox into the server.
    const { pads } = await seedHall(s, { hallId: 'power', windows: 1 })
    const storage = await openFileStorage(dir)
    await storage.settings.save({ credentials: { username: pads[0].id, password: pads[0].secret } })
    const pad = await PadRuntime.open({
      deviceId: pads[0].id,
      device: {
        firmware: 'test',
        model: 'test',
        capabilities: { keys: [5], display: true, voice: false, reasons: true },
      },
      storage,
      transport: new MqttTransport(s.mqttUrl),
      clock: { now: () => Date.now(), setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
      newId: () => randomId(Date.now()),
    })
    pad.start()
    await waitFor(async () => (await storage.outbox.size()) === 0, 'outbox emptied', 60_000)
    const stored = await s.app.db.prisma.rating.findMany({
      where: { deviceId: pads[0].id },
      select: { ratingId: true },
    })
    const ids = stored.map((r) => r.ratingId)
    expect(ids.length).toBe(new Set(ids).size)
    expect([...durable].filter((id) => !ids.includes(id))).toEqual([])
    expect(ids.some((id) => id.startsWith('pwr-torn'))).toBe(false)
    await pad.stop()
    await storage.close()
    recordFigures('pad-power-loss', {
      kills: KILLS,
      tornRecords: torn,
      ratingsKept: durable.size,
      stored: ids.length,
    })
  }, 600_000)
})
