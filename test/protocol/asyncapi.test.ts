// The committed docs/protocol/ must be what `npm run docs:protocol` makes now, and a valid AsyncAPI document
// whose schemas accept real messages.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHANNELS, type Channel } from '../../protocol/index.ts'
import {
  ASYNCAPI_FILE,
  CHANNEL_ORDER,
  DOCS_DIR,
  channelAddress,
  generateProtocolDocs,
  schemaFile,
} from '../../scripts/protocol-docs.ts'
import { allSamples, sampleRating } from '../fixtures/messages.ts'

const docsDir = join(dirname(fileURLToPath(import.meta.url)), '../..', DOCS_DIR)
const committedFiles = () =>
  readdirSync(docsDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(docsDir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort()
const committed = (path: string) => readFileSync(join(docsDir, path), 'utf8')

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module object.
const newAjv = (strict: boolean) => {
  const ajv = new Ajv({ strict, allErrors: true })
  addFormats.default(ajv)
  return ajv
}

describe(`${DOCS_DIR} is up to date`, () => {
  const generated = generateProtocolDocs()
  const stale = 'is stale: run `npm run docs:protocol` and commit docs/protocol'

  it('has exactly the generated files', () => {
    expect(committedFiles(), `${DOCS_DIR} ${stale}`).toEqual(Object.keys(generated).sort())
  })

  it.each(Object.keys(generated))('%s matches generateProtocolDocs()', (path) => {
    expect(committed(path), `${DOCS_DIR}/${path} ${stale}`).toBe(generated[path])
  })

  it('is deterministic', () => {
    expect(generateProtocolDocs()).toEqual(generated)
  })
})

describe('asyncapi.json', () => {
  let doc: AsyncAPIDocumentInterface

  beforeAll(async () => {
    const { document, diagnostics } = await new Parser().parse(committed(ASYNCAPI_FILE))
    const errors = diagnostics.filter((d) => d.severity === 0)
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([])
    expect(document).toBeDefined()
    doc = document!
  })

  it('is AsyncAPI 3.0.0 with the protocol info', () => {
    expect(doc.version()).toBe('3.0.0')
    expect(doc.info().title()).toBe('Rating pad protocol')
    expect(doc.info().version()).toBe('1.0.0')
    for (const rule of ['一次一评', 'connectCount', 'outbox', 'seq', 'pressNoPrompt'])
      expect(doc.info().description()).toContain(rule)
  })

  it('has the embedded broker over MQTT and WebSocket, with device id and secret', () => {
    const urls = doc
      .servers()
      .all()
      .map((s) => `${s.protocol()}://${s.host()}${s.pathname() ?? ''}`)
    expect(urls.sort()).toEqual(['mqtt://localhost:1883', 'ws://localhost:8080/mqtt'])
    for (const server of doc.servers().all()) {
      const schemes = server.security().flatMap((req) => req.all().map((r) => r.scheme()))
      expect(schemes.map((s) => s.type())).toEqual(['userPassword'])
    }
  })

  it('has the six channels with a deviceId parameter', () => {
    const channels = doc.channels().all()
    expect(channels.map((c) => c.id())).toEqual([...CHANNEL_ORDER])
    for (const channel of channels) {
      const id = channel.id() as Channel
      expect(channel.address()).toBe(`rp/v1/{deviceId}/${id}`)
      expect(channel.address()).toBe(channelAddress(id))
      expect(
        channel
          .parameters()
          .all()
          .map((p) => p.id()),
      ).toEqual(['deviceId'])
      expect(channel.messages().all()).toHaveLength(1)
    }
  })

  it('has one operation per channel, from the pad point of view, with the MQTT qos and retain', () => {
    const operations = doc.operations().all()
    expect(operations).toHaveLength(CHANNEL_ORDER.length)
    for (const channel of CHANNEL_ORDER) {
      const ops = operations.filter((o) => o.channels().all()[0]?.id() === channel)
      expect(ops, channel).toHaveLength(1)
      const [op] = ops
      const { direction, qos, retain } = CHANNELS[channel]
      expect(op.action()).toBe(direction === 'up' ? 'send' : 'receive')
      expect(op.bindings().get('mqtt')?.value()).toMatchObject({ qos, retain })
    }
  })

  it('message payloads accept real messages and refuse broken ones', () => {
    const ajv = newAjv(false) // the parser adds x-parser-* keys to schemas
    const samples = allSamples()
    for (const channel of doc.channels().all()) {
      const id = channel.id() as Channel
      const payload = channel.messages().all()[0].payload()
      expect(payload, id).toBeDefined()
      const validate = ajv.compile(payload!.json() as object)
      for (const sample of samples[id])
        expect(validate(sample), `${id}: ${ajv.errorsText(validate.errors)}`).toBe(true)
      expect(validate({ ...samples[id][0], v: 2 }), `${id} with v 2`).toBe(false)
    }
  })
})

describe('schemas/*.json', () => {
  const ajv = newAjv(true)
  const samples = allSamples()

  it.each(CHANNEL_ORDER)('%s is a titled draft-07 schema that accepts the samples', (channel) => {
    const schema = JSON.parse(committed(schemaFile(channel)))
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(schema.title).toEqual(expect.any(String))
    expect(schema.description).toEqual(expect.any(String))
    const validate = ajv.compile(schema)
    for (const sample of samples[channel])
      expect(validate(sample), `${channel}: ${ajv.errorsText(validate.errors)}`).toBe(true)
  })

  it('rating refuses what JSON Schema can say', () => {
    const validate = ajv.compile(JSON.parse(committed(schemaFile('rating'))))
    expect(validate(sampleRating({ id: 'a/b+c#d-e' }))).toBe(false)
    expect(validate(sampleRating({ pressedAt: '2026-03-02T09:15:00' }))).toBe(false)
    expect(validate({ ...sampleRating(), scale: 6 })).toBe(false)
    const { replayed: _, ...noReplayed } = sampleRating()
    expect(validate(noReplayed)).toBe(false)
  })
})
