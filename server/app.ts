// The application as a Fastify plugin tree: external plugins (config, database, broker, auth),
// then app plugins (repositories, ingest), then routes by resource under /api/v1.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod'
import type { AppConfig } from './config.ts'
import { HttpError } from './errors.ts'
import configPlugin from './plugins/config.ts'
import databasePlugin from './plugins/database.ts'
import brokerPlugin from './plugins/broker.ts'
import authPlugin from './plugins/auth.ts'
import repositoriesPlugin from './plugins/repositories.ts'
import ingestPlugin from './plugins/ingest.ts'
import webPlugin from './plugins/web.ts'
import securityHeadersPlugin from './plugins/security-headers.ts'
import inputGuardPlugin from './plugins/input-guard.ts'
import livePlugin from './plugins/live.ts'
import integrationsPlugin from './plugins/integrations.ts'
import integrityPlugin from './plugins/integrity.ts'
import auditPlugin from './plugins/audit.ts'
import hallRoutes from './routes/halls.ts'
import windowRoutes from './routes/windows.ts'
import staffRoutes from './routes/staff.ts'
import deviceRoutes from './routes/devices.ts'
import ratingRoutes from './routes/ratings.ts'
import tokenRoutes from './routes/tokens.ts'
import brokerRoutes from './routes/broker.ts'
import reportRoutes from './routes/reports.ts'
import unratedPolicyRoutes from './routes/unrated-policy.ts'
import exportRoutes from './routes/exports.ts'
import followupRoutes from './routes/followups.ts'
import sessionRoutes from './routes/session.ts'
import userRoutes from './routes/users.ts'
import liveRoutes from './routes/live.ts'
import { photoFiles, photoUpload } from './routes/photos.ts'
import integrationRoutes from './routes/integrations.ts'
import auditRoutes from './routes/audit.ts'

export interface BuildOptions {
  config: AppConfig
  logger?: FastifyServerOptions['logger']
}

export async function buildApp({ config, logger }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.LOG_LEVEL, redact: ['req.headers.authorization'] },
    // Pads and integrators send small bodies; photos come later through their own route.
    bodyLimit: 1024 * 1024,
    // TLS_CERT and TLS_KEY: HTTPS (and WSS for browser pads) on the same port.
    ...(config.tls ? { https: config.tls } : {}),
  }) as unknown as FastifyInstance
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler(errorHandler)

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Rating pad service',
        version: '1.0.0',
        description: '群众测评: registry, ratings and reports',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          deviceBasic: { type: 'http', scheme: 'basic', description: 'Device id and secret (pad routes)' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  await app.register(configPlugin, { config })
  await app.register(securityHeadersPlugin)
  await app.register(inputGuardPlugin)
  await app.register(databasePlugin)
  await app.register(brokerPlugin)
  await app.register(authPlugin)
  await app.register(auditPlugin)
  await app.register(repositoriesPlugin)
  await app.register(integrityPlugin)
  await app.register(ingestPlugin)
  await app.register(webPlugin)
  await app.register(livePlugin)
  await app.register(integrationsPlugin)

  app.get('/health', { schema: { hide: true } }, async () => ({
    ok: true,
    database: app.db.provider,
    broker: app.broker ? 'embedded' : 'external',
    ingest: { pending: app.ingest.pending, ...app.ingest.stats },
  }))

  await app.register(brokerRoutes)
  await app.register(photoFiles)
  await app.register(
    async (api) => {
      for (const routes of [
        hallRoutes,
        windowRoutes,
        staffRoutes,
        deviceRoutes,
        ratingRoutes,
        tokenRoutes,
        reportRoutes,
        unratedPolicyRoutes,
        exportRoutes,
        followupRoutes,
        sessionRoutes,
        userRoutes,
        liveRoutes,
        photoUpload,
        integrationRoutes,
        auditRoutes,
      ])
        await api.register(routes)
    },
    { prefix: '/api/v1' },
  )
  return app
}

function errorHandler(
  this: FastifyInstance,
  err: Error & { statusCode?: number },
  req: { log: FastifyInstance['log'] },
  reply: { code(n: number): { send(b: unknown): void } },
) {
  if (hasZodFastifySchemaValidationErrors(err)) {
    // Name every field that failed, e.g. "body.name: Too small: expected string to have >=1 characters".
    const where = (err as { validationContext?: string }).validationContext ?? 'request'
    const issues = err.validation.map((v) => {
      const field = [where, ...v.instancePath.split('/').filter(Boolean)].join('.')
      return { field, message: v.message ?? 'invalid' }
    })
    return reply.code(400).send({
      statusCode: 400,
      error: 'Bad Request',
      message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      issues,
    })
  }
  if (err instanceof HttpError) {
    const error =
      { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' }[
        err.statusCode
      ] ?? 'Error'
    const body: Record<string, unknown> = { statusCode: err.statusCode, error, message: err.message }
    if (err.field) body.issues = [{ field: `body.${err.field}`, message: err.message }]
    return reply.code(err.statusCode).send(body)
  }
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
  if (status === 500) req.log.error({ err }, 'request failed')
  reply.code(status).send({
    statusCode: status,
    error: status === 500 ? 'Internal Server Error' : 'Bad Request',
    message: status === 500 ? 'internal error' : err.message,
  })
}
