// The REST API as the pages use it: same-origin requests with the session cookie, the CSRF header
// on every request (the server requires it on writes), JSON in and out, errors as ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> | null,
  ) {
    super(message)
  }
}

/** Where the dashboard's sign-in page is; pages send people there when their session has ended. */
export const LOGIN_PATH = '/app/dashboard/#/login'

export function goToLogin() {
  const here = location.pathname + location.search + location.hash
  if (location.pathname.startsWith('/app/dashboard/') && location.hash.startsWith('#/login')) return
  location.assign(`${LOGIN_PATH}?next=${encodeURIComponent(here)}`)
}

export type Query = Record<string, string | number | boolean | null | undefined>

export function qs(q: Query = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

export async function api<T = any>(
  method: string,
  path: string,
  opts: { body?: unknown; query?: Query; raw?: Blob; rawType?: string; noRedirect?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { 'x-requested-with': 'rating-pad' }
  let body: BodyInit | undefined
  if (opts.raw) {
    headers['content-type'] = opts.rawType ?? opts.raw.type
    body = opts.raw
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const res = await fetch(`/api/v1${path}${qs(opts.query)}`, {
    method,
    headers,
    body,
    credentials: 'same-origin',
  })
  const text = await res.text()
  let json: any = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.noRedirect) goToLogin()
    throw new ApiError(res.status, json?.message ?? res.statusText, json)
  }
  return json as T
}

export const get = <T = any>(path: string, query?: Query) => api<T>('GET', path, { query })

/** A link that downloads an export with the current filters (GET: the cookie is enough). */
export function exportUrl(report: string, query: Query, format: 'csv' | 'xlsx', lang: string): string {
  return `/api/v1/exports/${report}${qs({ ...query, format, lang })}`
}
