/**
 * The agent's main loop (Felix's syncer → calc graph → int_dataplane): list the v3 resource tree,
 * feed it to the calc graph, declare in-sync once, then watch from the list's revision + 1. Every
 * flush's messages go to dataplane.onUpdate in order; dataplane.apply is throttled and coalesced.
 *
 * Contracts and reasons:
 * - Nothing reaches the dataplane before the first snapshot is complete (the graph emits nothing
 *   before inSync) and apply() never runs before the InSync message has been passed on, so the
 *   kernel is never programmed from a partial view (felix-dataplane.md §1.8).
 * - Fail static: when the datastore is unreachable, or a watch fails, the loop stops feeding the
 *   graph and re-lists with a backoff; the dataplane is not touched meanwhile and keeps its last
 *   state. A re-list is diffed against the keys known before, so only real deletions become
 *   deletions. CompactedError re-lists at once.
 * - Throttle: a token bucket (Felix's: burst 10, one token per 100 ms) bounds applies to ~10/s;
 *   events arriving together are coalesced into one flush + apply. A failed apply is retried with
 *   a backoff (applyRetryMs doubling up to applyRetryMaxMs, reset by a success) or with the next
 *   change, whichever comes first; the dataplane keeps its last state and readiness says why.
 * - onUpdate/apply are never called while an apply is running.
 * - Watchdog: the calc and dataplane reporters carry liveness timeouts (healthTimeouts). A
 *   heartbeat re-reports them every min(10 s, timeout / 3), the dataplane one only while no apply
 *   is running: an apply that never returns stops the heartbeat and /liveness turns 503 naming
 *   InternalDataplaneMainLoop once the timeout has passed.
 * - Environment overrides (configOverrides) are merged into every ConfigUpdate on its way to the
 *   dataplane, since Felix ranks environment variables above the datastore.
 */
import {CalcGraph, updateFromKV, type CalcMessage, type CalcUpdate} from '../calc/index.js'
import {CompactedError, type Datastore, type WatchEvent, type WatchHandle} from '../datastore/datastore.js'
import {RESOURCE_PREFIX, resourceFromKV} from '../datastore/resources.js'
import type {Dataplane} from '../dataplane/dataplane.js'
import {systemClock, type Clock} from './clock.js'
import {HealthAggregator} from './health.js'
import {silentLogger, type Logger} from './log.js'
import {AgentMetrics, type ClusterCounts} from './metrics.js'

export interface LoopOptions {
  readonly datastore: Datastore
  readonly dataplane: Dataplane
  readonly nodeName: string
  readonly clock?: Clock
  readonly logger?: Logger
  readonly metrics?: AgentMetrics
  readonly health?: HealthAggregator
  /** Called after every successful apply and every health change (status file, tests). */
  readonly onStatus?: (status: LoopStatus) => void
  /** Token bucket: burst size and refill period (Felix: 10, 100 ms). */
  readonly applyBurst?: number
  readonly applyRefillMs?: number
  /** Delay before re-listing after a datastore failure. */
  readonly resyncRetryMs?: number
  /** First delay before retrying a failed apply when nothing else changes; doubles per failure. */
  readonly applyRetryMs?: number
  /** Upper bound of the apply retry backoff (default 30 s). */
  readonly applyRetryMaxMs?: number
  /** Liveness timeouts by reporter name, ms (Felix: CalculationGraph 30 s, InternalDataplaneMainLoop 90 s). */
  readonly healthTimeouts?: Readonly<Record<string, number>>
  /** Felix parameters merged over every ConfigUpdate (environment overrides). */
  readonly configOverrides?: Readonly<Record<string, string>>
}

export interface LoopStatus {
  readonly ready: boolean
  readonly notReady: readonly string[]
  readonly lastApply?: number
  readonly lastApplyDurationMs?: number
  readonly endpoints: number
  readonly policies: number
  readonly ipsets: number
  readonly applies: number
}

/** Health reporter names (Felix's, where Felix has one). */
export const REPORTERS = {datastore: 'DatastoreConnection', calc: 'CalculationGraph', dataplane: 'InternalDataplaneMainLoop'} as const

/** Felix's health reporting interval. */
const HEALTH_INTERVAL_MS = 10_000

/** Resource plurals counted for the felix_cluster_num_* metrics. */
const COUNTED: Readonly<Record<string, keyof ClusterCounts>> = {
  nodes: 'hosts',
  workloadendpoints: 'workloadEndpoints',
  hostendpoints: 'hostEndpoints',
  globalnetworkpolicies: 'policies',
  networkpolicies: 'policies',
  profiles: 'profiles',
  tiers: 'tiers',
}

/** The counted kind of a resource key `/calico/resources/v3/projectcalico.org/<plural>/…`. */
function countedKind(key: string): keyof ClusterCounts | undefined {
  if (!key.startsWith(RESOURCE_PREFIX)) return undefined
  const rest = key.slice(RESOURCE_PREFIX.length).replace(/^\//, '')
  return COUNTED[rest.slice(0, rest.indexOf('/'))]
}

export class AgentLoop {
  readonly health: HealthAggregator
  readonly metrics: AgentMetrics
  private readonly datastore: Datastore
  private readonly dataplane: Dataplane
  private readonly clock: Clock
  private readonly log: Logger
  private readonly graph: CalcGraph
  private readonly burst: number
  private readonly refillMs: number
  private readonly resyncRetryMs: number
  private readonly applyRetryMs: number
  private readonly applyRetryMaxMs: number
  private readonly heartbeatMs: number
  private readonly configOverrides: Readonly<Record<string, string>>

  private known = new Set<string>()
  private watch?: WatchHandle
  /** Bumped on every (re)list and on stop; callbacks of an older generation are ignored. */
  private generation = 0
  private stopped = false
  private graphInSync = false
  private dataplaneInSync = false
  private applying?: Promise<void>
  private rerun = false
  private applyOwed = false
  private flushTimer?: unknown
  private retryTimer?: unknown
  private resyncTimer?: unknown
  private heartbeatTimer?: unknown
  private applyFailures = 0
  private watchdogFired = false
  private readonly counts: Record<keyof ClusterCounts, number> = {hosts: 0, workloadEndpoints: 0, hostEndpoints: 0, policies: 0, profiles: 0, tiers: 0}
  private tokens: number
  private lastRefill: number
  private lastApply?: number
  private lastApplyDurationMs?: number
  private applies = 0

  constructor(private readonly options: LoopOptions) {
    this.datastore = options.datastore
    this.dataplane = options.dataplane
    this.clock = options.clock ?? systemClock
    this.log = options.logger ?? silentLogger()
    this.metrics = options.metrics ?? new AgentMetrics()
    this.health = options.health ?? new HealthAggregator()
    this.graph = new CalcGraph({nodeName: options.nodeName})
    this.burst = options.applyBurst ?? 10
    this.refillMs = options.applyRefillMs ?? 100
    this.resyncRetryMs = options.resyncRetryMs ?? 1000
    this.applyRetryMs = options.applyRetryMs ?? 1000
    this.applyRetryMaxMs = Math.max(this.applyRetryMs, options.applyRetryMaxMs ?? 30_000)
    this.configOverrides = options.configOverrides ?? {}
    const timeouts = options.healthTimeouts ?? {}
    const shortest = Math.min(...[REPORTERS.calc, REPORTERS.dataplane].map((name) => timeouts[name] ?? Infinity))
    this.heartbeatMs = Math.max(10, Math.min(HEALTH_INTERVAL_MS, Math.floor(shortest / 3)))
    this.tokens = this.burst
    this.lastRefill = this.clock.now()
    this.health.report(REPORTERS.datastore, {live: true, ready: false, reason: 'waiting for the datastore'})
    this.health.report(REPORTERS.calc, {live: true, ready: false, reason: 'waiting for the first datastore snapshot'})
    this.health.report(REPORTERS.dataplane, {live: true, ready: false, reason: 'waiting for the first dataplane apply'})
    for (const name of [REPORTERS.calc, REPORTERS.dataplane]) this.health.setTimeout(name, timeouts[name])
    this.metrics.resyncState.set(1)
    this.metrics.watchDataplane(this.dataplane)
    this.metrics.watchCluster(() => ({...this.counts}))
  }

  /** Starts the first list; returns at once (readiness tells when the first apply is done). */
  start(): void {
    this.scheduleHeartbeat()
    void this.resync()
  }

  status(): LoopStatus {
    const stats = this.graph.stats()
    return {
      ready: this.health.ready,
      notReady: this.health.notReadyReasons(),
      lastApply: this.lastApply,
      lastApplyDurationMs: this.lastApplyDurationMs,
      endpoints: stats.localEndpoints,
      policies: stats.activePolicies,
      ipsets: stats.activeIPSets,
      applies: this.applies,
    }
  }

  /** Clean shutdown: no more datastore reads, the running apply (if any) finishes, then dataplane.close(). */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.generation++
    for (const timer of [this.flushTimer, this.retryTimer, this.resyncTimer, this.heartbeatTimer]) if (timer !== undefined) this.clock.clearTimeout(timer)
    const watch = this.watch
    this.watch = undefined
    await watch?.close().catch(() => undefined)
    await this.applying
    await this.dataplane.close()
  }

  private async resync(): Promise<void> {
    if (this.stopped) return
    const generation = ++this.generation
    const old = this.watch
    this.watch = undefined
    void old?.close().catch(() => undefined)
    this.metrics.resyncsStarted.inc()
    this.metrics.resyncState.set(2)
    let revision: number
    let updates: CalcUpdate[]
    try {
      const list = await this.datastore.list(RESOURCE_PREFIX)
      revision = list.revision
      updates = list.items.map((kv) => updateFromKV(kv, resourceFromKV))
    } catch (error) {
      if (generation === this.generation) this.onDatastoreFailure(error as Error)
      return
    }
    if (generation !== this.generation || this.stopped) return
    const seen = new Set(updates.map((u) => u.key))
    for (const key of this.known) if (!seen.has(key)) updates.push({key, value: undefined})
    this.known = seen
    for (const kind of Object.keys(this.counts) as Array<keyof ClusterCounts>) this.counts[kind] = 0
    for (const key of seen) this.count(key, 1)
    this.feed(updates, 'resync')
    if (!this.graphInSync) {
      this.graph.inSync()
      this.graphInSync = true
      this.health.report(REPORTERS.calc, {live: true, ready: true, reason: ''})
    }
    this.metrics.resyncState.set(3)
    this.health.report(REPORTERS.datastore, {live: true, ready: true, reason: ''})
    this.log.info({revision, keys: seen.size}, 'datastore snapshot loaded; watching for changes')
    try {
      this.watch = this.datastore.watch(RESOURCE_PREFIX, revision + 1, {
        onEvents: (events) => {
          if (generation === this.generation && !this.stopped) this.onEvents(events)
        },
        onError: (error) => {
          if (generation === this.generation && !this.stopped) this.onDatastoreFailure(error)
        },
        onConnection: ({connected, reason}) => {
          if (generation === this.generation && !this.stopped) this.onWatchConnection(connected, reason)
        },
      })
    } catch (error) {
      this.onDatastoreFailure(error as Error)
    }
    this.scheduleFlush()
    this.reportStatus()
  }

  /** The watch reconnects by itself; meanwhile the dataplane keeps its state and readiness says why. */
  private onWatchConnection(connected: boolean, reason: string | undefined): void {
    if (connected) {
      this.log.info('datastore watch reconnected')
      this.health.report(REPORTERS.datastore, {live: true, ready: true, reason: ''})
      this.metrics.resyncState.set(3)
    } else {
      this.log.warn({err: reason}, 'datastore unavailable; keeping the dataplane as it is while the watch reconnects')
      this.health.report(REPORTERS.datastore, {live: true, ready: false, reason: `datastore unavailable: ${reason ?? 'connection lost'}`})
      this.metrics.resyncState.set(1)
    }
    this.reportStatus()
  }

  private onDatastoreFailure(error: Error): void {
    if (this.stopped) return
    const compacted = error instanceof CompactedError
    this.log.warn({err: error.message, compacted}, compacted ? 'watch history compacted; re-listing' : 'datastore unavailable; keeping the dataplane as it is and retrying')
    if (!compacted) {
      this.health.report(REPORTERS.datastore, {live: true, ready: false, reason: `datastore unavailable: ${error.message}`})
      this.metrics.resyncState.set(1)
      this.reportStatus()
    }
    if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer)
    this.resyncTimer = this.clock.setTimeout(
      () => {
        this.resyncTimer = undefined
        void this.resync()
      },
      compacted ? 0 : this.resyncRetryMs,
    )
  }

  private onEvents(events: WatchEvent[]): void {
    const updates: CalcUpdate[] = events.map((event) => {
      if (event.type === 'put') {
        if (!this.known.has(event.kv.key)) this.count(event.kv.key, 1)
        this.known.add(event.kv.key)
        return updateFromKV(event.kv, resourceFromKV)
      }
      if (this.known.delete(event.key)) this.count(event.key, -1)
      return {key: event.key, value: undefined, revision: event.modRevision}
    })
    this.feed(updates, 'watch')
    this.scheduleFlush()
  }

  private count(key: string, delta: number): void {
    const kind = countedKind(key)
    if (kind !== undefined) this.counts[kind] += delta
  }

  private feed(updates: CalcUpdate[], type: string): void {
    const start = performance.now()
    this.graph.onUpdates(updates)
    this.metrics.calcUpdateTime.observe((performance.now() - start) / 1000)
    this.metrics.calcUpdates.inc({type}, updates.length)
    this.health.heartbeat(REPORTERS.calc)
  }

  /**
   * Felix's periodic health report. The calc graph is synchronous, so if this timer runs it is not
   * stuck; the dataplane loop is alive unless an apply is still running (then only the end of that
   * apply reports, and a stuck one lets the watchdog timeout pass).
   */
  private scheduleHeartbeat(): void {
    if (this.stopped) return
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = undefined
      this.health.heartbeat(REPORTERS.calc)
      if (this.applying === undefined) this.health.heartbeat(REPORTERS.dataplane)
      const live = this.health.live
      if (!live && !this.watchdogFired) this.log.error({reasons: this.health.notLiveReasons()}, 'watchdog: a main loop has stopped reporting; liveness fails')
      else if (live && this.watchdogFired) this.log.info('watchdog: every main loop reports again')
      this.watchdogFired = !live
      this.scheduleHeartbeat()
    }, this.heartbeatMs)
    ;(this.heartbeatTimer as {unref?: () => void}).unref?.()
  }

  /** Coalesces: one pending flush at a time, run as soon as a token is available. */
  private scheduleFlush(): void {
    if (this.stopped || this.flushTimer !== undefined) return
    if (this.applying) {
      this.rerun = true
      return
    }
    this.refill()
    const delay = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.refillMs)
    this.flushTimer = this.clock.setTimeout(() => {
      this.flushTimer = undefined
      this.applying = this.flushAndApply()
        .catch((error: Error) => {
          // A dataplane that throws from onUpdate: report it like a failed apply, never crash.
          this.metrics.dataplaneFailures.inc()
          this.log.error({err: error.message}, 'dataplane update failed')
          this.health.report(REPORTERS.dataplane, {live: true, ready: false, reason: `dataplane update failed: ${error.message}`})
        })
        .finally(() => {
        this.applying = undefined
        if (this.rerun) {
          this.rerun = false
          this.scheduleFlush()
        }
      })
    }, delay)
  }

  private refill(): void {
    const now = this.clock.now()
    this.tokens = Math.min(this.burst, this.tokens + (now - this.lastRefill) / this.refillMs)
    this.lastRefill = now
  }

  private async flushAndApply(): Promise<void> {
    if (this.stopped) return
    let messages: CalcMessage[]
    try {
      messages = this.graph.flush()
    } catch (error) {
      this.log.error({err: (error as Error).message}, 'calculation graph failed; dataplane left as it is')
      return
    }
    for (const original of messages) {
      const message = original.type === 'ConfigUpdate' && Object.keys(this.configOverrides).length > 0 ? {...original, config: {...original.config, ...this.configOverrides}} : original
      this.dataplane.onUpdate(message)
      this.metrics.dataplaneMessages.inc({type: message.type})
      if (message.type === 'InSync') this.dataplaneInSync = true
    }
    this.metrics.calcOutputEvents.inc(messages.length)
    if (messages.length > 0) this.metrics.msgBatchSize.observe(messages.length)
    if (!this.dataplaneInSync || (messages.length === 0 && !this.applyOwed)) return
    this.applyOwed = true
    this.refill()
    this.tokens = Math.max(0, this.tokens - 1)
    const first = this.applies === 0
    const start = this.clock.now()
    const t0 = performance.now()
    try {
      await this.dataplane.apply()
    } catch (error) {
      this.metrics.dataplaneFailures.inc()
      const delay = Math.min(this.applyRetryMaxMs, this.applyRetryMs * 2 ** Math.min(this.applyFailures, 30))
      this.applyFailures++
      const reason = `dataplane apply failed: ${(error as Error).message}`
      this.log.error({err: (error as Error).message, failures: this.applyFailures, retryInMs: delay}, 'dataplane apply failed; keeping the last state and retrying')
      this.health.report(REPORTERS.dataplane, {live: true, ready: false, reason})
      this.reportStatus()
      if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer)
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined
        this.scheduleFlush()
      }, delay)
      return
    }
    this.applyFailures = 0
    const seconds = (performance.now() - t0) / 1000
    if (first) this.metrics.initialResyncTime.set(seconds)
    else this.metrics.applyTime.observe(seconds)
    this.applyOwed = false
    this.applies++
    this.lastApply = start
    this.lastApplyDurationMs = Math.round(seconds * 1000)
    const stats = this.graph.stats()
    this.metrics.activeLocalEndpoints.set(stats.localEndpoints)
    this.metrics.activeLocalPolicies.set(stats.activePolicies)
    this.metrics.activeLocalSelectors.set(stats.activeIPSets)
    this.health.report(REPORTERS.dataplane, {live: true, ready: true, reason: ''})
    this.log.debug({messages: messages.length, ms: this.lastApplyDurationMs}, 'dataplane applied')
    if (first) this.log.info({ms: this.lastApplyDurationMs, endpoints: stats.localEndpoints, policies: stats.activePolicies}, 'first dataplane apply complete; ready')
    this.reportStatus()
  }

  private reportStatus(): void {
    this.options.onStatus?.(this.status())
  }
}
