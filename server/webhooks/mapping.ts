// Field mappings for upstream 好差评 platforms: each platform names its fields its own way and wants
// its own codes (the channel code for 评价器, its level scale, its time format). A mapping says, per
// target field, where the value comes from; dotted target names make nested objects.
import { z } from 'zod'
import { localDateTime } from '../reports/local-time.ts'
import { RECORD_FIELDS, type RatingRecord } from './events.ts'

const Json: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]),
)
const Field = z.enum(RECORD_FIELDS)

export const TIME_FORMATS = ['iso', 'datetime', 'date', 'compact', 'epochMillis', 'epochSeconds'] as const

const Rule = z.union([
  Field.describe('Copy this field of the rating'),
  z.object({ const: Json }).strict().describe('Always this value (e.g. the channel code for 评价器)'),
  z
    .object({
      field: Field,
      map: z
        .record(z.string(), Json)
        .optional()
        .describe('Translate values, e.g. {"5":"1","4":"2"} for a platform whose 1 is 非常满意'),
      format: z
        .enum(TIME_FORMATS)
        .optional()
        .describe(
          'For time fields: iso, datetime (YYYY-MM-DD HH:mm:ss in the hall time zone), date, compact (YYYYMMDDHHmmss), epochMillis, epochSeconds',
        ),
      join: z.string().max(8).optional().describe('For reasons: join the codes with this separator'),
      default: Json.optional().describe('When the field is empty'),
    })
    .strict(),
])
export type MappingRule = z.infer<typeof Rule>

const TargetName = z
  .string()
  .regex(/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/, 'must be a field name, dots for nesting')

export const UpstreamMapping = z.object({
  fields: z
    .record(TargetName, Rule)
    .refine((f) => Object.keys(f).length > 0, 'needs at least one field')
    .describe('Target field → where its value comes from'),
  requireCaseNo: z
    .boolean()
    .default(true)
    .describe('Send only ratings bound to a case number (办件编号), as upstream platforms match on it'),
})
export type UpstreamMapping = z.infer<typeof UpstreamMapping>

/** An example close to the national 好差评 data interface; adapt names and codes to the province's spec. */
export const EXAMPLE_MAPPING: UpstreamMapping = {
  requireCaseNo: true,
  fields: {
    projectNo: 'caseNo',
    taskCode: 'serviceCode',
    taskName: 'serviceName',
    pf: { const: '4' },
    alternate: { field: 'level' },
    appraisaldetail: { field: 'reasons', join: ',', default: '' },
    assessTime: { field: 'occurredAt', format: 'datetime' },
    handleUserNo: 'staffNo',
    deptName: 'hallName',
    windowName: 'windowName',
  },
}

function formatTime(d: Date, format: (typeof TIME_FORMATS)[number] | undefined, timeZone: string) {
  switch (format) {
    case 'datetime':
      return localDateTime(d, timeZone)
    case 'date':
      return localDateTime(d, timeZone).slice(0, 10)
    case 'compact':
      return localDateTime(d, timeZone).replace(/\D/g, '')
    case 'epochMillis':
      return d.getTime()
    case 'epochSeconds':
      return Math.floor(d.getTime() / 1000)
    default:
      return d.toISOString()
  }
}

function valueOf(rule: MappingRule, r: RatingRecord): unknown {
  if (typeof rule === 'string') return valueOf({ field: rule }, r)
  if ('const' in rule) return rule.const
  let v: unknown = r[rule.field]
  if (v instanceof Date) v = formatTime(v, rule.format, r.timeZone)
  if (Array.isArray(v) && rule.join !== undefined) v = v.join(rule.join)
  if (rule.map && v !== null && v !== undefined) {
    const k = String(v)
    if (k in rule.map) v = rule.map[k]
  }
  if (
    (v === null || v === undefined || (Array.isArray(v) && !v.length) || v === '') &&
    rule.default !== undefined
  )
    v = rule.default
  return v ?? null
}

/** The body sent upstream for one rating, or null when the mapping says not to send it. */
export function applyMapping(m: UpstreamMapping, r: RatingRecord): Record<string, unknown> | null {
  if (m.requireCaseNo && !r.caseNo) return null
  const out: Record<string, unknown> = {}
  for (const [target, rule] of Object.entries(m.fields)) {
    const path = target.split('.')
    let node = out
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>
    node[path[path.length - 1]] = valueOf(rule, r)
  }
  return out
}
