/**
 * A TCP proxy in front of an etcd client port, so tests can make one endpoint fail while etcd
 * itself stays up: `cut()` drops every open connection (the client sees "connection lost"),
 * `close()` also stops listening (new connections are refused), `open()` listens again on the
 * same port. Also `silentServer()`: accepts connections and never answers (a hung endpoint).
 */
import {createServer, type Server, type Socket, connect} from 'node:net'

import {freePort} from './server.js'

export class TcpProxy {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  /** Connections accepted so far. */
  accepted = 0

  private constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), Number(new URL(targetUrl).port))
    await proxy.open()
    return proxy
  }

  async open(): Promise<void> {
    if (this.server !== undefined) return
    const server = createServer((client) => {
      this.accepted++
      const upstream = connect(this.targetPort, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream)
      upstream.pipe(client)
    })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
  }

  /** Drops every open connection; new ones are still accepted. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    this.cut()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A listener that accepts connections and never sends a byte. */
export async function silentServer(): Promise<{url: string; close(): Promise<void>}> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
