// `npm run docs:protocol`: writes docs/protocol/ from protocol/*.ts (see scripts/protocol-docs.ts).
// `npm run docs:protocol -- --check` writes nothing and exits 1 when the committed files are stale.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DOCS_DIR, generateProtocolDocs } from './protocol-docs.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, DOCS_DIR)
const files = generateProtocolDocs()

function existing(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(outDir, join(e.parentPath, e.name)).split('\\').join('/'))
  } catch {
    return []
  }
}

const read = (path: string) => {
  try {
    return readFileSync(join(outDir, path), 'utf8')
  } catch {
    return undefined
  }
}
const extra = existing(outDir).filter((p) => !(p in files))
const changed = Object.keys(files).filter((p) => read(p) !== files[p])

if (process.argv.includes('--check')) {
  for (const p of [...changed, ...extra]) console.error(`stale: ${DOCS_DIR}/${p}`)
  if (changed.length + extra.length > 0) {
    console.error('Run `npm run docs:protocol` and commit the result.')
    process.exit(1)
  }
  console.log(`${DOCS_DIR} is up to date`)
} else {
  for (const p of extra) rmSync(join(outDir, p))
  for (const p of changed) {
    mkdirSync(dirname(join(outDir, p)), { recursive: true })
    writeFileSync(join(outDir, p), files[p])
  }
  console.log(
    `${DOCS_DIR}: ${changed.length} written, ${extra.length} removed, ${Object.keys(files).length} in all`,
  )
}
