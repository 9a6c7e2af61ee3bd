// npm run conformance -- --broker URL --device ID [--secret S] [--username U --password P]
//                        [--api URL --token T] [--wait SECONDS] [--prompt-seconds N]
// Drives a pad under test through the protocol rules on a test broker and prints pass/fail per rule
// with the evidence. Exit code 0 when every rule passed, 1 otherwise, 2 for bad arguments.
import { parseArgs } from 'node:util'
import { formatReport, runConformance, type KitOptions } from './kit.ts'

const USAGE = `usage: npm run conformance -- --broker URL --device ID [--secret S] [--username U --password P]
                               [--api URL --token T] [--wait SECONDS] [--prompt-seconds N]

  --broker          the test broker the pad under test is pointed at (the kit subscribes to # there)
  --device          the pad's device id (its MQTT username and client id)
  --secret          the pad's secret, if that broker checks it (the kit takes over the pad's session)
  --username/--password  the kit's own credentials on that broker, if it has any
  --api/--token     the rating server where the pad is registered: its hall's key count, key labels and
                    prompt time go into the config the kit sends, so the pad is tested as it will run
  --wait            seconds to wait for the pad each time (default 60: a person presses the keys)
  --prompt-seconds  prompt time in the config (default 10)`

function main(): Promise<number> | number {
  let args
  try {
    args = parseArgs({
      options: {
        broker: { type: 'string' },
        device: { type: 'string' },
        secret: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        api: { type: 'string' },
        token: { type: 'string' },
        wait: { type: 'string', default: '60' },
        'prompt-seconds': { type: 'string', default: '10' },
        help: { type: 'boolean' },
      },
    }).values
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (args.help) return (console.log(USAGE), 0)
  const problems = [
    !args.broker && '--broker is required',
    !args.device && '--device is required',
    Boolean(args.api) !== Boolean(args.token) && '--api and --token go together',
    !(Number(args.wait) > 0) && '--wait must be a number of seconds',
    !(Number(args['prompt-seconds']) >= 3) && '--prompt-seconds must be at least 3',
  ].filter(Boolean)
  if (problems.length) {
    console.error(`${problems.join('\n')}\n\n${USAGE}`)
    return 2
  }
  return run(args as unknown as Record<string, string>)
}

async function hallFromServer(api: string, token: string, deviceId: string): Promise<KitOptions['hall']> {
  const get = async (path: string) => {
    const res = await fetch(new URL(path, api), { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
    return res.json() as Promise<any>
  }
  const device = await get(`/api/v1/devices/${encodeURIComponent(deviceId)}`)
  if (device.revoked) throw new Error(`device ${deviceId} is revoked on that server`)
  const hall = await get(`/api/v1/halls/${encodeURIComponent(device.hallId)}`)
  console.log(`Hall ${hall.name} (${hall.id}): ${hall.scale} keys, prompt ${hall.promptSeconds} s`)
  return {
    id: hall.id,
    name: hall.name,
    timeZone: hall.timeZone,
    scale: hall.scale,
    keyLabels: hall.keyLabels,
  }
}

async function run(a: Record<string, string>): Promise<number> {
  const hall = a.api ? await hallFromServer(a.api, a.token, a.device) : undefined
  console.log(`Conformance of pad ${a.device} on ${a.broker}. Follow the instructions below.\n`)
  const results = await runConformance({
    broker: a.broker,
    deviceId: a.device,
    secret: a.secret,
    username: a.username,
    password: a.password,
    waitMs: Number(a.wait) * 1000,
    promptSeconds: Number(a['prompt-seconds']),
    hall,
    operator: {
      async press(key, screen) {
        console.log(`→ Press key ${key} on the pad (it should be showing: ${screen}).`)
      },
      say(message) {
        console.log(`→ ${message}`)
      },
    },
  })
  console.log(`\n${formatReport(results)}`)
  return results.some((r) => r.status === 'fail') ? 1 : 0
}

Promise.resolve(main()).then(
  (code) => process.exit(code),
  (err) => {
    console.error(String(err instanceof Error ? err.message : err))
    process.exit(1)
  },
)
