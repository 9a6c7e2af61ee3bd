// The process: read configuration, build the app, listen, and say clearly what went wrong.
import { loadConfig } from './config.ts'
import { buildApp } from './app.ts'
import { PortInUseError } from './broker/embedded.ts'

async function main() {
  let config
  try {
    config = loadConfig()
  } catch (e) {
    console.error((e as Error).message)
    process.exit(2)
  }
  let app
  try {
    app = await buildApp({ config })
    await app.listen({ port: config.PORT, host: config.HOST })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err instanceof PortInUseError)
      console.error(
        `MQTT port ${err.port} is already in use: set ${err.variable} to a free port (or MQTT_URL to use the broker already there).`,
      )
    else if (err.code === 'EADDRINUSE')
      console.error(`HTTP port ${config.PORT} is already in use: set PORT to a free port.`)
    else console.error(`could not start: ${err.stack ?? err.message}`)
    await app?.close().catch(() => {})
    process.exit(1)
  }
  const token = await app.repos.tokens.ensureFirstAdmin()
  if (token) {
    // Shown once: only its hash is stored. `npm run token` makes more.
    console.log(
      `\nFirst start: an admin API token was created. Keep it now, it is not shown again:\n\n  ${token}\n`,
    )
  }
  const admin = await app.users.ensureFirstAdmin()
  if (admin) {
    // Shown once: only its scrypt hash is stored. The dashboard asks for a new password at first sign-in.
    console.log(
      `First start: a dashboard account was created. Sign in at http://localhost:${config.PORT}/ with\n\n  username: ${admin.username}\n  password: ${admin.password}\n\nIt is not shown again.\n`,
    )
  }
  let mqtt = app.broker ? `mqtt://${config.HOST}:${app.broker.port}` : config.MQTT_URL
  if (app.broker?.tlsPort) mqtt += ` and mqtts://${config.HOST}:${app.broker.tlsPort}`
  console.log(
    `rating-pad server on ${config.tls ? 'https' : 'http'}://localhost:${config.PORT} (API /api/v1, docs /docs), MQTT ${mqtt}, database ${app.db.provider}`,
  )

  let closing = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(1)
      closing = true
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    })
  }
}

void main()
