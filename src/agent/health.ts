/**
 * Felix's health aggregator (libcalico-go/lib/health): named reporters each say whether they are
 * live and ready, with a reason when not. Overall readiness is "every reporter ready"; liveness
 * is "no reporter dead". A reporter registered with a timeout must report again within it, else
 * it counts as not live (Felix's watchdog: a main loop stuck in an apply stops reporting, and the
 * liveness probe restarts the process). Served over HTTP as `/liveness` and `/readiness`: 200 when
 * good, 503 otherwise, with a JSON body naming each reporter and its reason (what the probe logs show).
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {systemClock, type Clock} from './clock.js'

export interface ReporterState {
  readonly live: boolean
  readonly ready: boolean
  /** Why not ready / not live; '' when fine. */
  readonly reason: string
}

interface Reporter {
  state: ReporterState
  lastReport: number
  timeoutMs?: number
}

export class HealthAggregator {
  private readonly reporters = new Map<string, Reporter>()

  constructor(private readonly clock: Clock = systemClock) {}

  /** Registers or updates a reporter; a report also resets its liveness timeout. */
  report(name: string, state: ReporterState): void {
    const existing = this.reporters.get(name)
    if (existing) {
      existing.state = state
      existing.lastReport = this.clock.now()
    } else {
      this.reporters.set(name, {state, lastReport: this.clock.now()})
    }
  }

  /** Re-reports the current state (a heartbeat), resetting the timeout. */
  heartbeat(name: string): void {
    const reporter = this.reporters.get(name)
    if (reporter) reporter.lastReport = this.clock.now()
  }

  /** From now on `name` counts as not live unless it reports at least every `timeoutMs`. */
  setTimeout(name: string, timeoutMs: number | undefined): void {
    const reporter = this.reporters.get(name)
    if (reporter) reporter.timeoutMs = timeoutMs
  }

  get ready(): boolean {
    return [...this.reporters.keys()].every((name) => this.stateOf(name).ready)
  }

  get live(): boolean {
    return [...this.reporters.keys()].every((name) => this.stateOf(name).live)
  }

  /** Reasons of the reporters that are not ready, `name: reason`. */
  notReadyReasons(): string[] {
    return [...this.reporters.keys()].flatMap((name) => {
      const state = this.stateOf(name)
      return state.ready ? [] : [`${name}: ${state.reason}`]
    })
  }

  /** Reasons of the reporters that are not live, `name: reason`. */
  notLiveReasons(): string[] {
    return [...this.reporters.keys()].flatMap((name) => {
      const state = this.stateOf(name)
      return state.live ? [] : [`${name}: ${state.reason}`]
    })
  }

  snapshot(): Record<string, ReporterState> {
    return Object.fromEntries([...this.reporters.keys()].map((name) => [name, this.stateOf(name)]))
  }

  /** The reported state, turned not-live (and not-ready) when the reporter is overdue. */
  private stateOf(name: string): ReporterState {
    const reporter = this.reporters.get(name) as Reporter
    const silentMs = this.clock.now() - reporter.lastReport
    if (reporter.timeoutMs === undefined || silentMs <= reporter.timeoutMs) return reporter.state
    const reason = `no report for ${(silentMs / 1000).toFixed(1)}s (timeout ${reporter.timeoutMs / 1000}s)`
    return {live: false, ready: false, reason: reporter.state.reason === '' ? reason : `${reason}; last: ${reporter.state.reason}`}
  }
}

/** Serves /liveness and /readiness on host:port (port 0 picks a free one); resolves once listening. */
export async function serveHealth(health: HealthAggregator, host: string, port: number): Promise<{server: Server; port: number}> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== '/liveness' && path !== '/readiness') {
      res.writeHead(404).end()
      return
    }
    const liveness = path === '/liveness'
    const good = liveness ? health.live : health.ready
    const failing = liveness ? health.notLiveReasons() : health.notReadyReasons()
    const body = JSON.stringify({[liveness ? 'live' : 'ready']: good, ...(good ? {} : {reasons: failing}), reporters: health.snapshot()})
    res.writeHead(good ? 200 : 503, {'content-type': 'application/json'}).end(`${body}\n`)
  })
  return listen(server, host, port)
}

/** Starts listening and resolves with the bound port. */
export function listen(server: Server, host: string, port: number): Promise<{server: Server; port: number}> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve({server, port: (server.address() as AddressInfo).port})
    })
  })
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
