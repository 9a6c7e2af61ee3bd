import { MemoryDisk, openMemoryStorage } from '../../device/adapters/sim/memory-outbox.ts'
import { runOutboxContract } from './outbox-contract.ts'

runOutboxContract('memory', () => {
  // The disk outlives each opened storage, as a simulated pad's flash outlives a reboot.
  const disk = new MemoryDisk()
  return { open: async (options) => openMemoryStorage(disk, options) }
})
