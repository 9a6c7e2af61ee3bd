// The drivers in this folder, and the set enabled by configuration (DRIVERS, DRIVERS_CONFIG).
import { readFileSync } from 'node:fs'
import type { AppConfig } from '../config.ts'
import type { ClientGrant } from '../broker/grants.ts'
import type { Driver, DriverModule } from './driver.ts'
import evaluatorMqtt from './evaluator-mqtt.ts'
import tbGateway from './tb-gateway.ts'

export const DRIVER_MODULES: readonly DriverModule[] = [evaluatorMqtt, tbGateway]

export class DriverSet {
  constructor(readonly drivers: readonly Driver[]) {}

  /** The driver whose device this is, or null for pads on the protocol. */
  ownerOf(deviceId: string): Driver | null {
    return this.drivers.find((d) => d.owns(deviceId)) ?? null
  }

  /** Broker topics a client (by its username, a device id) may use through the drivers. */
  topicsFor(deviceId: string): ClientGrant | null {
    const grants = this.drivers.map((d) => d.topics(deviceId)).filter((g): g is ClientGrant => g !== null)
    if (!grants.length) return null
    return { publish: grants.flatMap((g) => g.publish), subscribe: grants.flatMap((g) => g.subscribe) }
  }
}

/** The drivers named in DRIVERS, with their options from the DRIVERS_CONFIG file. */
export function loadDrivers(config: Pick<AppConfig, 'DRIVERS' | 'DRIVERS_CONFIG'>): DriverSet {
  const fail = (msg: string) => {
    throw new Error(`invalid configuration:\n  ${msg}`)
  }
  let options: Record<string, Record<string, unknown>> = {}
  if (config.DRIVERS_CONFIG) {
    try {
      options = JSON.parse(readFileSync(config.DRIVERS_CONFIG, 'utf8'))
    } catch (e) {
      fail(`DRIVERS_CONFIG: cannot read ${config.DRIVERS_CONFIG}: ${(e as Error).message}`)
    }
  }
  const drivers = config.DRIVERS.map((name) => {
    const m = DRIVER_MODULES.find((x) => x.name === name)
    if (!m)
      return fail(`DRIVERS: unknown driver ${name} (known: ${DRIVER_MODULES.map((x) => x.name).join(', ')})`)
    try {
      return m.create(options[name] ?? {})
    } catch (e) {
      return fail(`DRIVERS_CONFIG: options of ${name}: ${(e as Error).message}`)
    }
  })
  return new DriverSet(drivers)
}
