import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real brokers and servers on free ports; two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
  },
})
