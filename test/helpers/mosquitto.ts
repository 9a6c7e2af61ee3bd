// A private Mosquitto broker for a test: its own port, password file and ACL file, in a temp folder.
// (The machine's Mosquitto on 1883 allows anonymous clients, so pad auth can't be tested on it.)
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mosquittoAclFile } from '../../server/broker/acl.ts'
import { mosquittoHash } from '../../server/security/secrets.ts'
import { freePort } from './server-process.ts'

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' })
    c.once('connect', () => (c.destroy(), resolve(true)))
    c.once('error', () => resolve(false))
  })
}

export interface TestMosquitto {
  url: string
  port: number
  /** With `clientIdFromUsername`: the second listener, for the server instances. */
  internalUrl: string | null
  /** Replaces the password file and tells Mosquitto to reload it (SIGHUP), as an operator would. */
  setPasswords(passwd: string): Promise<void>
  stop(): Promise<void>
  /** Kills the broker; start() brings it back on the same port with the same files. */
  kill(): Promise<void>
  start(): Promise<void>
}

/**
 * `clientIdFromUsername`: the layout of docs/deploy.md, pads on `url` with use_username_as_clientid,
 * the server instances on `internalUrl` without it.
 */
export async function startMosquitto(opts: {
  passwd: string
  acl: string
  clientIdFromUsername?: boolean
}): Promise<TestMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'rp-mosq-'))
  const port = await freePort()
  const internalPort = opts.clientIdFromUsername ? await freePort() : null
  const files = { passwd: join(dir, 'passwd'), acl: join(dir, 'acl'), conf: join(dir, 'mosquitto.conf') }
  writeFileSync(files.passwd, opts.passwd)
  writeFileSync(files.acl, opts.acl)
  const auth = ['allow_anonymous false', `password_file ${files.passwd}`, `acl_file ${files.acl}`]
  writeFileSync(
    files.conf,
    [
      ...(internalPort
        ? [
            'per_listener_settings true',
            `listener ${port} 127.0.0.1`,
            ...auth,
            'use_username_as_clientid true',
            `listener ${internalPort} 127.0.0.1`,
            ...auth,
          ]
        : [`listener ${port} 127.0.0.1`, ...auth]),
      'persistence false',
      'max_queued_messages 100000',
      'user root',
      '',
    ].join('\n'),
  )
  let child: ChildProcess | null = null
  const start = async () => {
    child = spawn('mosquitto', ['-c', files.conf], { stdio: 'ignore' })
    for (let i = 0; i < 200 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 25))
    if (!(await listening(port))) throw new Error('mosquitto did not start')
  }
  const kill = async () => {
    const c = child
    child = null
    if (!c || c.exitCode !== null) return
    await new Promise<void>((r) => (c.once('exit', () => r()), c.kill('SIGKILL')))
  }
  await start()
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    internalUrl: internalPort ? `mqtt://127.0.0.1:${internalPort}` : null,
    async setPasswords(passwd) {
      writeFileSync(files.passwd, passwd)
      child?.kill('SIGHUP')
      await new Promise((r) => setTimeout(r, 200))
    },
    start,
    kill,
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const SERVER_USER = 'rp-server'
const SERVER_PASSWORD = 'server-pw'

export interface ServerMosquitto extends TestMosquitto {
  /** What points a server at this broker as its own user (MQTT_URL and credentials). */
  serverEnv: Record<string, string>
  /** The operator's step once pads are registered: the server's password export, loaded. */
  loadPadPasswords(server: { httpUrl: string; token: string }): Promise<void>
}

/**
 * A private Mosquitto set up for the server as docs/deploy.md says: the server's user may do anything
 * on the protocol, pads only their own topics once their passwords are loaded.
 */
export async function startServerMosquitto(): Promise<ServerMosquitto> {
  const broker = await startMosquitto({
    passwd: `${SERVER_USER}:${mosquittoHash(SERVER_PASSWORD)}\n`,
    acl: mosquittoAclFile(SERVER_USER),
  })
  return Object.assign(broker, {
    serverEnv: { MQTT_URL: broker.url, MQTT_USERNAME: SERVER_USER, MQTT_PASSWORD: SERVER_PASSWORD },
    async loadPadPasswords(server: { httpUrl: string; token: string }) {
      const res = await fetch(`${server.httpUrl}/api/v1/broker/mosquitto/passwd`, {
        headers: { authorization: `Bearer ${server.token}` },
      })
      if (!res.ok) throw new Error(`password export: ${res.status} ${await res.text()}`)
      await broker.setPasswords(await res.text()) // it includes the server's own user
    },
  })
}
