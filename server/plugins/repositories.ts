// App plugin: the repositories, shared by REST routes and MQTT handlers alike.
import fp from 'fastify-plugin'
import { DeviceRepository } from '../repositories/devices.ts'
import { PrismaIngestStore, RatingRepository, type IngestStore } from '../repositories/ratings.ts'
import { HallRepository, StaffRepository, WindowRepository } from '../repositories/registry.ts'
import { TokenRepository } from '../repositories/tokens.ts'
import { PadConfigPublisher } from '../ingest/pad-config.ts'

export interface Repositories {
  halls: HallRepository
  windows: WindowRepository
  staff: StaffRepository
  devices: DeviceRepository
  ratings: RatingRepository
  tokens: TokenRepository
  ingestStore: IngestStore
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
    const repos: Repositories = {
      halls: new HallRepository(db),
      windows: new WindowRepository(db),
      staff: new StaffRepository(db),
      devices: new DeviceRepository(db),
      ratings: new RatingRepository(db),
      tokens: new TokenRepository(db),
      ingestStore: new PrismaIngestStore(db),
    }
    app.decorate('repos', repos)
    app.decorate('padConfig', new PadConfigPublisher(repos.devices, app.bus, app.config.PUBLIC_URL))
  },
  { name: 'repositories', dependencies: ['database', 'broker'] },
)
