// Runs the real server as a child process (for tests that kill it, and for benchmarks, so pads and
// server don't share one event loop). Returns its URLs and the first admin token.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface ServerProcess {
  child: ChildProcess
  httpUrl: string
  mqttUrl: string
  port: number
  mqttPort: number
  dataDir: string
  token: string
  /** Milliseconds from spawn to "accepting pads". */
  startupMs: number
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>
  stop(): Promise<void>
}

export async function startServerProcess(
  env: Record<string, string> = {},
  /** The same dataDir and ports again restart a killed server where it was (test/faults). */
  opts: { dataDir?: string; port?: number; mqttPort?: number; nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'rp-bench-'))
  const port = opts.port ?? (await freePort())
  const mqttPort = opts.mqttPort ?? (await freePort())
  const started = Date.now()
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'server/server.ts'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      MQTT_PORT: String(mqttPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  const token = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      if (/rating-pad server on/.test(out)) resolve(/^\s+(rp_\S+)$/m.exec(out)?.[1] ?? env.BENCH_TOKEN ?? '')
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
  const startupMs = Date.now() - started
  // From here on the server prints only warnings and errors (LOG_LEVEL warn): pass them on, so a
  // failing test or benchmark shows what the server said.
  child.stdout!.on('data', (d) => process.stderr.write(`[server :${port}] ${d}`))
  const httpUrl = `http://127.0.0.1:${port}`
  return {
    child,
    httpUrl,
    mqttUrl: env.MQTT_URL ?? `mqtt://127.0.0.1:${mqttPort}`,
    port,
    mqttPort,
    dataDir,
    token,
    startupMs,
    async api(method, path, body) {
      const res = await fetch(`${httpUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      })
      const text = await res.text()
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return text ? JSON.parse(text) : null
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // A graceful stop commits what is pending; one that hangs (a broker gone) is killed.
        const exited = new Promise<void>((r) => child.once('exit', () => r()))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(timer)
      }
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
