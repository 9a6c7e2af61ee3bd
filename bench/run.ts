// `npm run bench`: every benchmark, one after another (each alone on the machine, in its own
// process), then one summary: bench/results/summary.json and the table at the top of
// docs/BENCHMARKS.md, each figure beside its target.
//
//   npm run bench                              full sizes (10,000,000 ratings for reports: long)
//   npm run bench -- --quick                   small sizes, a few minutes, to check the benches run
//   npm run bench -- --reports-db FILE         keep the generated report database and reuse it
//                                              (start-up is then also measured on it)
//   npm run bench -- --only ingest,startup     some of them; the summary keeps the others' last figures
//   npm run bench -- --summary-only            rewrite the summary from bench/results/*.json
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import * as prettier from 'prettier'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'reports-db': { type: 'string' },
    only: { type: 'string' },
    'summary-only': { type: 'boolean', default: false },
  },
})
const quick = args.quick
const reportsDb = args['reports-db']

interface Bench {
  name: string
  args: string[]
  node?: string[]
}
const benches: Bench[] = [
  {
    name: 'ingest',
    args: [
      'bench/ingest.ts',
      '--external',
      ...(quick ? ['--ratings', '20000', '--steady-seconds', '5'] : []),
    ],
  },
  {
    name: 'pads',
    node: ['--expose-gc'],
    args: ['bench/pads.ts', ...(quick ? ['--pads', '1000', '--per-pad', '20'] : [])],
  },
  {
    name: 'reports',
    args: [
      'bench/reports.ts',
      ...(quick ? ['--ratings', '200000', '--runs', '5'] : []),
      ...(reportsDb ? ['--db', reportsDb] : []),
    ],
  },
  {
    name: 'startup',
    // Listed after reports, which generates and keeps the file on a first run.
    args: ['bench/startup.ts', ...(reportsDb ? ['--db', reportsDb] : [])],
  },
  { name: 'wall', args: ['bench/wall.ts', ...(quick ? ['--ratings', '60', '--rate', '2'] : [])] },
]

function run(b: Bench): Promise<number> {
  console.error(`\n=== bench ${b.name}: ${b.args.join(' ')}`)
  const child = spawn(process.execPath, [...(b.node ?? []), '--import', 'tsx', ...b.args], {
    stdio: 'inherit',
  })
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
}

const failed: string[] = []
if (!args['summary-only']) {
  const only = args.only?.split(',')
  for (const b of benches) {
    if (only && !only.includes(b.name)) continue
    if ((await run(b)) !== 0) failed.push(b.name)
  }
}

// ---- summary ----
const read = (name: string): any => {
  const f = `bench/results/${name}.json`
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined
}
const ingest = read('ingest')
const pads = read('pads')
const reports = read('reports')
const startup = read('startup')
const wall = read('wall')

const n = (x: number | undefined, digits = 0) =>
  x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en', { maximumFractionDigits: digits })
const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : '**missed**')

type Row = [what: string, figure: string, target: string, met: string, when: string]
const rows: Row[] = []
const day = (iso?: string) => (iso ? iso.slice(0, 10) : '–')
if (ingest) {
  const e = ingest.embedded
  rows.push(
    [
      'Ingest, embedded (aedes + SQLite): ratings/s end to end',
      n(e.sustained.perSecond),
      '≥ 8,000',
      verdict(e.sustained.perSecond >= 8000),
      day(ingest.when),
    ],
    [
      'Ingest, embedded: latency p50 / p99 at a steady 1,000/s',
      `${n(e.steady.p50, 1)} / ${n(e.steady.p99, 1)} ms`,
      'p99 ≤ 50 ms',
      verdict(e.steady.p99 <= 50),
      day(ingest.when),
    ],
    [
      'Raw aedes QoS 1 fan-in, no server (the ceiling)',
      `${n(ingest.ceiling.perSecond)} msg/s`,
      '',
      `end to end = ${n(100 * ingest.ratioToCeiling)} % of it`,
      day(ingest.when),
    ],
  )
  if (ingest.external) {
    const x = ingest.external
    rows.push(
      [
        'Ingest, Mosquitto + PostgreSQL: ratings/s end to end',
        n(x.sustained.perSecond),
        '',
        '',
        day(ingest.when),
      ],
      [
        'Ingest, Mosquitto + PostgreSQL: latency p50 / p99 at 1,000/s',
        `${n(x.steady.p50, 1)} / ${n(x.steady.p99, 1)} ms`,
        '',
        '',
        day(ingest.when),
      ],
    )
  }
}
if (pads) {
  const p = pads.pads
  rows.push(
    [
      'Simulated pads kept connected by one process',
      `${n(p.connected)} of ${n(p.pads)}`,
      '10,000',
      verdict(p.connected >= 10000),
      day(pads.when),
    ],
    [
      'Memory per connected pad (RSS / heap)',
      `${n(p.kibPerPad)} / ${n(p.heapKibPerPad)} KiB`,
      '',
      '',
      day(pads.when),
    ],
  )
  const r = pads.recovery
  rows.push([
    `Recovery: ${n(r.pads)} pads drain ${n(r.queued)} queued ratings`,
    `${n(r.seconds, 1)} s (${n(r.perSecond)}/s)${r.drained ? '' : ', not drained'}`,
    '',
    '',
    day(pads.when),
  ])
}
if (reports) {
  const worst = Math.max(...reports.results.map((r: any) => r.rollupMs.p95))
  const naiveWorst = Math.max(...reports.results.map((r: any) => r.rawGroupByMs.p95))
  rows.push(
    [
      `Reports over ${n(reports.ratings)} ratings: slowest p95 of month and year reports`,
      `${n(worst)} ms`,
      '≤ 100 ms',
      verdict(worst <= 100),
      day(reports.at),
    ],
    ['Same reports by a raw GROUP BY: slowest p95', `${n(naiveWorst)} ms`, '', '', day(reports.at)],
  )
}
if (startup) {
  rows.push([
    'Start-up to accepting pads, empty database (first start / restart)',
    `${n(startup.empty.firstStartMs)} / ${n(startup.empty.medianRestartMs)} ms`,
    '',
    '',
    day(startup.when),
  ])
  if (startup.large)
    rows.push([
      `Start-up to accepting pads, ${n(startup.large.ratings)} ratings (restart)`,
      `${n(startup.large.medianRestartMs)} ms`,
      '',
      '',
      day(startup.when),
    ])
}
if (wall) {
  rows.push([
    `Hall wall: rating to ${n(wall.walls)} walls, ${n(wall.ratings)} ratings at ${n(wall.ratePerSecond)}/s`,
    `p95 ${n(wall.ms.p95)} ms (${n(wall.shown)}/${n(wall.expected)} shown)`,
    '≤ 2,000 ms',
    verdict(wall.ms.p95 <= 2000 && wall.shown === wall.expected),
    day(wall.when),
  ])
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()
  .map((x) => x.toFixed(1))
  .join(' / ')} when the summary was written`
const table = [
  '| Benchmark | Figure | Target | | Measured |',
  '| --- | ---: | ---: | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n')
const block = [
  '<!-- bench:summary (written by `npm run bench`; edit bench/run.ts, not this block) -->',
  '',
  `Machine: ${machine}.`,
  '',
  table,
  '',
  'Rerun: `npm run bench` (all, full sizes; `-- --quick` for small sizes, `-- --reports-db FILE` to',
  'keep the 10-million-rating database between runs and measure start-up on it). Figures:',
  '`bench/results/*.json`, summary `bench/results/summary.json`.',
  '',
  '<!-- /bench:summary -->',
].join('\n')

const doc = 'docs/BENCHMARKS.md'
const text = readFileSync(doc, 'utf8')
const re = /<!-- bench:summary[\s\S]*?<!-- \/bench:summary -->/
const updated = re.test(text) ? text.replace(re, block) : text.replace(/\n\n/, `\n\n${block}\n\n`)
// Through the repo's formatter, so `npm run format:check` stays green after a run.
writeFileSync(doc, await prettier.format(updated, { ...(await prettier.resolveConfig(doc)), filepath: doc }))
writeFileSync(
  'bench/results/summary.json',
  JSON.stringify({ when: new Date().toISOString(), machine, rows, failed }, null, 2) + '\n',
)
console.log(table)
if (failed.length) {
  console.error(`bench: failed: ${failed.join(', ')}`)
  process.exitCode = 1
}
