// External plugin: the database (SQLite file or PostgreSQL), migrated at start.
import fp from 'fastify-plugin'
import { openDatabase, type Database } from '../db/client.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

export default fp(
  async (app) => {
    const db = await openDatabase(app.config.database)
    if (db.migrated.length) app.log.info({ migrations: db.migrated }, 'database migrated')
    app.decorate('db', db)
    app.addHook('onClose', async () => db.close())
  },
  { name: 'database', dependencies: ['config'] },
)
