import { defineConfig } from 'vitest/config'

// The fault and scale tests each drive thousands of ratings through real servers, brokers and
// databases; two of them side by side on a 2-core CI machine starve each other (a test that takes
// 3 minutes alone ran past 10 beside another). So they run after the rest, one at a time.
const HEAVY = ['test/faults/**/*.test.ts', 'test/scale/**/*.test.ts']

export default defineConfig({
  test: {
    // Tests wait for real brokers, databases and processes; a timeout is only a safety net (no test
    // asserts timing), so it is generous enough for a loaded 2-core CI machine.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Tests start real brokers and servers on free ports; two cores, so keep forks few.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: HEAVY,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'heavy',
          include: HEAVY,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
