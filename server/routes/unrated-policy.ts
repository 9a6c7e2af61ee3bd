// A hall's unrated policy: keep unrated transactions unrated (default) or count them at a default
// level after N calendar days (Guangdong: 基本满意 after 7). Applied at report time, never stored
// as invented ratings.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertCanWrite } from '../auth/principal.ts'
import { HallIdParams, UnratedPolicyBody } from './report-schemas.ts'

const unratedPolicy: FastifyPluginAsyncZod = async (app) => {
  const { reports } = app.repos
  app.get(
    '/halls/:hallId/unrated-policy',
    {
      schema: { tags: ['reports'], params: HallIdParams, summary: 'How reports count unrated transactions' },
    },
    async (req) => reports.getUnratedPolicy(req.principal, req.params.hallId),
  )
  app.put(
    '/halls/:hallId/unrated-policy',
    {
      schema: {
        tags: ['reports'],
        params: HallIdParams,
        body: UnratedPolicyBody,
        summary: 'Set how reports count unrated transactions (admin, or a manager of the hall)',
      },
    },
    async (req) => {
      assertCanWrite(req.principal, req.params.hallId)
      return reports.setUnratedPolicy(req.principal, req.params.hallId, req.body)
    },
  )
}
export default unratedPolicy
