/**
 * Real-kernel topology for the agent e2e tests: a network namespace playing the host, workload
 * namespaces joined to it by veth pairs (host side `cali…`, workload `eth0` with a /32 and the
 * 169.254.1.1 default route, as Calico's CNI plugin sets them up), a listener/prober process in
 * each workload, and one cleanup list that runs from `after` hooks and, as a last resort, from
 * process 'exit' or SIGINT/SIGTERM (synchronously), so no namespace, process or directory outlives a failed run.
 */
import {execFile, execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

export const sh = (...argv: string[]): string => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
export const inNs = (ns: string, ...argv: string[]): string => sh('ip', 'netns', 'exec', ns, ...argv)

/** Everything a test created, removed in reverse order; safe to run twice. */
export class Cleanup {
  private readonly steps: {what: string; run: () => void}[] = []
  private readonly onExit = () => this.runAll()
  /** SIGINT/SIGTERM skip 'exit' handlers: clean up, then die of the same signal. */
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.runAll()
    process.kill(process.pid, signal)
  }

  constructor() {
    process.on('exit', this.onExit)
    process.once('SIGINT', this.onSignal)
    process.once('SIGTERM', this.onSignal)
  }

  add(what: string, run: () => void): void {
    this.steps.push({what, run})
  }

  namespace(ns: string): void {
    this.add(`netns ${ns}`, () => {
      try {
        sh('ip', 'netns', 'del', ns)
      } catch {
        // already gone
      }
    })
  }

  process(child: ChildProcess): void {
    this.add(`pid ${child.pid}`, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
  }

  directory(dir: string): void {
    this.add(`dir ${dir}`, () => rmSync(dir, {recursive: true, force: true}))
  }

  /** Runs every step (each one's failure ignored), newest first. */
  runAll(): void {
    while (this.steps.length > 0) {
      const step = this.steps.pop()
      try {
        step?.run()
      } catch {
        // keep going: the rest must still be removed
      }
    }
    process.off('exit', this.onExit)
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
  }
}

export type Proto = 'tcp' | 'udp'

/** One workload namespace with its prober (TCP "ok" listener, UDP echo, client). */
export class Workload {
  private nextId = 0
  private readonly waiting = new Map<number, (ok: boolean) => void>()

  private constructor(
    readonly ns: string,
    readonly iface: string,
    readonly ip: string,
    private readonly child: ChildProcess,
  ) {
    const lines = createInterface({input: child.stdout ?? process.stdin})
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as {id?: number; ok?: boolean}
      if (msg.id === undefined) return
      this.waiting.get(msg.id)?.(msg.ok === true)
      this.waiting.delete(msg.id)
    })
  }

  /**
   * Creates namespace `ns`, a veth `iface` (in `hostNs`) ↔ `eth0` (in `ns`) with `ip`/32 and the
   * link-local gateway route, and starts the prober. The host side is only brought up: routes,
   * proxy ARP and the interface sysctls are the agent's job.
   */
  static async create(cleanup: Cleanup, hostNs: string, ns: string, iface: string, ip: string, ports: {tcp: number; udp: number}): Promise<Workload> {
    sh('ip', 'netns', 'add', ns)
    cleanup.namespace(ns)
    sh('ip', 'link', 'add', iface, 'netns', hostNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
    inNs(hostNs, 'ip', 'link', 'set', iface, 'up')
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up')
    inNs(ns, 'ip', 'addr', 'add', `${ip}/32`, 'dev', 'eth0')
    inNs(ns, 'ip', 'link', 'set', 'eth0', 'up')
    inNs(ns, 'ip', 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link')
    inNs(ns, 'ip', 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0')
    const script = join(import.meta.dirname, 'prober.mjs')
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, String(ports.tcp), String(ports.udp)], {stdio: ['pipe', 'pipe', 'inherit']})
    cleanup.process(child)
    const workload = new Workload(ns, iface, ip, child)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`prober in ${ns} did not start`)), 10_000)
      const lines = createInterface({input: child.stdout ?? process.stdin})
      lines.once('line', () => {
        clearTimeout(timer)
        resolve()
      })
      child.once('exit', (code) => reject(new Error(`prober in ${ns} exited with ${code}`)))
    })
    return workload
  }

  /** A TCP connect that gets "ok" back, or a UDP datagram echoed, within timeoutMs. */
  probe(proto: Proto, ip: string, port: number, timeoutMs: number): Promise<boolean> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      this.child.stdin?.write(`${JSON.stringify({id, proto, ip, port, timeoutMs})}\n`)
    })
  }

  /** One ICMP echo from this namespace (ping -W is whole seconds). */
  ping(ip: string): Promise<boolean> {
    return new Promise((resolve) => {
      execFile('ip', ['netns', 'exec', this.ns, 'ping', '-c1', '-W1', '-q', '-n', ip], {timeout: 5000}, (error) => resolve(error === null))
    })
  }
}

/** Polls until check() is true, every 50 ms, for at most timeoutMs; returns whether it became true. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (check()) return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
