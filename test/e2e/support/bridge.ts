/**
 * Reaching a TCP server in the test's own network namespace (a real etcd from
 * test/datastore/etcd/server.ts) from a process inside another namespace (the agent in the host
 * netns), with a switch in the middle to make it unavailable:
 *
 *   agent ──tcp 127.0.0.1:port (in ns)──▶ forward.mjs ──unix socket──▶ UnixBridge ──tcp──▶ etcd
 *
 * `UnixBridge.close()` drops every connection and stops listening, so the agent sees a dead
 * datastore (connections reset at once) while etcd stays up and the test keeps writing to it;
 * `open()` listens again on the same path.
 */
import {spawn} from 'node:child_process'
import {rmSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import type {Cleanup} from './netns.js'

export class UnixBridge {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()

  private constructor(
    readonly path: string,
    private readonly targetPort: number,
  ) {}

  static async start(cleanup: Cleanup, path: string, targetUrl: string): Promise<UnixBridge> {
    const bridge = new UnixBridge(path, Number(new URL(targetUrl).port))
    cleanup.add(`unix bridge ${path}`, () => {
      for (const socket of bridge.sockets) socket.destroy()
      bridge.server?.close()
      rmSync(path, {force: true})
    })
    await bridge.open()
    return bridge
  }

  get isOpen(): boolean {
    return this.server !== undefined
  }

  async open(): Promise<void> {
    if (this.server !== undefined) return
    rmSync(this.path, {force: true})
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => {
          this.sockets.delete(socket)
          client.destroy()
          upstream.destroy()
        })
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
      server.listen(this.path, () => resolve())
    })
  }

  /** Drops every connection and stops listening (the socket file goes away). */
  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
    rmSync(this.path, {force: true})
  }
}

/** Starts forward.mjs in `ns`: 127.0.0.1:`port` there → the Unix socket `unixPath`. */
export async function forwardInNetns(cleanup: Cleanup, ns: string, port: number, unixPath: string): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(import.meta.dirname, 'forward.mjs'), String(port), unixPath], {stdio: ['pipe', 'pipe', 'inherit']})
  cleanup.process(child)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`forwarder in ${ns} did not start`)), 10_000)
    createInterface({input: child.stdout ?? process.stdin}).once('line', () => {
      clearTimeout(timer)
      resolve()
    })
    child.once('exit', (code) => reject(new Error(`forwarder in ${ns} exited with ${code}`)))
  })
}
