// Security headers on every response (@fastify/helmet), with a Content Security Policy that allows
// what the pages need and nothing more: scripts and styles from this server (inline styles for the
// charts and swagger-ui), MQTT over WebSocket to this same host, photos as blob: and data: images.
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import type { IncomingMessage } from 'node:http'

/** ws:// and wss:// to the host the page came from (older browsers do not count them as 'self'). */
const sameHostSocket = (scheme: 'ws' | 'wss') => (req: IncomingMessage) =>
  req.headers.host && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host)
    ? `${scheme}://${req.headers.host}`
    : "'self'"

export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", sameHostSocket('ws'), sameHostSocket('wss')],
          workerSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // Halls often serve plain HTTP on an intranet; HSTS only means something over HTTPS.
      strictTransportSecurity: app.config.tls ? { maxAge: 180 * 24 * 3600 } : false,
      // Staff photos and the pages are same-origin; nothing here is embedded cross-origin.
      crossOriginEmbedderPolicy: false,
    })
  },
  { name: 'security-headers', dependencies: ['config'] },
)
