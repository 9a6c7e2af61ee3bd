// Checks a pad's MQTT credentials (device id + secret) against the registry. Used by the embedded
// broker at CONNECT and by the HTTP auth endpoint an external broker calls.
import type { DeviceRepository } from '../repositories/devices.ts'
import { VerifiedSecretCache } from '../security/secrets.ts'

export class PadAuthenticator {
  private readonly cache = new VerifiedSecretCache()
  constructor(private readonly devices: DeviceRepository) {}

  /** True if the device exists, is not revoked and the secret matches. */
  async verify(deviceId: string, secret: string): Promise<boolean> {
    if (!secret) return false
    const cred = await this.devices.credentials(deviceId)
    return cred !== null && (await this.cache.verify(secret, cred.secretHash))
  }
}
