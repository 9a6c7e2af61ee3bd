// `npm start` as a user meets it: the process, its first-start token and its port errors.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/server-process.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'rp-proc-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer().listen(port, '0.0.0.0', () => resolve(s))
  })
}

/** Runs the server process until `until` matches its output or it exits. */
function runServer(env: Record<string, string>, until: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  return new Promise<{ out: string; err: string; code: number | null; stop(): Promise<void> }>((resolve) => {
    const stop = () =>
      new Promise<void>((r) =>
        child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')),
      )
    const check = () => until.test(out) && resolve({ out, err, code: null, stop })
    child.stdout.on('data', check)
    child.once('exit', (code) => resolve({ out, err, code, stop }))
  })
}

describe('npm start', () => {
  it('prints an admin token on first start only, and the token works', async () => {
    const [port, mqttPort] = [await freePort(), await freePort()]
    const first = await runServer({ PORT: String(port), MQTT_PORT: String(mqttPort) }, /rating-pad server on/)
    const token = /^\s+(rp_\S+)$/m.exec(first.out)?.[1]
    expect(token).toBeDefined()
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/halls`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    await first.stop()
    const second = await runServer(
      { PORT: String(port), MQTT_PORT: String(mqttPort) },
      /rating-pad server on/,
    )
    expect(second.out).not.toMatch(/rp_/)
    await second.stop()
  })

  it('says in one line which variable to change when the MQTT port is busy', async () => {
    const busy = await freePort()
    const blocker = await occupy(busy)
    const r = await runServer({ PORT: String(await freePort()), MQTT_PORT: String(busy) }, /never/)
    blocker.close()
    expect(r.code).toBe(1)
    expect(r.err.trim()).toBe(
      `MQTT port ${busy} is already in use: set MQTT_PORT to a free port (or MQTT_URL to use the broker already there).`,
    )
  })

  it('says which variable to change when the HTTP port is busy', async () => {
    const busy = await freePort()
    const blocker = await occupy(busy)
    const r = await runServer({ PORT: String(busy), MQTT_PORT: String(await freePort()) }, /never/)
    blocker.close()
    expect(r.code).toBe(1)
    expect(r.err.trim()).toBe(`HTTP port ${busy} is already in use: set PORT to a free port.`)
  })

  it('names a bad setting', async () => {
    const r = await runServer({ PORT: 'eighty' }, /never/)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/PORT/)
  })
})
