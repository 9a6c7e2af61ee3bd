// Every MQTT topic of protocol v1 is built or parsed here and nowhere else.
// Layout: rp/v1/{deviceId}/{channel}. Pads publish the "up" channels and subscribe to the "down" ones.

export const PROTOCOL_VERSION = 1 as const
export const TOPIC_ROOT = `rp/v${PROTOCOL_VERSION}`

/** Pad → server. `status` carries the retained birth and the Last-Will death. */
export const UP_CHANNELS = ['rating', 'event', 'status'] as const
/** Server → pad. `config` is retained. */
export const DOWN_CHANNELS = ['ack', 'config', 'command'] as const

export type UpChannel = (typeof UP_CHANNELS)[number]
export type DownChannel = (typeof DOWN_CHANNELS)[number]
export type Channel = UpChannel | DownChannel

/**
 * A device id is one topic level: no MQTT wildcards, no separators, no NUL, no spaces.
 * It is also the MQTT username of the pad.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export function isDeviceId(id: string): boolean {
  return DEVICE_ID_PATTERN.test(id)
}

function assertDeviceId(id: string): void {
  if (!isDeviceId(id)) throw new Error(`invalid device id ${JSON.stringify(id)}`)
}

/**
 * The MQTT client ids a pad may connect with: its device id, or its device id, a colon and anything
 * (for tools that open a second connection). A colon never occurs in a device id, so no pad can use
 * another pad's client id and take its session over (a broker drops the older connection of a
 * client id).
 */
export function isPadClientId(deviceId: string, clientId: string): boolean {
  return clientId === deviceId || clientId.startsWith(`${deviceId}:`)
}

export function topicFor(deviceId: string, channel: Channel): string {
  assertDeviceId(deviceId)
  return `${TOPIC_ROOT}/${deviceId}/${channel}`
}

export const topics = {
  rating: (deviceId: string) => topicFor(deviceId, 'rating'),
  event: (deviceId: string) => topicFor(deviceId, 'event'),
  status: (deviceId: string) => topicFor(deviceId, 'status'),
  ack: (deviceId: string) => topicFor(deviceId, 'ack'),
  config: (deviceId: string) => topicFor(deviceId, 'config'),
  command: (deviceId: string) => topicFor(deviceId, 'command'),
}

/** Subscription filter the server uses for one up channel of every pad. */
export function allPads(channel: UpChannel): string {
  return `${TOPIC_ROOT}/+/${channel}`
}

/**
 * The same filter as a shared subscription, so that with several server instances on a broker that
 * supports `$share` (Mosquitto, EMQX) each pad message is handled by exactly one instance.
 */
export function sharedAllPads(group: string, channel: UpChannel): string {
  if (!/^[A-Za-z0-9_-]+$/.test(group)) throw new Error(`invalid shared subscription group ${group}`)
  return `$share/${group}/${allPads(channel)}`
}

export interface ParsedTopic {
  deviceId: string
  channel: Channel
}

/** Parses a topic of this protocol; null for anything else. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/')
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null
  const [, , deviceId, channel] = parts
  if (!isDeviceId(deviceId)) return null
  if (
    !(UP_CHANNELS as readonly string[]).includes(channel) &&
    !(DOWN_CHANNELS as readonly string[]).includes(channel)
  )
    return null
  return { deviceId, channel: channel as Channel }
}

/** The topics a pad may publish to. */
export function padPublishTopics(deviceId: string): string[] {
  return UP_CHANNELS.map((c) => topicFor(deviceId, c))
}

/** The topics a pad may subscribe to (exact topics, no wildcards). */
export function padSubscribeTopics(deviceId: string): string[] {
  return DOWN_CHANNELS.map((c) => topicFor(deviceId, c))
}

/** Mosquitto-style ACL patterns (%u is the username, which is the device id). */
export const MOSQUITTO_PAD_ACL = [
  ...UP_CHANNELS.map((c) => `pattern write ${TOPIC_ROOT}/%u/${c}`),
  ...DOWN_CHANNELS.map((c) => `pattern read ${TOPIC_ROOT}/%u/${c}`),
]

// ---------------------------------------------------------------- integrations
// Provisioning and queue systems talk to the server on topics of their own, one level deeper than a
// pad's, so no pad topic can match them. Each is keyed by the MQTT client id of the one connection
// allowed to use it: the broker lets that client publish the request and read the answer, nobody else.

/** Username of a pad that connects to be provisioned; the password is a hall provisioning key. */
export const PROVISION_USERNAME = '$provision'
/** Username of a queue system (排队叫号); the password is its API token, the client id the token's id. */
export const QUEUE_USERNAME = '$queue'

/** A client id usable as one topic level. */
export function isClientKey(id: string): boolean {
  return DEVICE_ID_PATTERN.test(id)
}

function clientTopic(kind: 'provision' | 'queue', clientId: string, leaf: string): string {
  if (!isClientKey(clientId)) throw new Error(`invalid client id ${JSON.stringify(clientId)}`)
  return `${TOPIC_ROOT}/${kind}/${clientId}/${leaf}`
}

export const provisionTopics = {
  /** Pad → server: a ProvisionRequest. */
  request: (clientId: string) => clientTopic('provision', clientId, 'request'),
  /** Server → pad: the ProvisionResponse (the device id and secret). */
  response: (clientId: string) => clientTopic('provision', clientId, 'response'),
  /** What the server subscribes to. */
  all: `${TOPIC_ROOT}/provision/+/request`,
}

export const queueTopics = {
  /** Queue system → server: a QueueRequest. */
  request: (clientId: string) => clientTopic('queue', clientId, 'request'),
  /** Server → queue system: a QueueReply. */
  reply: (clientId: string) => clientTopic('queue', clientId, 'reply'),
  all: `${TOPIC_ROOT}/queue/+/request`,
}

/** The client id in a provisioning or queue request topic; null for anything else. */
export function parseClientTopic(topic: string): { kind: 'provision' | 'queue'; clientId: string } | null {
  const parts = topic.split('/')
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[4] !== 'request') return null
  const kind = parts[2]
  if ((kind !== 'provision' && kind !== 'queue') || !isClientKey(parts[3])) return null
  return { kind, clientId: parts[3] }
}
