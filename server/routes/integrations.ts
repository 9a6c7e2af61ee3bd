// REST for integrators: HTTP ingest for pads, provisioning, queue-system transactions, webhooks and
// exporters.
// docs/integrators.md describes them.
import type { FastifyPluginAsync } from 'fastify'
import padHttp from './pad-http.ts'
import provisioning from './provisioning.ts'
import transactions from './transactions.ts'
import webhooks from './webhooks.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks its caller itself (pads with device credentials, provisioning keys). */
    ownAuth?: boolean
  }
}

const integrations: FastifyPluginAsync = async (api) => {
  for (const routes of [padHttp, provisioning, transactions, webhooks]) await api.register(routes)
}
export default integrations
