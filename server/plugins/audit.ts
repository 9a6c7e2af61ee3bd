// App plugin: the audit log. Every successful (2xx) write under /api/v1 by an admin or a manager,
// signed in with the session cookie or calling with an API token, becomes an AuditEntry: who, what
// route, which thing, the body with its secrets taken out. Pads (HTTP ingest with device
// credentials), provisioning and the sign-in itself have no principal and are not audited: their
// records are the ratings, the pads and the sessions. Refused writes (4xx) and reads are not either.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { AuditRepository, type AuditRecord } from '../repositories/audit.ts'

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditRepository
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const AUDITED_ROLES = new Set(['admin', 'manager'])
/** Longest body kept, in characters of its JSON. */
export const AUDIT_BODY_MAX = 4096
export const REDACTED = '[redacted]'

/**
 * A field whose name says it holds a secret: any word of it secret, password, token, credential,
 * authorization or cookie, or ending in key/keys (apiKey, app_key, keys; not keyLabels).
 */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  if (words.length === 0) return false
  if (
    words.some((w) =>
      /^(secrets?|passwords?|passwd|pwd|passphrase|tokens?|credentials?|authorization|cookies?|apikey)$/.test(
        w,
      ),
    )
  )
    return true
  return /^keys?$/.test(words[words.length - 1])
}

/** The body with every secret-named field replaced, recursively. Header values are all secrets. */
export function redact(value: unknown, name = ''): unknown {
  if (name && isSecretName(name)) return REDACTED
  if (Array.isArray(value)) return value.map((v) => redact(v))
  // A Date (from a coercing schema) is left to JSON.stringify; every other object is walked.
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    // A webhook's extra headers carry an upstream platform's app key under any header name.
    const allSecret = /^headers$/i.test(name)
    return Object.fromEntries(
      Object.entries(value as object).map(([k, v]) => [k, allSecret && v !== null ? REDACTED : redact(v, k)]),
    )
  }
  return value
}

/** The request body as kept in the audit: redacted JSON cut to AUDIT_BODY_MAX, or what it was. */
export function auditBody(body: unknown, contentType: string | undefined): string | null {
  if (body === undefined || body === null) return null
  if (Buffer.isBuffer(body)) return `[${contentType ?? 'binary'}, ${body.length} bytes]`
  const json = JSON.stringify(redact(body))
  if (json === undefined) return null
  return json.length > AUDIT_BODY_MAX
    ? `${json.slice(0, AUDIT_BODY_MAX)}…[cut, ${json.length} characters]`
    : json
}

/** The path and query as called, with secret-named query values redacted too. */
export function auditUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = new URLSearchParams(url.slice(q + 1))
  for (const k of [...params.keys()]) if (isSecretName(k)) params.set(k, REDACTED)
  return `${url.slice(0, q)}?${params.toString()}`
}

/** The :id in the path, else another path parameter, else the id of what the write created. */
function targetOf(req: FastifyRequest, payload: unknown): string | null {
  const params = (req.params ?? {}) as Record<string, unknown>
  const fromPath = params.id ?? Object.values(params).find((v) => typeof v === 'string' && v !== '')
  if (typeof fromPath === 'string') return fromPath
  if (typeof payload !== 'string' || payload.length > 1_000_000 || !payload.startsWith('{')) return null
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null
  } catch {
    return null
  }
}

export default fp(
  async (app) => {
    const audit = new AuditRepository(app.db.prisma)
    app.decorate('audit', audit)

    // onSend, awaited: the caller gets its 2xx only once the entry is stored, so an answer a caller
    // has seen is in the log. The write itself is committed by then, so a failed append must not
    // turn into an error answer (the caller would retry and, say, make a second token); it is
    // logged at error level with the whole entry instead, so it is not lost without a trace.
    // Writing it in the route's own transaction would close that gap, at the cost of every route.
    app.addHook('onSend', async (req, reply, payload) => {
      if (!WRITES.has(req.method) || reply.statusCode < 200 || reply.statusCode >= 300) return payload
      const p = req.principal
      if (!p || !AUDITED_ROLES.has(p.role)) return payload
      const route = req.routeOptions.url
      if (!route?.startsWith('/api/v1/')) return payload
      let entry: AuditRecord | undefined
      try {
        entry = {
          actor: p.name,
          actorId: p.tokenId,
          role: p.role,
          method: req.method,
          route,
          url: auditUrl(req.url),
          targetId: targetOf(req, payload),
          status: reply.statusCode,
          body: auditBody(req.body, req.headers['content-type']),
          ip: req.ip ?? null,
        }
        await audit.append(entry)
      } catch (err) {
        req.log.error({ err, audit: entry }, 'audit entry not stored')
      }
      return payload
    })
  },
  { name: 'audit', dependencies: ['database', 'auth'] },
)
