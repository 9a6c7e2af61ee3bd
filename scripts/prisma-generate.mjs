// Generates the Prisma clients for SQLite and PostgreSQL without downloading anything.
// Runs at `npm install` (postinstall). prisma/postgres/schema.prisma is derived from
// prisma/schema.prisma so the two databases always have the same models.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

/** Environment that stops the Prisma CLI fetching native engines (none can be fetched here). */
export function prismaEnv() {
  const placeholder = join(root, 'prisma', 'NO_NATIVE_ENGINE')
  return {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
    PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_DISABLE_WARNINGS: '1',
  }
}

export function writePostgresSchema() {
  const sqlite = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8')
  const pg =
    '// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs. Do not edit.\n' +
    sqlite
      .replace('provider = "sqlite"', 'provider = "postgresql"')
      .replace('url      = "file:./dev.db"', 'url      = "postgresql://localhost/rating_pad"')
      .replace('../server/db/generated/sqlite', '../../server/db/generated/postgres')
  mkdirSync(join(root, 'prisma/postgres'), { recursive: true })
  writeFileSync(join(root, 'prisma/postgres/schema.prisma'), pg)
}

function generate() {
  if (!existsSync(join(root, 'prisma', 'NO_NATIVE_ENGINE')))
    throw new Error('prisma/NO_NATIVE_ENGINE is missing')
  writePostgresSchema()
  const cli = require.resolve('prisma/build/index.js')
  for (const schema of ['prisma/schema.prisma', 'prisma/postgres/schema.prisma']) {
    execFileSync(process.execPath, [cli, 'generate', '--schema', schema], {
      cwd: root,
      env: prismaEnv(),
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  }
  console.log('prisma: generated clients for SQLite and PostgreSQL')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generate()
