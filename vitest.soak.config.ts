// npm run test:soak: the fault tests with SOAK=1, which raises their counts (100,000 ratings and 30
// kills, 30-second database outages, ...); see docs/reliability.md.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // One at a time: each fault test loads the machine on its own.
    maxWorkers: 1,
  },
})
