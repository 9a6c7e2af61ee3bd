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

  /** A new version of each pad's config: call it after what a pad shows has changed. */
  async publish(deviceIds: Iterable<string>): Promise<void> {
    await this.send(deviceIds, true)
  }

  /**
   * The current version again, unchanged, for a pad that reports an older one (the retained copy
   * was lost, or its status crossed a newer config on the way). Never a new version: a pad whose
   * status trails the config would otherwise be sent a newer one each time, without end.
   */
  async republish(deviceIds: Iterable<string>): Promise<void> {
    await this.send(deviceIds, false)
  }

  private async send(deviceIds: Iterable<string>, next: boolean): Promise<void> {
    for (const id of new Set(deviceIds)) {
      const config = await this.devices.buildConfig(id, { next, publicUrl: this.publicUrl })
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
