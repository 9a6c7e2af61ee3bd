// Live fan-out to the hall walls connected to this instance. A change to a hall (a commit here, or
// a notice from another instance) schedules one snapshot for that hall, shared by all its clients;
// changes that arrive meanwhile are coalesced into the next one.
import type { WallSnapshot } from './wall.ts'

export interface WallListener {
  send(snapshot: WallSnapshot): void
  /** Ends the client's connection (the server is shutting down). */
  close(): void
}

export interface LiveHubOptions {
  snapshot: (hallId: string) => Promise<WallSnapshot>
  log: { error(obj: object, msg: string): void }
  /** How long changes are gathered before a snapshot is taken. */
  coalesceMs?: number
}

interface HallState {
  listeners: Set<WallListener>
  timer: NodeJS.Timeout | null
  running: boolean
  dirty: boolean
}

export class LiveHub {
  private readonly halls = new Map<string, HallState>()
  private closed = false

  constructor(private readonly o: LiveHubOptions) {}

  /** Adds a listener for a hall; returns the function that removes it. */
  subscribe(hallId: string, listener: WallListener): () => void {
    let h = this.halls.get(hallId)
    if (!h) this.halls.set(hallId, (h = { listeners: new Set(), timer: null, running: false, dirty: false }))
    h.listeners.add(listener)
    return () => {
      h.listeners.delete(listener)
      if (h.listeners.size === 0 && !h.running) {
        if (h.timer) clearTimeout(h.timer)
        this.halls.delete(hallId)
      }
    }
  }

  get clients(): number {
    let n = 0
    for (const h of this.halls.values()) n += h.listeners.size
    return n
  }

  /** Something in these halls changed; halls nobody watches here cost nothing. */
  changed(hallIds: Iterable<string>) {
    for (const id of hallIds) {
      const h = this.halls.get(id)
      if (!h || this.closed) continue
      if (h.running) h.dirty = true
      else if (!h.timer) h.timer = setTimeout(() => void this.push(id, h), this.o.coalesceMs ?? 25)
    }
  }

  private async push(hallId: string, h: HallState) {
    h.timer = null
    h.running = true
    h.dirty = false
    try {
      const snap = await this.o.snapshot(hallId)
      for (const l of h.listeners) l.send(snap)
    } catch (err) {
      this.o.log.error({ err, hallId }, 'live wall snapshot failed')
    } finally {
      h.running = false
      if (h.listeners.size === 0) this.halls.delete(hallId)
      else if (h.dirty) this.changed([hallId])
    }
  }

  close() {
    this.closed = true
    for (const h of this.halls.values()) {
      if (h.timer) clearTimeout(h.timer)
      for (const l of h.listeners) l.close()
    }
    this.halls.clear()
  }
}
