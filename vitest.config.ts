import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests wait for real brokers, databases and processes; a timeout is only a safety net (no test
    // asserts timing), so it is generous enough for a loaded 2-core CI machine.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Tests start real brokers and servers on free ports; two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
  },
})
