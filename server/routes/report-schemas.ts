// Query schemas of the report, unrated-policy and export routes: validated at the edge, so the
// report service can trust them.
import { z } from 'zod'
import { LevelSchema } from '../../protocol/index.ts'
import { daysBetween, isDay } from '../reports/local-time.ts'
import { RANK_BY } from '../reports/metrics.ts'
import { RATING_FLAG_KINDS } from '../integrity/kinds.ts'
import { MAX_CUSTOM_DAYS, PERIOD_KINDS } from '../reports/periods.ts'

const Day = z.string().refine(isDay, 'must be a date YYYY-MM-DD')

const periodFields = {
  period: z
    .enum(PERIOD_KINDS)
    .default('month')
    .describe("Calendar period in the hall's time zone containing `date`, or `custom` from `from` to `to`"),
  date: Day.optional().describe("Any day inside the period; default today in the hall's time zone"),
  from: Day.optional().describe('First day of a custom period (inclusive)'),
  to: Day.optional().describe('Last day of a custom period (inclusive)'),
}

type PeriodShape = { period?: string; from?: string; to?: string; date?: string }
function checkPeriod(q: PeriodShape, ctx: z.RefinementCtx) {
  if (q.period === 'custom') {
    if (!q.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'required with period=custom' })
    if (!q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'required with period=custom' })
    if (q.from && q.to) {
      const days = daysBetween(q.from, q.to) + 1
      if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' })
      if (days > MAX_CUSTOM_DAYS)
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `a custom period has at most ${MAX_CUSTOM_DAYS} days`,
        })
    }
    if (q.date)
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'use from and to with period=custom' })
  } else if (q.period !== undefined) {
    for (const f of ['from', 'to'] as const)
      if (q[f]) ctx.addIssue({ code: 'custom', path: [f], message: 'only with period=custom' })
  }
}

const filterFields = {
  windowId: z.string().min(1).optional().describe('Only this window'),
  staffNo: z.string().min(1).optional().describe('Only this staff member (工号), at whichever window'),
  serviceCode: z.string().min(1).optional().describe('Only this service item (事项编码)'),
}

const reportFields = {
  hallId: z.string().min(1),
  ...periodFields,
  asOf: Day.optional().describe(
    "Day the unrated policy is applied for; default today in the hall's time zone",
  ),
  ...filterFields,
}

const rankFields = {
  by: z
    .enum(RANK_BY)
    .default('satisfaction')
    .describe('Metric the ranking orders by (差评率: lower is better)'),
  minRated: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1)
    .describe('Fewest counted ratings for a row to be ranked'),
}

const { serviceCode: _noService, ...heatmapFields } = reportFields
const hallsFields = {
  hallIds: z
    .string()
    .regex(/^[^,]+(,[^,]+)*$/, 'must be hall ids separated by commas')
    .transform((s) => s.split(','))
    .optional()
    .describe('Halls to rank, comma separated; default every hall you can see'),
  ...periodFields,
  asOf: reportFields.asOf,
  ...rankFields,
}
const trendFields = {
  ...reportFields,
  interval: z.enum(['day', 'week', 'month']).default('day').describe('One point per day, ISO week or month'),
}

/** Query fields of each report; exports take the same plus format and lang. */
export const REPORT_FIELDS = {
  summary: reportFields,
  breakdown: { ...reportFields, ...rankFields },
  halls: hallsFields,
  trend: trendFields,
  heatmap: heatmapFields,
}
export const withPeriodCheck = <S extends z.ZodRawShape>(shape: S) => z.object(shape).superRefine(checkPeriod)

export const SummaryQuery = withPeriodCheck(REPORT_FIELDS.summary)
export const RankingQuery = withPeriodCheck(REPORT_FIELDS.breakdown)
export const TrendQuery = withPeriodCheck(REPORT_FIELDS.trend)
export const HeatmapQuery = withPeriodCheck(REPORT_FIELDS.heatmap)
export const HallsQuery = withPeriodCheck(REPORT_FIELDS.halls)
const { serviceCode: _noFlagService, asOf: _noAsOf, ...flagsFields } = reportFields
/** The flags report: a hall, a period, optionally a window or staff member. */
export const FlagsReportQuery = withPeriodCheck(flagsFields)
/** Flags per hall: the halls asked for (or all the caller can see) and a period. */
export const FlagsHallsQuery = withPeriodCheck({ hallIds: hallsFields.hallIds, ...periodFields })

export const UnratedPolicyBody = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('keep') }).describe('Unrated transactions stay unrated (the default)'),
  z
    .object({
      mode: z.literal('default'),
      level: LevelSchema.describe('Level an unrated transaction counts as (Guangdong: 3, 基本满意)'),
      afterDays: z
        .number()
        .int()
        .min(0)
        .max(366)
        .describe('Calendar days after which it counts (Guangdong: 7)'),
    })
    .describe('Unrated transactions count at a default level after N calendar days'),
])
export const HallIdParams = z.object({ hallId: z.string().min(1) })
export const RebuildBody = z.object({ hallId: z.string().min(1) })

export const ExportFields = {
  format: z.enum(['xlsx', 'csv']).default('xlsx'),
  lang: z
    .enum(['zh', 'en'])
    .default('zh')
    .describe('Column headers and labels: Chinese (default) or English'),
}

/** Raw ratings: the existing filters plus period, level, class, service item and voided. */
export const RatingListFields = {
  hallId: z.string().optional(),
  windowId: z.string().optional(),
  deviceId: z.string().optional(),
  staffNo: z.string().optional(),
  period: z.enum(PERIOD_KINDS).optional().describe("With hallId: local days of the hall's time zone"),
  date: periodFields.date,
  from: periodFields.from,
  to: periodFields.to,
  level: z.coerce.number().int().min(1).max(5).optional(),
  class: z.enum(['good', 'bad']).optional().describe('好评 (levels 3–5) or 差评 (levels 1–2)'),
  serviceCode: z.string().optional(),
  voided: z
    .enum(['include', 'exclude', 'only'])
    .default('include')
    .describe('Ratings voided by a recorded decision: shown (marked), left out, or only those'),
  flag: z
    .enum([...RATING_FLAG_KINDS, 'any'])
    .optional()
    .describe('Only ratings with an integrity flag of this kind (any: with any flag)'),
}
export function checkRatingPeriod(q: PeriodShape & { hallId?: string }, ctx: z.RefinementCtx) {
  if (q.period === undefined) {
    for (const f of ['date', 'from', 'to'] as const)
      if (q[f]) ctx.addIssue({ code: 'custom', path: [f], message: 'only with period' })
    return
  }
  if (!q.hallId) ctx.addIssue({ code: 'custom', path: ['hallId'], message: 'required with period' })
  checkPeriod(q, ctx)
}
