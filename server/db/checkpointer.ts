// WAL checkpoints on a worker thread, for the SQLite file. SQLite copies the WAL back into the
// database file (and syncs it) inside whichever COMMIT crosses wal_autocheckpoint, so under a steady
// ingest every few hundred ratings one commit held the event loop for a checkpoint: the tail of the
// ack latency. Here the server's connection never checkpoints; a worker with its own connection runs
// a PASSIVE checkpoint (which never blocks writers or readers) every `intervalMs`. Should the worker
// stop, the server's connection goes back to checkpointing by itself: the WAL never grows unchecked.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'

/** Plain CommonJS, run with eval: a worker cannot rely on the TypeScript loader the server runs under. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 5000')
db.pragma('synchronous = FULL')
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  db.close()
  process.exit(0)
})
`

export interface Checkpointer {
  readonly worker: Worker
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>
}

/** The default pages between checkpoints of a connection that checkpoints for itself. */
const SQLITE_AUTOCHECKPOINT = 1000

export function startCheckpointer(
  file: string,
  connection: () => BetterSqlite3.Database | undefined,
  intervalMs = 250,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } })
  worker.unref()
  let stopping = false
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  const fallBack = (why: string) => {
    if (stopping) return
    connection()?.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`)
    process.emitWarning(`WAL checkpoint worker stopped (${why}); the server's connection checkpoints again`)
  }
  worker.once('error', (e) => fallBack(String(e)))
  worker.once('exit', (code) => fallBack(`exit code ${code}`))
  connection()?.pragma('wal_autocheckpoint = 0')
  return {
    worker,
    async stop() {
      if (stopping) return exited
      stopping = true
      worker.ref() // unref'd while it runs; now the process must wait for the last checkpoint
      worker.postMessage('stop')
      await exited
    },
  }
}
