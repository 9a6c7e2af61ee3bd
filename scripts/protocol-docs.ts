// Builds the protocol v1 documentation (JSON Schemas, AsyncAPI 3.0.0 document, README) from protocol/*.ts.
// Pure and deterministic: the same protocol gives the same bytes. scripts/docs-protocol.ts writes the files;
// test/protocol/asyncapi.test.ts checks that the committed files are what this returns.
import { z } from 'zod'
import {
  CHANNELS,
  Command,
  DEVICE_ID_PATTERN,
  DOWN_CHANNELS,
  LEVEL_LABELS,
  LEVELS,
  MAX_PAYLOAD_BYTES,
  PadEvent,
  SCALE_LEVELS,
  SCALES,
  SCHEMA_VERSION,
  TOPIC_ROOT,
  UP_CHANNELS,
  classOf,
  PROVISION_USERNAME,
  ProvisionRequest,
  ProvisionResponse,
  provisionTopics,
  QUEUE_USERNAME,
  QueueReply,
  QueueRequest,
  queueTopics,
  topicFor,
  type Channel,
} from '../protocol/index.ts'
import { INTEGRATION_EXAMPLES, WORKED_SESSION, type ExampleStep } from './protocol-examples.ts'

export const DOCS_DIR = 'docs/protocol'
export const ASYNCAPI_FILE = 'asyncapi.json'
export const README_FILE = 'README.md'
export const schemaFile = (channel: Channel) => `schemas/${channel}.json`

/** Channels in protocol order: the pad's up channels, then its down channels. */
export const CHANNEL_ORDER: readonly Channel[] = [...UP_CHANNELS, ...DOWN_CHANNELS]

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const DEVICE_ID_PARAM = 'deviceId'

/** `rp/v1/{deviceId}/rating`: the topic with an AsyncAPI parameter where the device id goes. */
export function channelAddress(channel: Channel): string {
  const address = `${TOPIC_ROOT}/{${DEVICE_ID_PARAM}}/${channel}`
  // topicFor refuses braces, so check the layout the other way round: a real id put in the address.
  const probe = 'pad-0001'
  if (address.replace(`{${DEVICE_ID_PARAM}}`, probe) !== topicFor(probe, channel))
    throw new Error(`channel address ${address} does not match topicFor()`)
  return address
}

const list = (xs: readonly (string | number)[]) => xs.join(', ')

const scaleRule = SCALES.map((s) => `${s} keys → levels ${list(SCALE_LEVELS[s])}`).join('; ')
const classRule = (['good', 'bad'] as const)
  .map((c) => `\`${c}\` for levels ${list(LEVELS.filter((l) => classOf(l) === c))}`)
  .join(', ')

/** Titles and the rules of each message that JSON Schema cannot say (zod refinements, behaviour). */
const MESSAGE_DOCS: Record<Channel, { title: string; notes: string }> = {
  rating: {
    title: 'Rating',
    notes:
      `Key 1 is the best (leftmost). \`level\` must be the level of \`key\` on a \`scale\`-key pad (${scaleRule}); ` +
      `\`class\` is ${classRule}. A transaction needs an \`id\` or a \`caseNo\`. ` +
      'These cross-field rules are enforced by the zod schema, not by this JSON Schema. ' +
      'Kept in the outbox until its id comes back in an ack.',
  },
  event: {
    title: 'Pad event',
    notes: 'Discriminated by `type`. Kept in the outbox and acknowledged like ratings.',
  },
  status: {
    title: 'Pad status (birth or death)',
    notes:
      'Discriminated by `state`. `online` is the birth, published retained after each connect; ' +
      '`offline` is the Last Will set at connect time, with the `connectCount` of the birth of that same connection, ' +
      'so a will older than the latest birth is recognised as stale.',
  },
  ack: {
    title: 'Ack',
    notes:
      'A pad removes from its outbox every message whose id is in `ids` or in `rejected`, and never sends those again.',
  },
  config: {
    title: 'Pad config',
    notes:
      'Retained, so a pad gets it as soon as it subscribes. The pad reports the applied `version` as `configVersion`.',
  },
  command: {
    title: 'Command',
    notes: 'Discriminated by `type`. Not retained.',
  },
}

/** The rules every pad must keep (AsyncAPI info.description and README). */
export const PAD_RULES: readonly string[] = [
  '**Ids are unique per pad.** Every rating and event carries an `id` made on the pad (a UUID or ULID); ' +
    'a pad never reuses one, so a message sent again is stored once.',
  '**`seq` only grows.** Each rating gets a sequence number larger than any the pad used before; the counter is persisted ' +
    'and survives reboots.',
  '**Outbox until ack.** Ratings and events are written to a persistent outbox before they are published ' +
    '(QoS 1) and stay there until their id comes back in an `ack` (in `ids` or `rejected`). After a reconnect, ' +
    'or on a `replay` command, the pad sends them again (ratings with `replayed: true`).',
  '**One rating per prompt (一次一评).** Only the first key press after a `prompt` command, within ' +
    '`timeouts.promptSeconds`, is a rating; later presses are `secondPress` events, and a prompt that times out ' +
    'is an `unrated` event.',
  '**A press with no prompt is an event, not a rating** (`pressNoPrompt`).',
  '**Birth and death.** At connect the pad sets its Last Will on its `status` topic (QoS 1, retained): ' +
    '`{"state": "offline", "connectCount": n}`. Right after connecting it publishes the retained birth ' +
    '`{"state": "online", "connectCount": n, …}` with the same `n`. `connectCount` is persisted and grows with every ' +
    'connection, so a will carrying a count lower than the latest birth is stale and is ignored.',
  `**Versioned payloads.** Every payload is UTF-8 JSON of at most ${MAX_PAYLOAD_BYTES} bytes with \`"v": ${SCHEMA_VERSION}\`; ` +
    'a message with an unknown `v` is rejected.',
]

const DESCRIPTION = [
  `Protocol v1 between 群众测评 rating pads and the rating server, over MQTT. Every topic is \`${TOPIC_ROOT}/{deviceId}/{channel}\`; ` +
    `a pad publishes to its own ${list(UP_CHANNELS.map((c) => `\`${c}\``))} topics and subscribes to its own ` +
    `${list(DOWN_CHANNELS.map((c) => `\`${c}\``))} topics, nothing else. This document is written from the pad's point of view.`,
  '',
  'Rules a pad must keep:',
  '',
  ...PAD_RULES.map((r, i) => `${i + 1}. ${r}`),
  '',
  'Generated from protocol/*.ts by `npm run docs:protocol`; do not edit by hand.',
].join('\n')

/** The JSON Schema (draft-07) of one channel's message, with title and description. */
export function messageJsonSchema(channel: Channel): JsonObject {
  // io 'input': what a receiver accepts. Unknown properties are allowed (zod strips them), as in the parsers.
  const generated = z.toJSONSchema(CHANNELS[channel].schema, {
    target: 'draft-07',
    io: 'input',
  }) as JsonObject
  const { $schema, description, ...body } = generated
  const { title, notes } = MESSAGE_DOCS[channel]
  const text = [description, `${CHANNELS[channel].summary}.`, notes]
    .filter((s) => typeof s === 'string')
    .join(' ')
  return { $schema, title, description: text, ...body }
}

/** The schema without `$schema`, to embed in the AsyncAPI document (whose default format is draft-07 based). */
function embeddedSchema(channel: Channel): JsonObject {
  const { $schema: _, ...rest } = messageJsonSchema(channel)
  return rest
}

const capitalised = (s: string) => s[0].toUpperCase() + s.slice(1)
const operationId = (channel: Channel) =>
  `${CHANNELS[channel].direction === 'up' ? 'send' : 'receive'}${capitalised(channel)}`

/** The AsyncAPI 3.0.0 document of protocol v1. */
export function asyncApiDocument(): JsonObject {
  const channels: JsonObject = {}
  const operations: JsonObject = {}
  const messages: JsonObject = {}
  const schemas: JsonObject = {}

  for (const channel of CHANNEL_ORDER) {
    const { direction, qos, retain, summary } = CHANNELS[channel]
    if ((direction === 'up') !== (UP_CHANNELS as readonly string[]).includes(channel))
      throw new Error(`CHANNELS.${channel}.direction disagrees with UP_CHANNELS/DOWN_CHANNELS`)
    const { title, notes } = MESSAGE_DOCS[channel]
    const how = `QoS ${qos}${retain ? ', retained' : ''}`

    schemas[channel] = embeddedSchema(channel)
    messages[channel] = {
      name: channel,
      title,
      summary,
      contentType: 'application/json',
      payload: { $ref: `#/components/schemas/${channel}` },
    }
    channels[channel] = {
      address: channelAddress(channel),
      title: capitalised(channel),
      summary,
      description: `${direction === 'up' ? 'Pad → server' : 'Server → pad'}, ${how}. ${notes}`,
      parameters: { [DEVICE_ID_PARAM]: { $ref: `#/components/parameters/${DEVICE_ID_PARAM}` } },
      messages: { [channel]: { $ref: `#/components/messages/${channel}` } },
    }
    operations[operationId(channel)] = {
      action: direction === 'up' ? 'send' : 'receive',
      channel: { $ref: `#/channels/${channel}` },
      title: `${direction === 'up' ? 'Publish' : 'Receive'} ${channel}`,
      summary: direction === 'up' ? `The pad publishes: ${summary}` : `The pad subscribes: ${summary}`,
      messages: [{ $ref: `#/channels/${channel}/messages/${channel}` }],
      bindings: { mqtt: { qos, retain, bindingVersion: '0.2.0' } },
    }
  }

  const security = [{ $ref: '#/components/securitySchemes/padPassword' }]
  return {
    asyncapi: '3.0.0',
    info: { title: 'Rating pad protocol', version: '1.0.0', description: DESCRIPTION },
    defaultContentType: 'application/json',
    servers: {
      embedded: {
        host: 'localhost:1883',
        protocol: 'mqtt',
        title: 'Embedded broker',
        description: 'The MQTT broker embedded in the rating server.',
        security,
      },
      embeddedWebSocket: {
        host: 'localhost:8080',
        pathname: '/mqtt',
        protocol: 'ws',
        title: 'Embedded broker over WebSocket',
        description: 'The same broker, MQTT over WebSocket, for browser pads.',
        security,
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      parameters: {
        [DEVICE_ID_PARAM]: {
          description:
            `The pad's device id, one topic level matching \`${DEVICE_ID_PATTERN.source}\` ` +
            '(no MQTT wildcards, separators, NUL or spaces). It is also the MQTT username of the pad.',
          examples: ['pad-0001'],
        },
      },
      securitySchemes: {
        padPassword: {
          type: 'userPassword',
          description:
            'MQTT username = device id, password = device secret, client id = device id (or device id, `:` and ' +
            'a suffix; any other is refused). The broker lets a pad publish only to its own ' +
            'up topics and subscribe only to its own down topics.',
        },
      },
    },
  }
}

/** Messages of provisioning and queue systems, on topics of their own (not a pad's channels). */
export const INTEGRATION_SCHEMAS = {
  'provision-request': { schema: ProvisionRequest, title: 'Provisioning request' },
  'provision-response': { schema: ProvisionResponse, title: 'Provisioning response' },
  'queue-request': { schema: QueueRequest, title: 'Queue request' },
  'queue-reply': { schema: QueueReply, title: 'Queue reply' },
} as const

function integrationJsonSchema(name: keyof typeof INTEGRATION_SCHEMAS): JsonObject {
  const { schema, title } = INTEGRATION_SCHEMAS[name]
  const generated = z.toJSONSchema(schema, { target: 'draft-07', io: 'input' }) as JsonObject
  const { $schema, ...body } = generated
  return { $schema, title, ...body }
}

/** A client topic with `{clientId}` where the id goes. */
const placeholder = (make: (clientId: string) => string) => make('CLIENTID').replace('CLIENTID', '{clientId}')

function exampleLines(steps: ExampleStep[]): string[] {
  return steps.flatMap((e, i) => [
    `${i + 1}. **${e.title}**: the ${e.from} ${e.sent ?? 'publishes to'} \`${e.topic}\`${e.retain ? ' (retained)' : ''}. ${e.note}`,
    '',
    '   ```json',
    ...JSON.stringify(e.message, null, 2)
      .split('\n')
      .map((l) => `   ${l}`),
    '   ```',
    '',
  ])
}

function variantLines(union: typeof PadEvent | typeof Command): string[] {
  return union.options.map((o) => {
    const type = o.shape.type.value
    return `  - \`${type}\`${o.description ? `: ${o.description}` : ''}`
  })
}

/** The human-readable overview. */
export function readme(): string {
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  const lines = [
    '# Rating pad protocol v1',
    '',
    `Generated by \`npm run docs:protocol\` from \`protocol/*.ts\`; do not edit by hand. Machine-readable: ` +
      `[asyncapi.json](${ASYNCAPI_FILE}) (AsyncAPI 3.0.0) and one JSON Schema per message in [schemas/](schemas/).`,
    '',
    `Pads talk MQTT to the server's broker (\`mqtt://localhost:1883\`, or \`ws://localhost:8080/mqtt\` from a browser), ` +
      'with username = device id and password = device secret. The client id is the device id too, or the device ' +
      'id, a colon and any suffix (`pad-0001:diag`) for a second connection; the broker refuses any other ' +
      'client id from a pad (CONNACK 5), because a broker drops the older connection of a client id and so ' +
      'one pad could knock another off.',
    '',
    '## Topics',
    '',
    row(['Channel', 'Topic', 'Direction', 'QoS', 'Retained', 'Schema']),
    row(['---', '---', '---', '---', '---', '---']),
    ...CHANNEL_ORDER.map((c) => {
      const { direction, qos, retain } = CHANNELS[c]
      return row([
        c,
        `\`${channelAddress(c)}\``,
        direction === 'up' ? 'pad → server' : 'server → pad',
        qos,
        retain ? 'yes' : 'no',
        `[${schemaFile(c)}](${schemaFile(c)})`,
      ])
    }),
    '',
    `\`{deviceId}\` matches \`${DEVICE_ID_PATTERN.source}\`.`,
    '',
    '## Messages',
    '',
    ...CHANNEL_ORDER.flatMap((c) => {
      const line = `- **${c}**: ${CHANNELS[c].summary}.`
      if (c === 'event') return [line, ...variantLines(PadEvent)]
      if (c === 'command') return [line, ...variantLines(Command)]
      return [line]
    }),
    '',
    '## Keys and levels',
    '',
    row(['Keys', ...[1, 2, 3, 4, 5].map((k) => `key ${k}`)]),
    row(['---', '---', '---', '---', '---', '---']),
    ...SCALES.map((s) =>
      row([
        s,
        ...[0, 1, 2, 3, 4].map((i) =>
          i < s ? `${SCALE_LEVELS[s][i]} ${LEVEL_LABELS[SCALE_LEVELS[s][i]].zh}` : '',
        ),
      ]),
    ),
    '',
    `\`class\` is ${classRule} (好评 and 差评).`,
    '',
    '## Rules a pad must keep',
    '',
    ...PAD_RULES.map((r, i) => `${i + 1}. ${r}`),
    '',
    '## A worked session',
    '',
    'Pad `pad-0001` at window 12, from power-on to a replay after a network outage. Every message below is ' +
      'real: a test parses each one with the protocol schema of its topic.',
    '',
    ...exampleLines(WORKED_SESSION),
    '## Provisioning and queue systems',
    '',
    'Two more kinds of client use topics of their own, one level deeper than a pad’s, each keyed by the MQTT ' +
      'client id of the only connection the broker lets use it:',
    '',
    row(['Who', 'Username / password', 'Publishes to', 'Reads', 'Schemas']),
    row(['---', '---', '---', '---', '---']),
    row([
      'A pad being provisioned',
      `\`${PROVISION_USERNAME}\` / a hall provisioning key`,
      `\`${placeholder(provisionTopics.request)}\``,
      `\`${placeholder(provisionTopics.response)}\``,
      '[provision-request](schemas/provision-request.json), [provision-response](schemas/provision-response.json)',
    ]),
    row([
      'A queue system (排队叫号)',
      `\`${QUEUE_USERNAME}\` / its API token; client id = the token’s id`,
      `\`${placeholder(queueTopics.request)}\``,
      `\`${placeholder(queueTopics.reply)}\``,
      '[queue-request](schemas/queue-request.json), [queue-reply](schemas/queue-reply.json)',
    ]),
    '',
    ...exampleLines(INTEGRATION_EXAMPLES),
    'Pads that cannot speak MQTT send the same rating and event messages over HTTP ' +
      '(`POST /api/v1/pad/ratings` and `/api/v1/pad/events`, HTTP Basic with the device id and secret) and get the ack ' +
      'as the answer; provisioning is also `POST /api/v1/provision`. See the integrators’ guide (docs/integrators.md, ' +
      'served at `/docs/integrators`).',
    '',
  ]
  return lines.join('\n')
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n'

/** Every generated file, by path relative to docs/protocol. */
export function generateProtocolDocs(): Record<string, string> {
  const files: Record<string, string> = {}
  for (const channel of CHANNEL_ORDER) files[schemaFile(channel)] = json(messageJsonSchema(channel))
  for (const name of Object.keys(INTEGRATION_SCHEMAS) as (keyof typeof INTEGRATION_SCHEMAS)[])
    files[`schemas/${name}.json`] = json(integrationJsonSchema(name))
  files[ASYNCAPI_FILE] = json(asyncApiDocument())
  files[README_FILE] = readme()
  return files
}
