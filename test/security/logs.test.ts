// Tokens, secrets, passwords and session cookies never reach the logs: the server runs at LOG_LEVEL
// trace while pads are made and rotated, tokens and accounts made, people sign in (and guess wrong),
// and pads connect; then every secret is looked for in everything it printed. The first admin token
// printed once at first start is the one deliberate exception, and is taken out of the output first.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { connectRefusal, RawPad } from '../helpers/raw-pad.ts'
import { freePort } from '../helpers/server-process.ts'
import { waitFor } from '../helpers/server.ts'

const dir = mkdtempSync(join(tmpdir(), 'rp-logs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('logs', () => {
  it('never contain a token, secret, password or session', async () => {
    const [port, mqttPort] = [await freePort(), await freePort()]
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        MQTT_PORT: String(mqttPort),
        DATA_DIR: dir,
        LOG_LEVEL: 'trace',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    try {
      await waitFor(() => /rating-pad server on/.test(out), 'server started', 60_000)
      const first = /^\s+(rp_\S+)$/m.exec(out)![1]
      const base = `http://127.0.0.1:${port}`
      const secrets: string[] = [first]
      const api = async (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${first}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          body: body ? JSON.stringify(body) : undefined,
        })
        return { res, body: (await res.json().catch(() => null)) as any }
      }
      await api('POST', '/api/v1/halls', { id: 'log-h', name: '大厅' })
      await api('POST', '/api/v1/windows', { id: 'log-w', hallId: 'log-h', name: '1号窗口' })
      const dev = (
        await api('POST', '/api/v1/devices', { id: 'log-pad', hallId: 'log-h', windowId: 'log-w' })
      ).body
      secrets.push(dev.secret)
      const rotated = (await api('POST', '/api/v1/devices/log-pad/rotate-secret')).body
      secrets.push(rotated.secret)
      const tok = (await api('POST', '/api/v1/tokens', { name: 'integrator', role: 'viewer' })).body
      secrets.push(tok.token)
      const password = 'a long secret password 42'
      secrets.push(password)
      await api('POST', '/api/v1/users', { username: 'zhang', password, role: 'admin' })
      const login = await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'rating-pad' },
        body: JSON.stringify({ username: 'zhang', password }),
      })
      const cookie = login.headers.getSetCookie()[0].split(';')[0]
      secrets.push(cookie.split('=')[1])
      await fetch(`${base}/api/v1/session`, { headers: { cookie } })
      const wrong = 'wrong password guess 7'
      secrets.push(wrong)
      await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'rating-pad' },
        body: JSON.stringify({ username: 'zhang', password: wrong }),
      })
      await fetch(`${base}/api/v1/halls`, { headers: { authorization: `Bearer ${tok.token}` } })
      // Pads: the old secret refused, the new one in.
      expect(await connectRefusal(`mqtt://127.0.0.1:${mqttPort}`, 'log-pad', dev.secret)).not.toBeNull()
      const pad = await RawPad.connect(`mqtt://127.0.0.1:${mqttPort}`, 'log-pad', rotated.secret)
      const r = pad.rating()
      await pad.send(r)
      await waitFor(() => pad.ackedIds().has(r.id), 'acked')
      await pad.close()
      await new Promise((res) => setTimeout(res, 500))

      expect(out.length).toBeGreaterThan(1000) // trace level did log the requests
      const printedOnce = out.replace(first, '<first admin token>')
      expect(out.split(first).length - 1).toBe(1)
      for (const secret of secrets) expect(printedOnce.includes(secret), `a secret in the logs`).toBe(false)
    } finally {
      child.kill('SIGKILL')
    }
  }, 120_000)
})
