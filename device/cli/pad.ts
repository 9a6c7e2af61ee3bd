// npm run pad -- --device ID --secret S [--broker URL] [--data DIR]
// A Node pad on a real broker (a Raspberry-Pi style box at the window): the pad firmware with the
// file outbox (fsynced) and the MQTT.js transport; the screen drawn in the terminal, keys from the
// keyboard. The secret is kept in DIR/settings.json after the first start, so later starts need
// only --device.
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { randomId } from '../adapters/ids.ts'
import { MqttTransport } from '../adapters/mqtt/mqtt-transport.ts'
import { openFileStorage } from '../adapters/node/file-outbox.ts'
import { Terminal } from '../adapters/node/terminal.ts'
import { SystemClock, isoFromMs } from '../adapters/system-clock.ts'
import { PadRuntime } from '../pad.ts'
import { isDeviceId } from '../../protocol/index.ts'

const HELP = `npm run pad -- --device ID [--secret S] [--broker URL] [--data DIR]

  --device ID    the pad's device id (as registered: POST /api/v1/devices); or $RP_DEVICE
  --secret S     its secret, shown once at registration; kept in DIR after the first start; or $RP_SECRET
  --broker URL   mqtt://host:1883, mqtts://…, ws://host:8080/mqtt (default $RP_BROKER or mqtt://localhost:1883)
  --data DIR     outbox and settings (default ./data/pad-<ID>)

Keys: 1–5 rate · r 请评价 · p pause/resume · s sign in (asks 工号) · o sign out · q quit
`

async function main() {
  const { values: a } = parseArgs({
    options: {
      device: { type: 'string' },
      secret: { type: 'string' },
      broker: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (a.help) {
    process.stdout.write(HELP)
    return
  }
  const deviceId = a.device ?? process.env.RP_DEVICE
  if (!deviceId || !isDeviceId(deviceId)) throw new Error('--device ID is needed (letters, digits, _ . -)')
  const broker = a.broker ?? process.env.RP_BROKER ?? 'mqtt://localhost:1883'
  const dir = a.data ?? join('data', `pad-${deviceId}`)
  const storage = await openFileStorage(dir)
  const secret = a.secret ?? process.env.RP_SECRET
  if (secret) await storage.settings.save({ credentials: { username: deviceId, password: secret } })
  else if (!(await storage.settings.load()).credentials)
    throw new Error(`--secret S is needed on the first start (nothing kept in ${dir})`)

  let pad: PadRuntime | null = null
  let quitting = false
  const quit = () => {
    if (quitting) process.exit(1)
    quitting = true
    void (async () => {
      await pad?.stop()
      await storage.close()
      process.exit(0)
    })()
  }
  const terminal = new Terminal({ onQuit: quit, isPaused: () => pad?.coreState.paused ?? false })
  pad = await PadRuntime.open({
    deviceId,
    device: {
      firmware: 'rp-node-0.1.0',
      model: 'node-terminal',
      capabilities: { keys: [2, 3, 4, 5], display: true, voice: false, reasons: true },
    },
    storage,
    transport: new MqttTransport(broker),
    clock: new SystemClock(),
    newId: () => randomId(),
    toIso: isoFromMs,
    display: terminal,
    audio: terminal,
    keys: terminal,
    log: (level, message) => {
      if (level !== 'info' || message.startsWith('connected')) terminal.note(`${level}: ${message}`)
    },
  })
  process.on('SIGINT', quit)
  process.on('SIGTERM', quit)
  terminal.note(`pad ${deviceId} → ${broker} (data in ${dir})`)
  pad.start()
}

main().catch((e) => {
  process.stderr.write(`pad: ${(e as Error).message}\n`)
  process.exit(1)
})
