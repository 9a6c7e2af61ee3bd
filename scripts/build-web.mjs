// Builds the web pages with Vite into web/dist. With --if-stale, only when a source under web/,
// device/ or protocol/ is newer than the last build, so `npm start` stays one command.
// Builds take a lock: test files building at the same time wait for each other instead of
// emptying web/dist under one another (the second then finds the build fresh and stops).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const stamp = join(root, 'web/dist/.vite/manifest.json')

function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules' || e.name === '.build.lock') continue
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

const fresh = () =>
  existsSync(stamp) &&
  ['web', 'device', 'protocol'].every((d) => newest(join(root, d)) <= statSync(stamp).mtimeMs)

const ifStale = process.argv.includes('--if-stale')
if (ifStale && fresh()) process.exit(0)
const { default: lockfile } = await import('proper-lockfile')
const release = await lockfile.lock(join(root, 'web'), {
  lockfilePath: join(root, 'web/.build.lock'),
  stale: 60_000,
  retries: { retries: 600, factor: 1, minTimeout: 200, maxTimeout: 200 },
})
try {
  if (!(ifStale && fresh())) {
    const { build } = await import('vite')
    await build({ configFile: join(root, 'web/vite.config.ts'), build: { manifest: true } })
    console.log('web: built pages into web/dist')
  }
} finally {
  await release()
}
