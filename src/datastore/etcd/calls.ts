/**
 * Runs one etcd request with a time budget, endpoint failover and honest failure reports.
 *
 * Every operation gets `timeoutMs` in total (default 5 s). Within it, a request that certainly
 * never reached etcd (no connection, no endpoint) is retried, with a short growing pause, and the
 * pool's endpoint gates (policy.ts) steer each retry to another endpoint; a read is also retried
 * after an interrupted call. A write whose call was interrupted is never retried: its outcome is
 * unknown and the error says so. When the budget runs out the error is ONE line naming the
 * endpoints and the last cause, e.g.
 *   etcd is unreachable at http://127.0.0.1:2379: connection refused
 * Each attempt carries a gRPC deadline, so nothing waits beyond the budget; with several
 * endpoints an attempt gets a share of the budget, so a host that accepts connections but never
 * answers cannot use up all of it.
 */
import {DatastoreError, UnavailableError} from '../datastore.js'
import {classify, type Failure} from './errors.js'

/** Default total time for one operation, including retries and failover. */
export const DEFAULT_TIMEOUT_MS = 5_000
/** With several endpoints an attempt gets a share of the budget, but never less than this. */
const MIN_ATTEMPT_MS = 1_000
/** No attempt is started with less of the budget left than this. */
const LAST_ATTEMPT_MS = 100
const FIRST_PAUSE_MS = 20
const MAX_PAUSE_MS = 250

/** A request: given the absolute deadline (ms since the epoch) for this attempt. */
export type Request<T> = (deadline: number) => Promise<T>

export interface CallerOptions {
  /** For messages: the configured endpoints, comma-separated. */
  endpoints: string
  endpointCount: number
  timeoutMs: number
  isClosed(): boolean
}

/**
 * An UnavailableError that also keeps its reason without the write-outcome wording, so a batch
 * can cite it for the ops it then skips. Its name stays UnavailableError.
 */
export class EtcdUnavailableError extends UnavailableError {
  constructor(
    message: string,
    readonly reason: string,
    key?: string,
  ) {
    super(message, key)
    this.name = 'UnavailableError'
  }
}

/** Thrown for a request etcd rejected; carries the classification for the caller to map. */
export class RejectedError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.cause)
  }
}

export class Caller {
  constructor(private readonly options: CallerOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /** A read: retried after any connection-level failure within the budget. */
  read<T>(request: Request<T>): Promise<T> {
    return this.run(request, false)
  }

  /** A write: retried only while it certainly has not reached etcd. */
  write<T>(request: Request<T>): Promise<T> {
    return this.run(request, true)
  }

  closedError(): UnavailableError {
    return new UnavailableError('datastore is closed')
  }

  unreachable(cause: string, write: boolean): EtcdUnavailableError {
    const reason = `etcd is unreachable at ${this.options.endpoints}: ${cause}`
    return new EtcdUnavailableError(write ? `${reason} (not written)` : reason, reason)
  }

  interrupted(cause: string): EtcdUnavailableError {
    const reason = `lost the connection to etcd at ${this.options.endpoints}: ${cause}`
    return new EtcdUnavailableError(
      `lost the connection to etcd at ${this.options.endpoints} during the write: ${cause}; ` +
        'it may or may not have been applied',
      reason,
    )
  }

  private async run<T>(request: Request<T>, write: boolean): Promise<T> {
    const {timeoutMs, endpointCount} = this.options
    const end = Date.now() + timeoutMs
    const share = endpointCount > 1 ? Math.max(MIN_ATTEMPT_MS, Math.floor(timeoutMs / endpointCount)) : timeoutMs
    let pause = FIRST_PAUSE_MS
    // The most telling cause seen: "connection refused" says more than a later "could not connect
    // in time" from an attempt that merely ran out of budget while grpc-js was reconnecting.
    let cause: string | undefined
    for (;;) {
      if (this.options.isClosed()) throw this.closedError()
      const now = Date.now()
      try {
        return await request(now + Math.max(1, Math.min(share, end - now)))
      } catch (error) {
        if (this.options.isClosed()) throw this.closedError()
        if (error instanceof DatastoreError) throw error
        const failure = classify(error)
        if (failure.kind === 'rejected') throw new RejectedError(failure)
        if (failure.kind === 'interrupted' && write) throw this.interrupted(failure.cause)
        if (cause === undefined || failure.status !== 'DEADLINE_EXCEEDED') cause = failure.cause
        if (Date.now() + pause + LAST_ATTEMPT_MS >= end) throw this.unreachable(cause, write)
        await new Promise((resolve) => setTimeout(resolve, pause))
        pause = Math.min(pause * 2, MAX_PAUSE_MS)
      }
    }
  }
}

/** The DatastoreError for a request etcd rejected (callers first map the cases they expect). */
export function rejection(error: unknown, key?: string): unknown {
  if (!(error instanceof RejectedError)) return error
  return new DatastoreError(`etcd rejected the request: ${error.failure.cause}`, key)
}
