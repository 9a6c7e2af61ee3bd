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

export async function provisionHalls(
  api: ApiClient,
  halls: HallPlan[],
  o: { concurrency?: number; signInByApi?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ pads: ProvisionedPad[]; counts: ProvisionCounts }> {
  const counts: ProvisionCounts = { created: 0, existing: 0 }
  const note = (r: 'created' | 'existing') => void counts[r]++
  const concurrency = o.concurrency ?? 8
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
  }
  const jobs = halls.flatMap((h) => h.windows.map((w) => ({ hall: h, w })))
  let done = 0
  const pads = await pool(jobs, concurrency, async ({ hall, w }) => {
    const windowState = await api.ensure(
      '/windows',
      { id: w.id, hallId: hall.id, name: w.name },
      `window ${w.id}`,
    )
    note(windowState)
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
    const secret = await ensureDevice(api, { id: w.padId, hallId: hall.id, windowId: w.id }, note)
    if (o.signInByApi) {
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
  if (existing.body.windowId !== d.windowId) {
    const p = await api.call('PATCH', path, { windowId: d.windowId })
    if (p.status !== 200) throw apiError(`binding ${d.id} to ${d.windowId}`, p)
  }
  const rot = await api.call<{ secret: string }>('POST', `${path}/rotate-secret`)
  if (rot.status !== 200) throw apiError(`new secret for ${d.id}`, rot)
  return rot.body.secret
}
