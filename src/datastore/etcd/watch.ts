/**
 * Watches over etcd's Watch RPC, one gRPC stream per watch (etcd3's own watch manager is not
 * used: resuming exactly once needs control over the start revision of every re-creation).
 *
 * A watch remembers `next`, the first revision it has not delivered. Every etcd watch response
 * holds whole revisions (etcd never splits one revision's events across responses unless asked
 * to fragment, which we do not), and `next` moves past a response's last revision in the same
 * synchronous step that hands its events to the listener. When the stream breaks (etcd
 * restarted, connection lost, endpoint failed), the watch waits a little, makes a cheap read
 * through the retrying caller (which finds a live endpoint and refreshes an expired auth
 * token), and re-creates the stream from `next`: nothing is lost and nothing repeats. It keeps
 * trying, with a pause growing to MAX_RETRY_MS, until etcd is back or the watch is closed.
 *
 * It ends, through listener.onError, only when etcd says it cannot continue: the start revision
 * was compacted (CompactedError, carrying etcd's compact revision; the caller re-lists), or etcd
 * cancelled the watch or refused it (for example permission denied). A listener that throws
 * also ends its watch, with the thrown error (as the local backend does).
 *
 * Progress notifications (requested; etcd sends them on a quiet watch, every 10 minutes by
 * default) move `next` forward: etcd sends them only when everything up to their revision was
 * delivered, and resuming from a recent revision avoids a needless CompactedError after a long
 * outage.
 */
import type {IDuplexStream, IEvent, IWatchRequest, IWatchResponse} from 'etcd3'

import {CompactedError, DatastoreError, type WatchEvent, type WatchHandle, type WatchListener} from '../datastore.js'
import {RejectedError} from './calls.js'
import {classify} from './errors.js'
import {presentKV, prefixRange, toKV} from './codec.js'

export type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>

const FIRST_RETRY_MS = 50
const MAX_RETRY_MS = 2_000

export interface WatchDeps {
  openStream(): Promise<WatchStream>
  /** A cheap read through the retrying caller; rejects when etcd is still unavailable. */
  probe(): Promise<unknown>
  /** Called once when the watch ends (closed or failed). */
  forget(watch: EtcdWatch): void
}

export class EtcdWatch implements WatchHandle {
  private next: number
  private stream: WatchStream | undefined
  /** Bumped whenever a stream is abandoned, so late callbacks of an old stream are ignored. */
  private generation = 0
  private retryMs = FIRST_RETRY_MS
  /** The stream broke and has not been re-created yet (reported once through onConnection). */
  private disconnected = false
  private timer: NodeJS.Timeout | undefined
  private ended = false
  private readonly range: {key: Buffer; end: Buffer}

  constructor(
    private readonly deps: WatchDeps,
    private readonly prefix: string,
    fromRevision: number,
    private readonly listener: WatchListener,
  ) {
    // etcd reads start_revision 0 as "from now"; the contract means "from the beginning".
    this.next = Math.max(1, Math.floor(fromRevision))
    this.range = prefixRange(prefix)
    void this.connect(false)
  }

  async close(): Promise<void> {
    if (this.ended) return
    this.end()
  }

  private async connect(afterFailure: boolean): Promise<void> {
    const generation = ++this.generation
    try {
      if (afterFailure) await this.deps.probe()
      if (this.ended || generation !== this.generation) return
      const stream = await this.deps.openStream()
      if (this.ended || generation !== this.generation) {
        abandon(stream)
        return
      }
      this.stream = stream
      stream.on('data', (response: IWatchResponse) => this.onResponse(generation, response))
      stream.on('error', (error: Error) => this.onBroken(generation, error))
      stream.on('end', () => this.onBroken(generation, undefined))
      stream.write({
        create_request: {
          key: this.range.key,
          range_end: this.range.end,
          start_revision: this.next,
          prev_kv: true,
          progress_notify: true,
        },
      })
    } catch (error) {
      this.onBroken(generation, error)
    }
  }

  private onResponse(generation: number, response: IWatchResponse): void {
    if (this.ended || generation !== this.generation) return
    const compacted = Number(response.compact_revision)
    if (compacted > 0) {
      this.fail(new CompactedError(this.next, compacted))
      return
    }
    if (response.canceled) {
      this.fail(new DatastoreError(`etcd cancelled the watch on ${this.prefix}: ${response.cancel_reason || 'no reason given'}`))
      return
    }
    if (response.created) {
      this.retryMs = FIRST_RETRY_MS
      if (this.disconnected) {
        this.disconnected = false
        this.listener.onConnection?.({connected: true})
      }
      return
    }
    if (response.events.length === 0) {
      this.next = Math.max(this.next, Number(response.header.revision) + 1)
      return
    }
    const events = response.events.map(toWatchEvent)
    const last = events[events.length - 1]
    this.next = (last.type === 'put' ? last.kv.modRevision : last.modRevision) + 1
    try {
      this.listener.onEvents(events)
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
    }
  }

  private onBroken(generation: number, error: unknown): void {
    if (this.ended || generation !== this.generation) return
    this.generation++
    if (this.stream !== undefined) abandon(this.stream)
    this.stream = undefined
    const failure = error instanceof RejectedError ? error.failure : error === undefined ? undefined : classify(error)
    // Refusals that a reconnect cannot cure end the watch; everything else is retried.
    if (failure?.kind === 'rejected' && (failure.etcd === 'permission denied' || failure.etcd === 'authentication failed')) {
      this.fail(new DatastoreError(`etcd refused the watch on ${this.prefix}: ${failure.cause}`))
      return
    }
    if (!this.disconnected) {
      this.disconnected = true
      const reason = failure?.cause ?? (error instanceof Error ? error.message : 'the watch stream ended')
      this.listener.onConnection?.({connected: false, reason: `lost the watch on etcd: ${reason}`})
    }
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.connect(true)
    }, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS)
  }

  private fail(error: Error): void {
    if (this.ended) return
    this.end()
    this.listener.onError(error)
  }

  private end(): void {
    this.ended = true
    this.generation++
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.stream !== undefined) abandon(this.stream)
    this.stream = undefined
    this.deps.forget(this)
  }
}

/**
 * Stops a stream quietly: half-close first (etcd3 reports stream errors to its pool only while
 * the stream is writable, and a report would reset the host's connections), then cancel. A late
 * error event must still have a listener, or it would be thrown.
 */
function abandon(stream: WatchStream): void {
  stream.on('error', () => {})
  try {
    stream.end()
    stream.cancel()
  } catch {
    // Already finished.
  }
}

function toWatchEvent(event: IEvent): WatchEvent {
  const prev = presentKV(event.prev_kv)
  // etcd3's proto names the enum values Put and Delete; compare loosely in case that changes.
  if (String(event.type).toLowerCase() === 'delete') {
    const key = event.kv.key.toString('utf8')
    const modRevision = Number(event.kv.mod_revision)
    return prev === undefined ? {type: 'delete', key, modRevision} : {type: 'delete', key, modRevision, prev}
  }
  const kv = toKV(event.kv)
  return prev === undefined ? {type: 'put', kv} : {type: 'put', kv, prev}
}

/**
 * etcd's error for a read below the compaction point does not say where that point is; a watch
 * created at the revision does (its first response carries compact_revision). Returns
 * undefined if etcd does not answer within `timeoutMs`.
 */
export async function probeCompactRevision(
  open: () => Promise<WatchStream>,
  revision: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const stream = await open()
  try {
    return await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs)
      const done = (value: number | undefined): void => {
        clearTimeout(timer)
        resolve(value)
      }
      stream.on('data', (response: IWatchResponse) => {
        const compacted = Number(response.compact_revision)
        if (compacted > 0) done(compacted)
        else if (!response.created) done(undefined)
      })
      stream.on('error', () => done(undefined))
      stream.on('end', () => done(undefined))
      stream.write({create_request: {key: Buffer.from([0]), start_revision: revision}})
    })
  } finally {
    abandon(stream)
  }
}
