// Who is calling the REST API, and which halls they may see.
import { forbidden } from '../errors.ts'

export const ROLES = ['admin', 'manager', 'viewer'] as const
export type Role = (typeof ROLES)[number]

export interface Principal {
  tokenId: string
  name: string
  role: Role
  /** Halls this principal is scoped to; 'all' for admins and unscoped viewers. */
  halls: 'all' | string[]
}

export function canSeeHall(p: Principal, hallId: string): boolean {
  return p.halls === 'all' || p.halls.includes(hallId)
}

export function assertHall(p: Principal, hallId: string): void {
  if (!canSeeHall(p, hallId)) throw forbidden(`no access to hall ${hallId}`)
}

/** Writes: admins anywhere, managers in their halls, viewers never. */
export function assertCanWrite(p: Principal, hallId?: string): void {
  if (p.role === 'viewer') throw forbidden('viewers cannot change anything')
  if (p.role === 'manager' && hallId === undefined) throw forbidden('only an admin can do this')
  if (hallId !== undefined) assertHall(p, hallId)
}

export function assertAdmin(p: Principal): void {
  if (p.role !== 'admin') throw forbidden('only an admin can do this')
}

/**
 * hallFilter narrowed to the one hall asked for (403 when it is outside the principal's scope).
 * Never spread a caller's `{ hallId }` after hallFilter: it would replace the restriction.
 */
export function hallWhere(p: Principal, hallId?: string): { hallId?: string | { in: string[] } } {
  if (hallId === undefined || hallId === '') return hallFilter(p)
  assertHall(p, hallId)
  return { hallId }
}

/** A Prisma `where` fragment restricting rows to the principal's halls. */
export function hallFilter(p: Principal): { hallId?: { in: string[] } } {
  return p.halls === 'all' ? {} : { hallId: { in: p.halls } }
}
