// Makes the halls, windows, staff and pads of a simulation through the server's REST API, as an
// admin would, and reuses what is already there: running the simulator twice against the same
// server is fine. A pad's secret is shown only when it is created, so an existing pad gets a new
// one (rotate-secret), which also disconnects whatever was using the old one.
import type { Scale } from '../protocol/index.ts'

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    let parsed: unknown = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: res.status, body: parsed as T }
  }

  /** Created (201) or already there (409) is fine; anything else stops the provisioning. */
  async ensure(path: string, body: unknown, what: string): Promise<'created' | 'existing'> {
    const r = await this.call('POST', path, body)
    if (r.status === 201) return 'created'
    if (r.status === 409) return 'existing'
    throw apiError(what, r)
  }
}

function apiError(what: string, r: { status: number; body: any }): Error {
  const msg = typeof r.body === 'object' && r.body?.message ? r.body.message : JSON.stringify(r.body)
  const hint = r.status === 401 || r.status === 403 ? ' (is the token an admin token?)' : ''
  return new Error(`${what}: HTTP ${r.status} ${msg}${hint}`)
}

export interface HallPlan {
  id: string
  name: string
  scale?: Scale
  promptSeconds?: number
  windows: {
    id: string
    name: string
    staff: { staffNo: string; name: string; title: string; stars: number }
    padId: string
  }[]
}

export interface ProvisionedPad {
  id: string
  secret: string
  hallId: string
  windowId: string
  staffNo: string
  staffName: string
}

export interface ProvisionCounts {
  created: number
  existing: number
}

/** Runs fn over items with at most `n` at a time. */
export async function pool<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i], i)
    }
  })
  await Promise.all(workers)
  return out
}

export interface ProvisionOptions {
  concurrency?: number
  signInByApi?: boolean
  /** Secrets of pads made earlier (device id → secret): reused instead of rotated, and filled in. */
  secrets?: Map<string, string>
  onProgress?: (done: number, total: number) => void
}

/**
 * Makes what is missing: one list call per hall and kind finds what exists, so a rerun against
 * the same server costs a few requests (plus a secret rotation per pad whose secret is not known).
 */
export async function provisionHalls(
  api: ApiClient,
  halls: HallPlan[],
  o: ProvisionOptions = {},
): Promise<{ pads: ProvisionedPad[]; counts: ProvisionCounts }> {
  const counts: ProvisionCounts = { created: 0, existing: 0 }
  const note = (r: 'created' | 'existing') => void counts[r]++
  const concurrency = o.concurrency ?? 8
  const secrets = o.secrets ?? new Map<string, string>()
  const list = async <T>(path: string): Promise<T[]> => {
    const r = await api.call<T[]>('GET', path)
    if (r.status !== 200) throw apiError(`GET ${path}`, r)
    return r.body
  }
  type WindowRow = { id: string; signedIn: { staffNo: string } | null }
  type DeviceRow = { id: string; windowId: string | null; revoked: boolean }
  const jobs: {
    hall: HallPlan
    w: HallPlan['windows'][number]
    window?: WindowRow
    staff: boolean
    device?: DeviceRow
  }[] = []
  for (const h of halls) {
    note(
      await api.ensure(
        '/halls',
        {
          id: h.id,
          name: h.name,
          scale: h.scale ?? 5,
          ...(h.promptSeconds ? { promptSeconds: h.promptSeconds } : {}),
        },
        `hall ${h.id}`,
      ),
    )
    const q = `?hallId=${encodeURIComponent(h.id)}`
    const windows = new Map((await list<WindowRow>(`/windows${q}`)).map((w) => [w.id, w]))
    const staff = new Set((await list<{ staffNo: string }>(`/staff${q}`)).map((x) => x.staffNo))
    const devices = new Map((await list<DeviceRow>(`/devices${q}`)).map((d) => [d.id, d]))
    for (const w of h.windows)
      jobs.push({
        hall: h,
        w,
        window: windows.get(w.id),
        staff: staff.has(w.staff.staffNo),
        device: devices.get(w.padId),
      })
  }
  let done = 0
  const pads = await pool(jobs, concurrency, async ({ hall, w, window, staff, device }) => {
    if (window) note('existing')
    else note(await api.ensure('/windows', { id: w.id, hallId: hall.id, name: w.name }, `window ${w.id}`))
    if (staff) note('existing')
    else
      note(
        await api.ensure(
          '/staff',
          {
            staffNo: w.staff.staffNo,
            hallId: hall.id,
            name: w.staff.name,
            title: w.staff.title,
            stars: w.staff.stars,
          },
          `staff ${w.staff.staffNo}`,
        ),
      )
    let secret = secrets.get(w.padId)
    if (!device || device.revoked || !secret)
      secret = await ensureDevice(api, { id: w.padId, hallId: hall.id, windowId: w.id }, note)
    else {
      note('existing')
      await bind(api, w.padId, w.id)
    }
    secrets.set(w.padId, secret)
    if (o.signInByApi && window?.signedIn?.staffNo !== w.staff.staffNo) {
      const r = await api.call('POST', `/windows/${encodeURIComponent(w.id)}/sign-in`, {
        staffNo: w.staff.staffNo,
      })
      if (r.status !== 200) throw apiError(`sign-in of ${w.staff.staffNo} at ${w.id}`, r)
    }
    o.onProgress?.(++done, jobs.length)
    return {
      id: w.padId,
      secret,
      hallId: hall.id,
      windowId: w.id,
      staffNo: w.staff.staffNo,
      staffName: w.staff.name,
    }
  })
  return { pads, counts }
}

/**
 * Binds a pad to its window. The server then publishes the pad's config again, which matters after
 * a server restart: the embedded broker keeps retained configs in memory only, so a pad that
 * connects with no stored config would otherwise wait for one until something changes.
 */
async function bind(api: ApiClient, id: string, windowId: string | null): Promise<void> {
  const p = await api.call('PATCH', `/devices/${encodeURIComponent(id)}`, { windowId })
  if (p.status !== 200) throw apiError(`binding ${id} to ${windowId}`, p)
}

/** Registers a pad, or binds the existing one to the window and gives it a new secret. */
export async function ensureDevice(
  api: ApiClient,
  d: { id: string; hallId: string; windowId: string | null },
  note: (r: 'created' | 'existing') => void = () => {},
): Promise<string> {
  const r = await api.call<{ secret: string }>('POST', '/devices', d)
  if (r.status === 201) {
    note('created')
    return r.body.secret
  }
  if (r.status !== 409) throw apiError(`device ${d.id}`, r)
  note('existing')
  const path = `/devices/${encodeURIComponent(d.id)}`
  const existing = await api.call<{ hallId: string; windowId: string | null; revoked: boolean }>('GET', path)
  if (existing.status !== 200) throw apiError(`device ${d.id}`, existing)
  if (existing.body.hallId !== d.hallId)
    throw new Error(`device ${d.id} exists in hall ${existing.body.hallId}`)
  if (existing.body.revoked) throw new Error(`device ${d.id} is revoked; use another --prefix`)
  await bind(api, d.id, d.windowId)
  const rot = await api.call<{ secret: string }>('POST', `${path}/rotate-secret`)
  if (rot.status !== 200) throw apiError(`new secret for ${d.id}`, rot)
  return rot.body.secret
}
