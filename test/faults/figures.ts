// Fault and soak tests write what they measured to test-results/reliability/<name>.json and print
// it, so docs/reliability.md can quote the figures of the last run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SOAK } from './helpers.ts'

export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const dir = join(process.cwd(), 'test-results', 'reliability')
  mkdirSync(dir, { recursive: true })
  const body = { name, soak: SOAK, at: new Date().toISOString(), ...figures }
  writeFileSync(join(dir, `${name}${SOAK ? '.soak' : ''}.json`), JSON.stringify(body, null, 2) + '\n')
  console.log(`${name}: ${JSON.stringify(figures)}`)
}
