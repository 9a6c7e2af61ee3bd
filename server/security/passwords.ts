// People's passwords: scrypt at a much higher cost than pad secrets (a password is guessable, a
// pad secret is 192 random bits). Same stored format, so verifySecret reads both.
import { randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto'
import { verifySecret } from './secrets.ts'

/** About 50 ms per hash on a small server: cheap for one sign-in, slow for guessing. */
const COST = { N: 16384, r: 8, p: 1 }

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, { ...COST, maxmem: 64 * 1024 * 1024 })
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return verifySecret(password.normalize('NFC'), stored)
}

/** A password for the first admin: easy to type from a console, about 90 bits of randomness. */
export function newPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = randomBytes(16)
  let s = ''
  for (let i = 0; i < 16; i++) s += alphabet[bytes[i] % alphabet.length]
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}`
}
