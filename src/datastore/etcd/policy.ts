/**
 * Fault-handling policies plugged into etcd3's connection pool (IOptions.faultHandling).
 *
 * etcd3's defaults are wrong for us in two ways: its global policy retries failed calls, which
 * for a write whose connection dropped mid-flight reports a wrong outcome (a retried create finds
 * its own key and says AlreadyExists); and on any connection-level error it closes every gRPC
 * client of the host, cancelling unrelated in-flight writes and watch streams. So:
 * - the global policy is a pass-through; retrying is decided per call by calls.ts, which knows
 *   whether the call was a read or a write;
 * - each host gets an EndpointGate: a host whose call failed at the connection level is skipped
 *   for DOWN_MS while some other host is not down (etcd3 then moves to the next host, which is
 *   the endpoint failover), and the failure is rethrown wrapped so etcd3 leaves the channels
 *   alone (grpc-js reconnects channels by itself).
 * Only `execute` is ever called by etcd3; the other members exist to satisfy cockatiel's IPolicy.
 */
import {type IOptions, isRecoverableError} from 'etcd3'

import {EndpointCallError, EndpointSkippedError} from './errors.js'

type FaultHandling = NonNullable<IOptions['faultHandling']>
type Policy = NonNullable<FaultHandling['global']>
type PolicyContext = Parameters<Parameters<Policy['execute']>[0]>[0]

/** How long a host that failed is avoided while another one is believed up. */
export const DOWN_MS = 2_000

const noEvent = (): {dispose(): void} => ({dispose: () => {}})
const context: PolicyContext = {signal: new AbortController().signal}

/** Calls straight through: no retry at the pool level. */
export class PassThrough implements Policy {
  declare readonly _altReturn: never
  readonly onSuccess = noEvent
  readonly onFailure = noEvent

  async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T): Promise<T> {
    return fn(context)
  }
}

/** Which hosts recently failed; shared by the gates of one client. */
export class EndpointHealth {
  private readonly downUntil = new Map<string, number>()

  constructor(private readonly hosts: string[]) {}

  gate(host: string): EndpointGate {
    return new EndpointGate(host, this)
  }

  isDown(host: string): boolean {
    return (this.downUntil.get(host) ?? 0) > Date.now()
  }

  markDown(host: string): void {
    this.downUntil.set(host, Date.now() + DOWN_MS)
  }

  markUp(host: string): void {
    this.downUntil.delete(host)
  }

  /** True if some host other than `host` is not marked down. */
  hasAlternative(host: string): boolean {
    return this.hosts.some((h) => h !== host && !this.isDown(h))
  }
}

export class EndpointGate implements Policy {
  declare readonly _altReturn: never
  readonly onSuccess = noEvent
  readonly onFailure = noEvent

  constructor(
    private readonly host: string,
    private readonly health: EndpointHealth,
  ) {}

  async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T): Promise<T> {
    if (this.health.isDown(this.host) && this.health.hasAlternative(this.host)) {
      throw new EndpointSkippedError(`endpoint ${this.host} failed recently`)
    }
    try {
      const result = await fn(context)
      this.health.markUp(this.host)
      return result
    } catch (error) {
      if (error instanceof Error && isRecoverableError(error)) {
        this.health.markDown(this.host)
        throw new EndpointCallError(error)
      }
      throw error
    }
  }
}
