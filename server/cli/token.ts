// npm run token -- --name NAME --role admin|manager|viewer [--hall HALL_ID ...]
// Makes an API token directly in the database (works before the server has ever been reachable).
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { openDatabase } from '../db/client.ts'
import { TokenRepository } from '../repositories/tokens.ts'
import { ROLES, type Role } from '../auth/principal.ts'

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    role: { type: 'string', default: 'viewer' },
    hall: { type: 'string', multiple: true },
  },
})
const role = values.role as Role
if (!values.name || !ROLES.includes(role)) {
  console.error('usage: npm run token -- --name NAME --role admin|manager|viewer [--hall HALL_ID ...]')
  process.exit(2)
}
if (role === 'manager' && !values.hall?.length) {
  console.error('a manager token needs at least one --hall')
  process.exit(2)
}
const db = await openDatabase(loadConfig().database)
const { token } = await new TokenRepository(db.prisma).create({
  name: values.name,
  role,
  hallIds: values.hall ?? [],
})
await db.close()
console.log(token)
