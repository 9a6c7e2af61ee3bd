// Message ids for pads: time first (so ids made later sort later, which keeps server indexes
// local), then 80 random bits. getRandomValues works in Node and in browsers, also on a plain
// http:// intranet page where crypto.randomUUID is not available.

export function randomId(now: number = Date.now()): string {
  const bytes = new Uint8Array(10)
  globalThis.crypto.getRandomValues(bytes)
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `${now.toString(36).padStart(9, '0')}${hex}`
}
