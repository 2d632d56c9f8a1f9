/**
 * A real etcd server (Debian's etcd-server, etcd 3.4) for tests: free loopback ports, a temporary
 * data directory, fast elections. Every server started here is killed and its directory removed
 * when the test process exits, also when a test fails or times out; tests still call destroy().
 *
 * A missing `etcd` binary is an error, never a reason to skip: CI installs it through
 * scripts/ensure-system-packages.mjs.
 */
import {type ChildProcess, execFile, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface EtcdTlsFiles {
  caFile: string
  certFile: string
  keyFile: string
}

export interface EtcdServerOptions {
  /** Serve clients over https and require client certificates signed by the CA. */
  tls?: EtcdTlsFiles
  /** Number of client URLs (ports) the one server listens on; default 1. */
  clientPorts?: number
  /** More etcd flags, e.g. ['--max-txn-ops', '16']. */
  extraArgs?: string[]
}

const START_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 5_000

const running = new Set<ChildProcess>()
const directories = new Set<string>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
  for (const dir of directories) rmSync(dir, {recursive: true, force: true})
})

/** A port that was free a moment ago (the kernel hands out a fresh ephemeral one each time). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export class EtcdServer {
  private child: ChildProcess | undefined
  private log = ''

  private constructor(
    readonly dataDir: string,
    readonly clientUrls: string[],
    private readonly peerUrl: string,
    private readonly options: EtcdServerOptions,
  ) {}

  /** The first client URL. */
  get clientUrl(): string {
    return this.clientUrls[0]
  }

  static async start(options: EtcdServerOptions = {}): Promise<EtcdServer> {
    const dataDir = mkdtempSync(join(tmpdir(), 'calico-etcd-'))
    directories.add(dataDir)
    const scheme = options.tls ? 'https' : 'http'
    const ports = await Promise.all(Array.from({length: options.clientPorts ?? 1}, () => freePort()))
    const server = new EtcdServer(
      dataDir,
      ports.map((p) => `${scheme}://127.0.0.1:${p}`),
      `http://127.0.0.1:${await freePort()}`,
      options,
    )
    try {
      await server.resume()
    } catch (error) {
      await server.destroy()
      throw error
    }
    return server
  }

  /** Starts the (stopped) server again on the same ports and data directory. */
  async resume(): Promise<void> {
    if (this.child !== undefined) throw new Error('etcd is already running')
    const {tls, extraArgs = []} = this.options
    const args = [
      '--name', 'test',
      '--data-dir', join(this.dataDir, 'data'),
      '--listen-client-urls', this.clientUrls.join(','),
      '--advertise-client-urls', this.clientUrl,
      '--listen-peer-urls', this.peerUrl,
      '--initial-advertise-peer-urls', this.peerUrl,
      '--initial-cluster', `test=${this.peerUrl}`,
      '--heartbeat-interval', '10',
      '--election-timeout', '50',
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      ...(tls
        ? ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--trusted-ca-file', tls.caFile, '--client-cert-auth']
        : []),
      ...extraArgs,
    ]
    const child = spawn('etcd', args, {stdio: ['ignore', 'ignore', 'pipe']})
    this.child = child
    running.add(child)
    this.log = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      // Keep the tail only: enough to explain a failed start.
      this.log = (this.log + chunk).slice(-20_000)
    })
    child.on('exit', () => running.delete(child))
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('error', (error) =>
        reject(new Error(`cannot start etcd (${error.message}); install etcd-server (scripts/ensure-system-packages.mjs)`)),
      )
      child.once('spawn', () => resolve())
    })
    await spawned
    const deadline = Date.now() + START_TIMEOUT_MS
    // One "serving client traffic" line per client listener, logged once the server is ready.
    while ((this.log.match(/serving client traffic/g) ?? []).length < this.clientUrls.length) {
      if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${this.log.slice(-2_000)}`)
      if (Date.now() > deadline) throw new Error(`etcd did not become ready in ${START_TIMEOUT_MS} ms: ${this.log.slice(-2_000)}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s); the data directory stays. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child
    this.child = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }

  /** Stops the server and removes its data directory. Never throws. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined)
    rmSync(this.dataDir, {recursive: true, force: true})
    directories.delete(this.dataDir)
  }

  /** Runs etcdctl against this server (as `user` when given, e.g. "root:pw"); resolves stdout. */
  async etcdctl(args: string[], user?: string): Promise<string> {
    const {tls} = this.options
    const flags = [
      `--endpoints=${this.clientUrl}`,
      ...(tls ? [`--cacert=${tls.caFile}`, `--cert=${tls.certFile}`, `--key=${tls.keyFile}`] : []),
      ...(user === undefined ? [] : [`--user=${user}`]),
    ]
    return new Promise((resolve, reject) => {
      execFile('etcdctl', [...flags, ...args], {timeout: 10_000, env: {...process.env, ETCDCTL_API: '3'}}, (error, stdout, stderr) => {
        if (error) reject(new Error(`etcdctl ${args.join(' ')} failed: ${stderr || error.message}`))
        else resolve(stdout)
      })
    })
  }

  /** The server's recent log, for failure messages. */
  recentLog(): string {
    return this.log.slice(-2_000)
  }
}
