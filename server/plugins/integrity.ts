// App plugin: integrity flags. Ratings and pad events are flagged inside the ingest's commit
// transaction (so it registers before the ingest starts), and each instance runs the sequence-gap
// scan on a timer; the scan is idempotent, so instances need not take turns.
import fp from 'fastify-plugin'
import { integrityOptions, type IntegrityOptions } from '../integrity/kinds.ts'
import { FlagRepository } from '../integrity/repository.ts'
import { scanSeqGaps, type SeqGapScanResult } from '../integrity/seq-gaps.ts'
import { integrityHook } from '../integrity/writer.ts'
import { PrismaIngestStore } from '../repositories/ratings.ts'

declare module 'fastify' {
  interface FastifyInstance {
    integrity: {
      options: IntegrityOptions
      flags: FlagRepository
      /** Runs the sequence-gap scan now; `now` lets a test stand later in time. */
      scanSeqGaps(now?: Date): Promise<SeqGapScanResult>
    }
  }
}

export default fp(
  async (app) => {
    const db = app.db.prisma
    const options = integrityOptions(app.config)
    const store = app.repos.ingestStore
    if (store instanceof PrismaIngestStore) store.onTransaction(integrityHook(options))
    const scan = (now?: Date) => scanSeqGaps(db, { graceMs: options.seqGapGraceMs, now })
    app.decorate('integrity', { options, flags: new FlagRepository(db), scanSeqGaps: scan })

    const every = app.config.SEQ_GAP_SCAN_MS
    let timer: NodeJS.Timeout | null = null
    let running: Promise<unknown> | null = null
    const schedule = (ms: number) => {
      timer = setTimeout(() => {
        running = scan()
          .then((r) => r.gaps && app.log.info(r, 'sequence gaps flagged'))
          .catch((err) => app.log.error({ err: String(err) }, 'sequence-gap scan failed'))
          .finally(() => {
            running = null
            if (timer) schedule(every)
          })
      }, ms)
    }
    // The first run at a random point of the interval, so instances started together spread out.
    app.addHook('onReady', async () => {
      if (every > 0) schedule(Math.round(Math.random() * every))
    })
    app.addHook('preClose', async () => {
      if (timer) clearTimeout(timer)
      timer = null
      await running
    })
  },
  { name: 'integrity', dependencies: ['repositories'] },
)
