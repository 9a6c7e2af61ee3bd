// Builds the web pages with Vite into web/dist. With --if-stale, only when a source under web/,
// device/ or protocol/ is newer than the last build, so `npm start` stays one command.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const stamp = join(root, 'web/dist/.vite/manifest.json')

function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

if (process.argv.includes('--if-stale') && existsSync(stamp)) {
  const built = statSync(stamp).mtimeMs
  if (['web', 'device', 'protocol'].every((d) => newest(join(root, d)) <= built)) process.exit(0)
}
const { build } = await import('vite')
await build({ configFile: join(root, 'web/vite.config.ts'), build: { manifest: true } })
console.log('web: built pages into web/dist')
