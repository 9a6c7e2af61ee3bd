// The pad firmware for every platform: core, ports, runtime and the adapters that need no Node API.
// Node-only adapters (device/adapters/node/*) are imported on their own, so a browser bundle stays clean.
export * from './core/index.ts'
export * from './ports/index.ts'
export * from './pad.ts'
export { MemoryDisk, MemoryOutbox, MemorySettings, openMemoryStorage } from './adapters/sim/memory-outbox.ts'
export { ManualClock } from './adapters/sim/manual-clock.ts'
export { SystemClock, isoFromMs } from './adapters/system-clock.ts'
export { randomId } from './adapters/ids.ts'
export { MqttTransport } from './adapters/mqtt/mqtt-transport.ts'
export * from './adapters/browser/index.ts'
