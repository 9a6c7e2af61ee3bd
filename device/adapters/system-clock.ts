// The real clock, for a browser tablet or a Node box. adjust() shifts it by the server's time
// (timeSync) without touching the OS clock, which a pad process usually may not set.
import type { Clock } from '../ports/index.ts'

export class SystemClock implements Clock {
  private offset = 0
  now(): number {
    return Date.now() + this.offset
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return globalThis.setTimeout(fn, ms)
  }
  clearTimeout(handle: unknown): void {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
  }
  adjust(deltaMs: number): void {
    this.offset += deltaMs
  }
}

/** ms epoch → ISO 8601 (UTC, `Z`), the toIso the core needs. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString()
}
