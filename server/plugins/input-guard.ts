// Text that no database can store is refused where it enters: any string (or key) of a request's
// body, query or path parameters with NUL or a lone surrogate gets a 400 naming the field, on every
// route. Without this, such a value passed the route schemas and failed at the database as a 500
// (NUL on PostgreSQL, a lone surrogate on both SQLite and PostgreSQL).
import fp from 'fastify-plugin'
import { textProblem } from '../../protocol/index.ts'
import { HttpError } from '../errors.ts'

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** The first bad string in a parsed JSON value, as [path, problem]; iterative, so depth is no risk. */
export function findBadText(value: unknown): [string[], string] | null {
  const stack: [unknown, string[]][] = [[value, []]]
  while (stack.length) {
    const [v, path] = stack.pop()!
    if (typeof v === 'string') {
      const problem = textProblem(v)
      if (problem) return [path, problem]
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, String(i)]])
    } else if (isPlain(v)) {
      for (const [k, x] of Object.entries(v).reverse()) {
        const problem = textProblem(k)
        if (problem) return [[...path, k], `key ${problem}`]
        stack.push([x, [...path, k]])
      }
    }
  }
  return null
}

export default fp(
  async (app) => {
    app.addHook('preValidation', async (req) => {
      for (const [where, value] of [
        ['params', req.params],
        ['query', req.query],
        ['body', req.body],
      ] as const) {
        const bad = findBadText(value)
        if (!bad) continue
        const [path, problem] = bad
        const field = path.join('.')
        throw new HttpError(
          400,
          `${[where, ...path].join('.')}: ${problem}`,
          where === 'body' && field ? field : undefined,
        )
      }
    })
  },
  { name: 'input-guard' },
)
