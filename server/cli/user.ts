// npm run user -- --name NAME [--role admin|manager|viewer] [--hall HALL_ID ...]
// npm run user -- --name NAME --reset-password
// Makes a dashboard account, or gives an existing one a new password (a forgotten admin password,
// with no other admin to reset it), directly in the database. The password is printed once and
// must be changed at the next sign-in; a reset also ends the account's sessions and lifts its lock.
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { openDatabase } from '../db/client.ts'
import { UserRepository } from '../repositories/users.ts'
import { newPassword } from '../security/passwords.ts'
import { ROLES, type Role } from '../auth/principal.ts'

const usage =
  'usage: npm run user -- --name NAME [--role admin|manager|viewer] [--hall HALL_ID ...]\n' +
  '       npm run user -- --name NAME --reset-password'
const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    role: { type: 'string', default: 'viewer' },
    hall: { type: 'string', multiple: true },
    'reset-password': { type: 'boolean', default: false },
  },
})
const role = values.role as Role
if (!values.name || !ROLES.includes(role)) {
  console.error(usage)
  process.exit(2)
}
const config = loadConfig()
const db = await openDatabase(config.database)
const users = new UserRepository(db.prisma, { sessionIdleMs: config.SESSION_IDLE_HOURS * 3_600_000 })
const password = newPassword()
try {
  const existing = (await users.list()).find((u) => u.username === values.name)
  if (values['reset-password']) {
    if (!existing) throw new Error(`no account named ${values.name}`)
    await users.update(existing.id, { password, disabled: false })
  } else {
    await users.create({
      username: values.name,
      password,
      role,
      hallIds: values.hall ?? [],
      mustChangePassword: true,
    })
  }
  console.log(`${values.name}: ${password}  (shown once; to be changed at the next sign-in)`)
} catch (e) {
  console.error((e as Error).message)
  process.exitCode = 1
} finally {
  await db.close()
}
