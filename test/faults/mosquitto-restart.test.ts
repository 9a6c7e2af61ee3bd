// Mosquitto killed and started again while pads rate through it (server on MQTT_URL, SQLite). The
// server's own connection comes back and subscribes again; what the broker lost with its sessions
// the pads still hold and send again: every rating stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Simulator } from '../../simulator/simulator.ts'
import { startServerMosquitto, type ServerMosquitto } from '../helpers/mosquitto.ts'
import { startServer, type TestServer } from '../helpers/server.ts'
import { recordFigures } from './figures.ts'
import { compare, drainAll, faultRandom, rateRound, sentIds, size, storedRatings } from './helpers.ts'

const PADS = 50
const ROUNDS = size(30, 200)
const RESTARTS = size(3, 15)

let broker: ServerMosquitto
let s: TestServer
beforeAll(async () => {
  broker = await startServerMosquitto()
  s = await startServer(broker.serverEnv)
}, 120_000)
afterAll(async () => {
  await s?.close()
  await broker?.stop()
})

describe('Mosquitto restarted under load', () => {
  it(`stores each rating once through ${RESTARTS} broker kills`, async () => {
    const { random } = faultRandom('mosquitto-restart')
    const sim = await Simulator.create({
      api: s.httpUrl,
      token: s.adminToken,
      broker: broker.url,
      pads: PADS,
      prefix: 'mosq',
      seed: 3,
      manualClock: true,
      keepSentLog: true,
      reconnect: { initialMs: 500, maxMs: 5000 },
    })
    await broker.loadPadPasswords({ httpUrl: s.httpUrl, token: s.adminToken })
    await sim.start({ traffic: false })

    const restartRounds = new Set<number>()
    while (restartRounds.size < RESTARTS) restartRounds.add(2 + Math.floor(random() * (ROUNDS - 3)))
    for (let round = 1; round <= ROUNDS; round++) {
      if (restartRounds.has(round)) {
        await broker.kill()
        await rateRound(sim, round) // taken offline
        await broker.start()
        continue
      }
      await rateRound(sim, round)
    }
    expect(await drainAll(sim)).toBe(true)

    const db = await storedRatings({ file: `${s.dataDir}/rating-pad.db` })
    const { lost, invented, storedTwice } = compare(sentIds(sim), db.ids)
    expect({ lost, invented, storedTwice }).toEqual({ lost: [], invented: [], storedTwice: 0 })
    expect(db.ids).toHaveLength(PADS * ROUNDS)
    expect(db.rollupTotal).toBe(PADS * ROUNDS)
    recordFigures('mosquitto-restart', {
      pads: PADS,
      ratings: db.ids.length,
      brokerKills: RESTARTS,
      lost: lost.length,
      storedTwice,
      published: sim.stats().transport.published,
    })
    await sim.stop()
  }, 900_000)
})
