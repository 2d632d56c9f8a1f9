/**
 * Felix's health aggregator (libcalico-go/lib/health): named reporters each say whether they are
 * live and ready, with a reason when not. Overall readiness is "every reporter ready"; liveness
 * is "no reporter dead". Served over HTTP as `/liveness` and `/readiness`: 200 when good, 503
 * otherwise, with a JSON body naming each reporter and its reason (what the probe logs show).
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface ReporterState {
  readonly live: boolean
  readonly ready: boolean
  /** Why not ready / not live; '' when fine. */
  readonly reason: string
}

export class HealthAggregator {
  private readonly reporters = new Map<string, ReporterState>()

  /** Registers or updates a reporter. */
  report(name: string, state: ReporterState): void {
    this.reporters.set(name, state)
  }

  get ready(): boolean {
    return [...this.reporters.values()].every((r) => r.ready)
  }

  get live(): boolean {
    return [...this.reporters.values()].every((r) => r.live)
  }

  /** Reasons of the reporters that are not ready, `name: reason`. */
  notReadyReasons(): string[] {
    return [...this.reporters].filter(([, r]) => !r.ready).map(([name, r]) => `${name}: ${r.reason}`)
  }

  snapshot(): Record<string, ReporterState> {
    return Object.fromEntries(this.reporters)
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
    const good = path === '/liveness' ? health.live : health.ready
    const body = JSON.stringify({[path === '/liveness' ? 'live' : 'ready']: good, reporters: health.snapshot()})
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
