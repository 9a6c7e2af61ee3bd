// App plugin: the repositories, shared by REST routes and MQTT handlers alike.
import fp from 'fastify-plugin'
import { DeviceRepository } from '../repositories/devices.ts'
import { PrismaIngestStore, RatingRepository, type IngestStore } from '../repositories/ratings.ts'
import { HallRepository, StaffRepository, WindowRepository } from '../repositories/registry.ts'
import { TokenRepository } from '../repositories/tokens.ts'
import { PadConfigPublisher } from '../ingest/pad-config.ts'
import { ReportService } from '../reports/service.ts'
import { completeLegacyRows } from '../reports/rollups.ts'
import { FollowupService } from '../followup/service.ts'
import { openLegacyCases } from '../followup/cases.ts'

export interface Repositories {
  halls: HallRepository
  windows: WindowRepository
  staff: StaffRepository
  devices: DeviceRepository
  ratings: RatingRepository
  tokens: TokenRepository
  ingestStore: IngestStore
  reports: ReportService
  followups: FollowupService
}

declare module 'fastify' {
  interface FastifyInstance {
    repos: Repositories
    padConfig: PadConfigPublisher
  }
}

export default fp(
  async (app) => {
    const db = app.db.prisma
    // Before the ingest starts: ratings stored before the report rollups existed get counted.
    const completed = await completeLegacyRows(db, app.db.provider)
    if (completed.length)
      app.log.info({ halls: completed }, 'report rollups built for ratings stored earlier')
    // Every 差评 has a follow-up case, including those stored before cases existed.
    const opened = await openLegacyCases(db)
    if (opened) app.log.info({ opened }, 'follow-up cases opened for 差评 stored earlier')
    const repos: Repositories = {
      halls: new HallRepository(db),
      windows: new WindowRepository(db),
      staff: new StaffRepository(db),
      devices: new DeviceRepository(db),
      ratings: new RatingRepository(db),
      tokens: new TokenRepository(db),
      ingestStore: new PrismaIngestStore(db, () => app.db.sqlite),
      reports: new ReportService(db),
      followups: new FollowupService(db),
    }
    app.decorate('repos', repos)
    app.decorate('padConfig', new PadConfigPublisher(repos.devices, app.bus, app.config.PUBLIC_URL))
  },
  { name: 'repositories', dependencies: ['database', 'broker'] },
)
