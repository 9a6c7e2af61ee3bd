// Broker clients that are not pads: a pad being provisioned ($provision + a hall provisioning key)
// and a queue system ($queue + its API token, with the token's id as client id). What each may do
// follows from its username and client id alone, so the embedded broker and the HTTP ACL endpoint
// that an external broker calls (which gets no password) agree.
import {
  isClientKey,
  PROVISION_USERNAME,
  provisionTopics,
  QUEUE_USERNAME,
  queueTopics,
} from '../../protocol/index.ts'
import type { ProvisioningKeys } from '../provisioning/keys.ts'
import type { DeviceRepository } from '../repositories/devices.ts'
import type { TokenRepository } from '../repositories/tokens.ts'

export interface ClientGrant {
  publish: string[]
  subscribe: string[]
}

export function isClientUsername(username: string): boolean {
  return username === PROVISION_USERNAME || username === QUEUE_USERNAME
}

/** Exact topics this client may publish to and subscribe to; null when it is not such a client. */
export function clientGrant(username: string, clientId: string): ClientGrant | null {
  if (!isClientKey(clientId)) return null
  if (username === PROVISION_USERNAME)
    return { publish: [provisionTopics.request(clientId)], subscribe: [provisionTopics.response(clientId)] }
  if (username === QUEUE_USERNAME)
    return { publish: [queueTopics.request(clientId)], subscribe: [queueTopics.reply(clientId)] }
  return null
}

export class ClientAuthenticator {
  constructor(
    private readonly keys: ProvisioningKeys,
    private readonly tokens: TokenRepository,
    private readonly devices: DeviceRepository,
  ) {}

  /** True when the password is a usable provisioning key, or the API token whose id is the client id. */
  async verify(username: string, password: string, clientId: string): Promise<boolean> {
    if (!clientGrant(username, clientId)) return false
    // Anyone with a hall's key provisions, and a broker drops the older connection of a client id:
    // a registered pad's id as client id would knock that pad off.
    if (username === PROVISION_USERNAME)
      return (await this.devices.credentials(clientId)) === null && (await this.keys.check(password)) !== null
    const p = await this.tokens.principalFor(password)
    return p !== null && p.tokenId === clientId && p.role !== 'viewer'
  }
}
