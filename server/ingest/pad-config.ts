// Publishes each pad's retained config. Called whenever something the pad shows has changed:
// its hall's settings, its window, the staff signed in there, or the staff card itself.
import { topics } from '../../protocol/index.ts'
import type { Bus } from '../broker/bus.ts'
import type { DeviceRepository } from '../repositories/devices.ts'

export class PadConfigPublisher {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly bus: Bus,
    private readonly publicUrl?: string,
  ) {}

  async publish(deviceIds: Iterable<string>): Promise<void> {
    for (const id of new Set(deviceIds)) {
      const config = await this.devices.nextConfig(id, this.publicUrl)
      // A revoked pad gets its retained config cleared (an empty retained message deletes it).
      await this.bus.publish(topics.config(id), config ? JSON.stringify(config) : '', {
        qos: 1,
        retain: true,
      })
    }
  }

  async publishForWindows(windowIds: string[]): Promise<void> {
    await this.publish(await this.devices.idsForWindows(windowIds))
  }

  async publishForHall(hallId: string): Promise<void> {
    await this.publish(await this.devices.idsForHall(hallId))
  }
}
