// Writes a new migration for both databases from the change in prisma/schema.prisma.
// Usage: npm run db:migration -- <name>
// Each provider keeps a snapshot of the schema its migrations produce; the new migration is the
// `prisma migrate diff` from that snapshot to the current schema.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
// @ts-expect-error plain ESM helper without types
import { prismaEnv, writePostgresSchema } from './prisma-generate.mjs'

const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name in lower_snake_case>')
  process.exit(2)
}
const require = createRequire(import.meta.url)
const cli = require.resolve('prisma/build/index.js')
writePostgresSchema()

const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
for (const [provider, schema] of [
  ['sqlite', 'prisma/schema.prisma'],
  ['postgres', 'prisma/postgres/schema.prisma'],
] as const) {
  const dir = join('prisma/migrations', provider)
  const snapshot = join(dir, 'schema.snapshot.prisma')
  const from = existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty']
  const sql = execFileSync(
    process.execPath,
    [cli, 'migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script'],
    { env: prismaEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log(`${provider}: no change`)
    continue
  }
  const out = join(dir, `${stamp}_${name}`)
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'migration.sql'), sql.replace(/^Loaded Prisma config.*\n/m, ''))
  copyFileSync(schema, snapshot)
  console.log(`${provider}: wrote ${out}/migration.sql`)
}
