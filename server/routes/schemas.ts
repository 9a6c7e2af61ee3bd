// Request schemas of the REST API. They validate at the edge and document the API (OpenAPI).
import { z } from 'zod'
import { DeviceId, Locale, OpeningHours, Reason, ScaleSchema, StaffNo } from '../../protocol/index.ts'
import { checkRatingPeriod, RatingListFields } from './report-schemas.ts'

const Slug = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 characters of A–Z, a–z, 0–9, _, . or -')
export const IdParams = z.object({ id: z.string().min(1).max(128) })

export const HallCreate = z.object({
  id: Slug.optional().describe('Optional id; a UUID is made when missing'),
  name: z.string().min(1).max(128),
  timeZone: z.string().min(1).max(64).optional().describe('IANA time zone, default Asia/Shanghai'),
  openingHours: OpeningHours.optional(),
  scale: ScaleSchema.optional().describe('Keys on the pads of this hall (2–5), default 5'),
  keyLabels: z.array(z.string().min(1).max(32)).min(2).max(5).nullable().optional(),
  reasons: z.array(Reason).max(12).optional().describe('Reasons offered after a 差评'),
  promptSeconds: z.number().int().min(3).max(600).optional(),
  locale: Locale.optional(),
  voice: z.boolean().optional(),
})
export const HallUpdate = HallCreate.omit({ id: true }).partial()

export const WindowCreate = z.object({
  id: Slug.optional(),
  hallId: z.string().min(1),
  name: z.string().min(1).max(64),
})
export const WindowUpdate = z.object({ name: z.string().min(1).max(64).optional() })
export const SignInBody = z.object({ staffNo: StaffNo })

export const StaffCreate = z.object({
  id: Slug.optional(),
  staffNo: StaffNo,
  hallId: z.string().min(1),
  name: z.string().min(1).max(64),
  photoUrl: z.string().max(2048).nullable().optional(),
  title: z.string().max(64).nullable().optional(),
  stars: z.number().int().min(0).max(5).nullable().optional(),
})
export const StaffUpdate = StaffCreate.omit({ id: true, staffNo: true, hallId: true })
  .extend({ active: z.boolean().optional() })
  .partial()

export const DeviceCreate = z.object({
  id: DeviceId.optional().describe('Device id = MQTT username; made when missing'),
  hallId: z.string().min(1),
  windowId: z.string().min(1).nullable().optional(),
  label: z.string().max(128).nullable().optional(),
})
export const DeviceUpdate = z.object({
  windowId: z.string().min(1).nullable().optional(),
  label: z.string().max(128).nullable().optional(),
})

export const HallQuery = z.object({ hallId: z.string().optional() })
export const RatingQuery = z
  .object({
    ...RatingListFields,
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().optional().describe('nextCursor of the previous page'),
  })
  .superRefine(checkRatingPeriod)
export const TokenCreate = z.object({
  name: z.string().min(1).max(128),
  role: z.enum(['admin', 'manager', 'viewer']),
  hallIds: z
    .array(z.string())
    .optional()
    .describe('Halls a manager or viewer may see; empty = all (viewers only)'),
})
