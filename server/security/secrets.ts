// Device secrets are hashed with scrypt; API tokens (long random strings) with SHA-256.
import {
  createHash,
  pbkdf2Sync,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto'

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

/**
 * Cost parameters are stored with each hash, so they can be changed later without a migration.
 * Device secrets are 192 random bits, not passwords, so a modest cost is enough; it keeps a hall's
 * reconnect storm (hundreds of pads after a power cut) to a few milliseconds of CPU per pad.
 */
const COST = { N: 1024, r: 8, p: 1 }

export function newSecret(): string {
  return randomBytes(24).toString('base64url')
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(secret, salt, 32, COST)
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const key = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  })
  return timingSafeEqual(key, expected)
}

export function newApiToken(): string {
  return `rp_${randomBytes(24).toString('base64url')}`
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Remembers secrets that verified against a stored hash, so a reconnect storm of thousands of pads
 * doesn't cost a scrypt each. Keyed by the stored hash: rotating the secret changes the hash and so
 * misses the cache, which keeps several server instances correct with no shared state.
 */
export class VerifiedSecretCache {
  private readonly seen = new Map<string, string>()
  constructor(private readonly max = 100_000) {}

  async verify(secret: string, stored: string): Promise<boolean> {
    const digest = sha256(secret)
    if (this.seen.get(stored) === digest) return true
    const ok = await verifySecret(secret, stored)
    if (ok) {
      if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value!)
      this.seen.set(stored, digest)
    }
    return ok
  }
}

/**
 * The secret in Mosquitto 2's password-file format (`$7$iterations$salt$hash`, PBKDF2-SHA512), so
 * pads can be exported to an external Mosquitto. Computed when the secret is made, since the
 * plain secret is never stored.
 */
export function mosquittoHash(secret: string, iterations = 1000): string {
  const salt = randomBytes(12)
  const hash = pbkdf2Sync(secret, salt, iterations, 64, 'sha512')
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`
}
