// Process configuration from the environment, validated once at start.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { MAX_PAYLOAD_BYTES } from '../protocol/index.ts'

const port = z.coerce.number().int().min(0).max(65535)
const optional = z
  .string()
  .optional()
  .transform((s) => (s === '' ? undefined : s))

export const ConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(8080),
  MQTT_PORT: port.default(1883),
  /** An external broker (mqtt://, mqtts://, ws://). Unset: the embedded aedes broker. */
  MQTT_URL: optional,
  MQTT_USERNAME: optional,
  MQTT_PASSWORD: optional,
  /** Shared-subscription group on an external broker, so several instances split the pads' messages. */
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/)
    .default('rp-server'),
  /**
   * Shared secret an external broker sends (header x-broker-auth) when it calls /broker/auth and
   * /broker/acl; unset disables those endpoints.
   */
  BROKER_AUTH_SECRET: optional,
  /** Largest MQTT packet the embedded broker takes from a pad or client; a bigger one closes the connection. */
  MQTT_MAX_PACKET_BYTES: z.coerce
    .number()
    .int()
    .min(MAX_PAYLOAD_BYTES + 1024)
    .max(256 * 1024 * 1024)
    .default(256 * 1024),
  /** PEM certificate and key files: with both, HTTPS on PORT and mqtts on MQTT_TLS_PORT. */
  TLS_CERT: optional,
  TLS_KEY: optional,
  MQTT_TLS_PORT: port.default(8883),
  DATA_DIR: z.string().default('./data'),
  /** postgres://… for PostgreSQL; unset: a SQLite file under DATA_DIR. */
  DATABASE_URL: optional,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  INGEST_FLUSH_MS: z.coerce.number().int().min(0).max(10_000).default(2),
  /** Public base URL of this server, used for links such as staff photos in pad configs. */
  PUBLIC_URL: optional,
  /** How often each instance looks for webhook deliveries that are due. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** First retry delay of a failed delivery; it doubles with each attempt (with jitter), up to an hour. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  /** Attempts before a delivery is marked failed (it can still be redelivered by hand). */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  /** How long one delivery may take. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Drivers for pads that speak their own format, comma-separated names from server/drivers/. */
  DRIVERS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** A JSON file with options per driver: { "<driver>": { ... } }. */
  DRIVERS_CONFIG: optional,
  /** Integrity flags (server/integrity/): a press sooner than this after its prompt is flagged fastPress. */
  FLAG_FAST_PRESS_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /** At least this many ratings of one pad within FLAG_BURST_WINDOW_MS (pad time) are flagged burst. */
  FLAG_BURST_COUNT: z.coerce.number().int().min(2).max(1000).default(5),
  FLAG_BURST_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** A pad whose clock is off by more than this (measured at its birth) gets clockSkew flags. */
  FLAG_CLOCK_SKEW_MS: z.coerce.number().int().min(1000).max(2_147_483_647).default(300_000),
  /** Minutes after closing (and before opening) still taken as within opening hours: a citizen served late. */
  FLAG_HOURS_GRACE_MINUTES: z.coerce.number().int().min(0).max(720).default(30),
  /** A missing seq is judged never sent when the rating after it was received this long ago. */
  SEQ_GAP_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90 * 86_400_000)
    .default(86_400_000),
  /** How often each instance runs the sequence-gap scan; 0 turns the timer off (the admin route still runs it). */
  SEQ_GAP_SCAN_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /** Hours a dashboard session lasts without being used. */
  SESSION_IDLE_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 90)
    .default(12),
})

export type AppConfig = z.infer<typeof ConfigSchema> & {
  /** Absolute DATA_DIR. */
  dataDir: string
  database: { provider: 'sqlite'; file: string } | { provider: 'postgres'; url: string }
  /** The certificate and key (PEM) read from TLS_CERT and TLS_KEY, or null for plain HTTP and MQTT. */
  tls: { cert: Buffer; key: Buffer } | null
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = ConfigSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`invalid configuration:\n${lines.join('\n')}`)
  }
  const c = parsed.data
  const dataDir = resolve(c.DATA_DIR)
  let database: AppConfig['database']
  if (!c.DATABASE_URL) database = { provider: 'sqlite', file: resolve(dataDir, 'rating-pad.db') }
  else if (/^postgres(ql)?:\/\//.test(c.DATABASE_URL))
    database = { provider: 'postgres', url: c.DATABASE_URL }
  else if (c.DATABASE_URL.startsWith('file:'))
    database = { provider: 'sqlite', file: resolve(c.DATABASE_URL.slice(5)) }
  else
    throw new Error(
      'invalid configuration:\n  DATABASE_URL: must start with postgres://, postgresql:// or file:',
    )
  return { ...c, dataDir, database, tls: readTls(c.TLS_CERT, c.TLS_KEY) }
}

function readTls(cert: string | undefined, key: string | undefined): AppConfig['tls'] {
  if (!cert && !key) return null
  if (!cert || !key)
    throw new Error(
      `invalid configuration:\n  ${cert ? 'TLS_KEY' : 'TLS_CERT'}: needed with ${cert ? 'TLS_CERT' : 'TLS_KEY'}`,
    )
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file)
    } catch (e) {
      throw new Error(`invalid configuration:\n  ${name}: cannot read ${file}: ${(e as Error).message}`)
    }
  }
  return { cert: read('TLS_CERT', cert), key: read('TLS_KEY', key) }
}
