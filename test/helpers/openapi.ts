// The running server's OpenAPI document (@fastify/swagger at /docs/json), for tests that go over
// every route, so a new route is covered the day it appears: its operations, paths filled with the
// ids of real things, and fast-check bodies that follow a route's JSON Schema.
import fc from 'fast-check'
import type { TestServer } from './server.ts'

type Schema = {
  $ref?: string
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  nullable?: boolean
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number | boolean
  exclusiveMaximum?: number | boolean
  minItems?: number
  maxItems?: number
  default?: unknown
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>
  components?: { schemas?: Record<string, Schema> }
}

export interface Operation {
  method: string
  path: string
  /** The JSON Schema of an application/json body, when the route takes one. */
  body?: Schema
}

export async function openApi(s: TestServer): Promise<OpenApiDoc> {
  const res = await s.api<OpenApiDoc>('GET', '/docs/json')
  if (res.status !== 200) throw new Error(`GET /docs/json: ${res.status}`)
  return res.body
}

/** Every operation of the document. */
export function operations(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map(([m, op]) => ({
        method: m.toUpperCase(),
        path,
        body: op.requestBody?.content['application/json']?.schema,
      })),
  )
}

/** Ids to put in paths: by parameter name first, then by what the path is about. */
export interface PathIds {
  hallId: string
  windowId: string
  staffNo: string
  deviceId: string
  caseId?: string
  /** Other collections, by path prefix (for example `/api/v1/webhooks`). */
  byPrefix?: Record<string, string>
}

/** Fills path parameters ({id} by what the path is about); unknown ones get `x`. */
export function fillPath(path: string, ids: PathIds): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'hallId') return ids.hallId
    if (name === 'staffNo') return ids.staffNo
    if (name === 'year') return '2026'
    const prefixes: [string, string | undefined][] = [
      ['/api/v1/windows', ids.windowId],
      ['/api/v1/staff', ids.staffNo],
      ['/api/v1/devices', ids.deviceId],
      ['/api/v1/followups', ids.caseId],
      ['/api/v1/halls', ids.hallId],
      ...Object.entries(ids.byPrefix ?? {}),
    ]
    for (const [prefix, id] of prefixes) if (path.startsWith(prefix) && id) return encodeURIComponent(id)
    return 'x'
  })
}

const resolve = (doc: OpenApiDoc, s: Schema): Schema => {
  if (!s.$ref) return s
  const name = s.$ref.replace('#/components/schemas/', '')
  const target = doc.components?.schemas?.[name]
  if (!target) throw new Error(`unresolved ${s.$ref}`)
  return resolve(doc, target)
}

/**
 * Values that follow a JSON Schema as @fastify/swagger writes it from the zod schemas (OpenAPI 3.0:
 * `nullable`, `$ref` into components). Rules a JSON Schema cannot say (refinements) may still refuse
 * some of them: the server then answers 4xx, which is what the fuzz tests check anyway.
 */
export function arbitraryFor(doc: OpenApiDoc, schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema)
  const plain = ((): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const)
    if (s.enum) return fc.constantFrom(...s.enum)
    if (s.anyOf || s.oneOf)
      return fc.oneof(...(s.anyOf ?? s.oneOf)!.map((x) => arbitraryFor(doc, x, depth + 1)))
    if (s.allOf) return arbitraryFor(doc, Object.assign({}, ...s.allOf.map((x) => resolve(doc, x))), depth)
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type
    switch (type) {
      case 'string':
        return stringFor(s)
      case 'integer':
      case 'number': {
        const min = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : (s.minimum ?? -1e6)
        const max = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : (s.maximum ?? 1e6)
        const lo = Math.ceil(Math.max(min, -1e9))
        const hi = Math.floor(Math.min(max, 1e9))
        return type === 'integer' || lo === hi
          ? fc.integer({ min: lo, max: Math.max(lo, hi) })
          : fc.double({ min: lo, max: hi, noNaN: true })
      }
      case 'boolean':
        return fc.boolean()
      case 'null':
        return fc.constant(null)
      case 'array':
        return fc.array(s.items && depth < 4 ? arbitraryFor(doc, s.items, depth + 1) : fc.constant(null), {
          minLength: s.minItems ?? 0,
          maxLength: Math.min(s.maxItems ?? 4, Math.max(4, s.minItems ?? 0)),
        })
      case 'object':
      default: {
        const props = s.properties ?? {}
        const required = new Set(s.required ?? [])
        const model: Record<string, fc.Arbitrary<unknown>> = {}
        for (const [k, v] of Object.entries(props)) model[k] = arbitraryFor(doc, v, depth + 1)
        return fc.record(model, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) })
      }
    }
  })()
  return s.nullable ? fc.oneof(plain, fc.constant(null)) : plain
}

function stringFor(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0
  const max = s.maxLength ?? Math.max(min, 40)
  const fits = (x: string) => x.length >= min && x.length <= max
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString())
  if (s.format === 'date')
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10))
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits)
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 40), unit: 'grapheme' })
}
