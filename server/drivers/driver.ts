// A driver lets a pad that speaks its own format use the server: it decodes the vendor's messages
// into protocol messages, which then go through the same ingest as any pad's (same validation,
// same idempotency, same ack), and encodes what the server sends a pad (ack, config, command) back
// into the vendor's format. One driver per file in this folder; DRIVERS=... enables them.
import type { Ack, Command, Config } from '../../protocol/index.ts'
import type { ClientGrant } from '../broker/grants.ts'

/** A message as it arrived from the broker. */
export interface RawMessage {
  topic: string
  payload: Buffer
  receivedAt: Date
}

/** A protocol message decoded from a vendor message, for the protocol device `deviceId`. */
export interface Uplink {
  deviceId: string
  channel: 'rating' | 'event' | 'status'
  /** Checked by the protocol schemas in the ingest, like any pad's message. */
  message: unknown
}

/** What the server sends a pad. */
export type Downlink =
  | { channel: 'ack'; message: Ack }
  | { channel: 'config'; message: Config }
  | { channel: 'command'; message: Command }

/** A vendor message to publish. */
export interface Outbound {
  topic: string
  payload: string
  retain?: boolean
}

export interface Driver {
  name: string
  /** Topic filters the server subscribes to for this driver's messages. */
  subscriptions: string[]
  /** Whether this raw message is one of this driver's. */
  match(raw: RawMessage): boolean
  /** Vendor message → protocol messages. Throws with a readable reason when it cannot be read. */
  decode(raw: RawMessage): Uplink[]
  /** Whether a protocol device id is a device of this driver. */
  owns(deviceId: string): boolean
  /** A protocol message for one of its devices → vendor messages ([] when the vendor has none). */
  encode(deviceId: string, down: Downlink): Outbound[]
  /** Broker topics a client with this username (a device id) may use besides its protocol topics. */
  topics(deviceId: string): ClientGrant | null
  /**
   * The device a new device of this driver is registered under, for drivers that register their
   * devices when they first appear (a gateway's pads): the new one joins that device's hall.
   */
  parentOf?(deviceId: string): string | null
}

export interface DriverModule {
  name: string
  description: string
  create(options: Record<string, unknown>): Driver
}
