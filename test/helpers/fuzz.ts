// Bad values for property-based fuzzing (fast-check) of what enters the server: over MQTT from pads
// (test/faults/fuzz-mqtt.test.ts) and over HTTP (test/faults/fuzz-rest.test.ts).
import fc from 'fast-check'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** A value spliced into the JSON text as is: numbers JSON.stringify cannot write, deep nesting. */
const RAW = '\u0001raw:'
export const raw = (text: string) => `${RAW}${text}\u0001`

/** Values a pad should never send where a field is expected. */
export const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double().map((d) => (Number.isFinite(d) ? d : raw(String(d) === 'NaN' ? '1e999' : '-1e999'))),
  fc.constantFrom(
    -1,
    0,
    -0,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    1e308,
    raw('1e999'),
    raw('-0.0e-0'),
    raw('123456789012345678901234567890'),
    'NaN',
    'Infinity',
    '',
    ' ',
    'a/b',
    '+',
    '#',
    'id\u0000with-nul',
    'rp/v1/+/rating',
    '\ud800',
    '👍🏽 非常满意',
    '\u202eevil',
    '2026-02-30T25:61:00+08:00',
    '__proto__',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Huge, but under MAX_PAYLOAD_BYTES once in a message (bigger is the broker's business, below).
  fc.integer({ min: 2000, max: 6000 }).map((n) => '字'.repeat(n / 3) + 'x'.repeat(n % 7)),
  fc.integer({ min: 1, max: 5000 }).map((d) => raw('['.repeat(d) + ']'.repeat(d))),
  fc.integer({ min: 1, max: 2000 }).map((d) => raw('{"a":'.repeat(d) + '1' + '}'.repeat(d))),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
)

/** Every path to a field of a message, nested ones included. */
export function paths(v: Json, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return []
  const keys = Array.isArray(v) ? v.map((_, i) => String(i)) : Object.keys(v)
  return keys.flatMap((k) => [[...prefix, k], ...paths((v as Record<string, Json>)[k], [...prefix, k])])
}

export type Edit = { at: number; op: 'drop' | 'set' | 'add'; value: Json; key: string }
export const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('drop', 'set', 'set', 'add'),
  value: nasty,
  key: fc.constantFrom('extra', '__proto__', 'constructor', 'v', 'id', 'type', 'state', '', '💥'),
})

/** Drops a field, sets it to a nasty value, or adds a key beside it (fields where `keep` says no stay). */
export function applyEdit(message: Json, e: Edit, keep: (path: string[]) => boolean = () => true): Json {
  const all = paths(message).filter(keep)
  if (!all.length) return message
  const path = all[e.at % all.length]
  let parent = message as Record<string, Json>
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, Json>
  const last = path[path.length - 1]
  if (e.op === 'drop') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else if (e.op === 'set') parent[last] = e.value
  else if (!Array.isArray(parent))
    Object.defineProperty(parent, e.key, {
      value: e.value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return message
}

/** JSON text, with the raw pieces spliced in. */
export function serialize(v: Json): string {
  return JSON.stringify(v).replace(/"\\u0001raw:(.*?)\\u0001"/g, (_m, text: string) => text)
}
