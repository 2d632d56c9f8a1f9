/**
 * Worker threads that decode documents and prepare their creates (job.ts) while the main thread
 * writes earlier batches. On the main thread alone, a bulk apply spends most of its time parsing,
 * decoding, defaulting, validating and encoding; spread over threads, the main thread is left
 * with the tier checks, the bookkeeping and the gRPC traffic.
 *
 * preparedInput() turns a single file's text into input entries in input order, keeping a few
 * jobs per worker in flight ahead of the consumer, so memory stays bounded whatever the input.
 */
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'

import type {Resource} from '../../api/resource.js'
import {decodeDocument, type InputDocument} from '../input.js'
import type {PreparedEntry, PrepareJob} from './job.js'

/** Documents per job: large enough to amortise the message, small enough to start writing early. */
const JOB_DOCUMENTS = 200
/** Jobs in flight per worker ahead of the consumer. */
const JOBS_AHEAD_PER_WORKER = 2

/**
 * The worker's module, beside this one in dist/. Run from src/ under tsx (the tests), a worker
 * thread cannot load TypeScript (loader hooks do not reach workers on Node 20), so it runs the
 * built twin in dist/, which `npm test` builds first.
 */
function workerEntry(self: string): URL {
  if (!self.endsWith('.ts')) return new URL('./worker.js', self)
  return new URL(self.replace('/src/cli/prepare/', '/dist/cli/prepare/').replace(/pool\.ts$/, 'worker.js'))
}

type Reply = {id: number; entries: PreparedEntry[]} | {id: number; failure: string}

export class PreparePool {
  /** The pool a process shares (see shared()). */
  private static current: PreparePool | undefined
  private readonly workers: Worker[]
  private broken = false
  /** Jobs answered so far (for tests and diagnostics). */
  jobsDone = 0
  private readonly waiting = new Map<number, {resolve: (entries: PreparedEntry[]) => void; reject: (error: Error) => void}>()
  private nextId = 0

  private constructor(size: number) {
    const entry = workerEntry(import.meta.url)
    this.workers = Array.from({length: size}, () => {
      const worker = new Worker(entry)
      // Idle workers must not keep the process alive; busy ones must (see run and settle).
      worker.unref()
      worker.on('message', (reply: Reply) => this.settle(reply))
      worker.on('error', (error) => this.failAll(error))
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`a prepare worker exited with code ${code}`))
      })
      return worker
    })
  }

  /** Workers for this machine: one per core, at most four. */
  static start(size = Math.max(1, Math.min(4, availableParallelism()))): PreparePool {
    return new PreparePool(size)
  }

  /**
   * The process's pool, started on first use and kept (idle workers are unreferenced, so they
   * do not hold the process open): a second large apply in one process, as in the benchmark or
   * a migrate import, finds its workers started and their code compiled.
   */
  static shared(size?: number): PreparePool {
    if (!PreparePool.current || PreparePool.current.broken || (size !== undefined && PreparePool.current.size !== size)) {
      void PreparePool.current?.close()
      PreparePool.current = PreparePool.start(size)
    }
    return PreparePool.current
  }

  get size(): number {
    return this.workers.length
  }

  run(job: PrepareJob): Promise<PreparedEntry[]> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) for (const worker of this.workers) worker.ref()
      this.waiting.set(id, {resolve, reject})
      this.workers[id % this.workers.length].postMessage({id, job})
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }

  private settle(reply: Reply): void {
    const waiter = this.waiting.get(reply.id)
    if (!waiter) return
    this.waiting.delete(reply.id)
    this.jobsDone++
    if (this.waiting.size === 0) for (const worker of this.workers) worker.unref()
    if ('failure' in reply) waiter.reject(new Error(`preparing the input failed: ${reply.failure}`))
    else waiter.resolve(reply.entries)
  }

  private failAll(error: Error): void {
    this.broken = true
    for (const worker of this.workers) worker.unref()
    for (const waiter of this.waiting.values()) waiter.reject(error)
    this.waiting.clear()
  }
}

/**
 * The entries of one file's text, as iterateText would give them, prepared by the pool. Entries
 * whose create was prepared carry it as `prepared`; their `resource` is the identity only.
 */
export async function* preparedInput(
  pool: PreparePool,
  texts: readonly string[],
  job: Omit<PrepareJob, 'texts' | 'firstNumber'>,
): AsyncGenerator<InputDocument> {
  const ahead: Array<Promise<PreparedEntry[]>> = []
  const jobSizes: number[] = []
  let next = 0
  let done = 0
  const refill = () => {
    while (ahead.length < pool.size * JOBS_AHEAD_PER_WORKER && next < texts.length) {
      const slice = texts.slice(next, next + JOB_DOCUMENTS)
      const entries = pool.run({...job, texts: slice, firstNumber: next + 1})
      // Awaited in order below; one the consumer never reaches (it stopped) must not go unhandled.
      entries.catch(() => undefined)
      ahead.push(entries)
      jobSizes.push(slice.length)
      next += slice.length
    }
  }
  refill()
  while (ahead.length > 0) {
    const first = done
    const entries = await (ahead.shift() as Promise<PreparedEntry[]>)
    done += jobSizes.shift() ?? 0
    refill()
    for (const entry of entries) yield inputDocument(entry, texts, first, job.source)
  }
}

/** The input entry of a prepared one; the decoded resource is decoded again here when asked for. */
function inputDocument(entry: PreparedEntry, texts: readonly string[], first: number, source: string): InputDocument {
  const {kind, error, identity, create} = entry
  if (identity === undefined) return {source: entry.source, kind, error}
  const number = first + entry.text
  let decoded: Resource | undefined
  const resource = (): Resource => {
    decoded ??= decodeDocument(texts[number], source, number + 1)[entry.entry]?.resource
    if (!decoded) throw new Error(`document ${number + 1} of ${source} decoded differently on the main thread`)
    return decoded
  }
  if (!create) return {source: entry.source, kind, resource: resource()}
  return {source: entry.source, kind, resource: identity, prepared: {create, identity, resource}}
}
