// App plugin: live updates for the hall walls. Each instance feeds its own SSE clients from two
// sources: its own ingest (onCommitted), and a small notice that every instance publishes on the
// broker after each commit (protocol/internal.ts), so with several instances behind a shared
// subscription a wall sees ratings whichever instance stored them. The notice carries only hall
// ids; the wall's figures are always read again from the database.
import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import { CommittedNotice, serverTopics } from '../../protocol/index.ts'
import type { CommitResult } from '../repositories/ratings.ts'
import { LiveHub } from '../live/hub.ts'
import { WallService } from '../live/wall.ts'

declare module 'fastify' {
  interface FastifyInstance {
    live: { hub: LiveHub; wall: WallService }
  }
}

export default fp(
  async (app) => {
    const wall = new WallService(app.db.prisma, app.repos.reports)
    const hub = new LiveHub({ snapshot: (hallId) => wall.snapshot(hallId), log: app.log })
    app.decorate('live', { hub, wall })
    const origin = randomUUID()

    // A pad's hall never changes (a pad is registered to one hall), so the lookup is cached.
    const hallOfDevice = new Map<string, string>()
    const hallsOf = async (result: CommitResult) => {
      const deviceIds = new Set([...result.newRatings, ...result.newEvents].map((r) => r.deviceId))
      const missing = [...deviceIds].filter((id) => !hallOfDevice.has(id))
      if (missing.length)
        for (const d of await app.db.prisma.device.findMany({
          where: { id: { in: missing } },
          select: { id: true, hallId: true },
        }))
          hallOfDevice.set(d.id, d.hallId)
      return [...new Set([...deviceIds].map((id) => hallOfDevice.get(id)).filter((h): h is string => !!h))]
    }

    app.ingest.onCommitted(async (result) => {
      const hallIds = await hallsOf(result)
      if (!hallIds.length) return
      // A sign-in or sign-out on a pad changes the staff card at once.
      for (const e of result.newEvents)
        if (e.event.type === 'staffSignIn' || e.event.type === 'staffSignOut') {
          const hallId = hallOfDevice.get(e.deviceId)
          if (hallId) wall.invalidate(hallId)
        }
      hub.changed(hallIds)
      const notice: CommittedNotice = { v: 1, origin, hallIds, at: new Date().toISOString() }
      // At most once is enough: the walls also read everything again every minute.
      await app.bus.publish(serverTopics.committed, JSON.stringify(notice), { qos: 0 }).catch((err) => {
        app.log.warn({ err: String(err) }, 'live notice not published')
      })
    })
    await app.bus.subscribe(
      serverTopics.committed,
      (_topic, payload) => {
        let notice: CommittedNotice
        try {
          notice = CommittedNotice.parse(JSON.parse(payload.toString('utf8')))
        } catch {
          return app.log.warn('malformed live notice ignored')
        }
        if (notice.origin !== origin) hub.changed(notice.hallIds)
      },
      0,
    )
    app.addHook('preClose', async () => hub.close())
  },
  { name: 'live', dependencies: ['repositories', 'ingest', 'broker'] },
)
