/**
 * A reusable copy of agent-connectivity.test.ts's setup, for the fault and scenario tests: a host
 * netns running `calicoctl node run --dataplane=iptables` (bin/run.js), three workload namespaces
 * on veth pairs (host side `cali<tag><n>`), an uplink whose peer may live in an "external"
 * namespace, and a connectivity matrix judged by PolicyModel. The datastore is either a local
 * store shared with the test, or a real etcd (test/datastore/etcd/server.ts) that the agent reaches
 * through a switchable bridge (support/bridge.ts), so a test can take the datastore away from the
 * agent while it keeps writing to it.
 *
 * The agent can be killed (any signal) and started again. Everything created is registered with a
 * Cleanup, run by teardown() and, failing that, on process exit.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import type {Resource} from '../../../src/api/resource.js'
import type {Datastore} from '../../../src/datastore/datastore.js'
import {createDatastore} from '../../../src/datastore/factory.js'
import {ResourceDoesNotExistError} from '../../../src/datastore/resource-errors.js'
import {ResourceClient} from '../../../src/datastore/resources.js'
import {PolicyModel} from '../../../src/policy/index.js'
import type {Flow} from '../../../src/policy/types.js'
import {EtcdServer} from '../../datastore/etcd/server.js'
import {forwardInNetns, UnixBridge} from './bridge.js'
import {Cleanup, inNs, sh, waitFor, Workload, type Proto} from './netns.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')
export const API = 'projectcalico.org/v3'
export const NODE = 'e2e-host'
export const HOST_IP = '10.200.0.1'
export const EXT_IP = '10.200.0.2'
export const TCP_PORT = 8080
export const UDP_PORT = 5353
const PROBE_TIMEOUT_MS = 1000
/** Port the agent's etcd endpoint listens on inside the host netns. */
const ETCD_PORT_IN_NS = 2379

export const WORKLOADS = [
  {pod: 'w1', ns: 'ns-a', ip: '10.65.0.1', labels: {role: 'frontend'}},
  {pod: 'w2', ns: 'ns-a', ip: '10.65.0.2', labels: {role: 'backend'}},
  {pod: 'w3', ns: 'ns-b', ip: '10.65.0.3', labels: {role: 'db'}},
] as const
export type WorkloadSpec = (typeof WORKLOADS)[number]
const NAMESPACE_LABELS: Record<string, Record<string, string>> = {'ns-a': {team: 'a'}, 'ns-b': {team: 'b'}}

export const wepName = (w: WorkloadSpec) => `e2e--host-k8s-${w.pod}-eth0`

export const profile = (ns: string, allowAll: boolean): Resource => ({
  apiVersion: API,
  kind: 'Profile',
  metadata: {name: `kns.${ns}`},
  spec: {
    ...(allowAll ? {ingress: [{action: 'Allow'}], egress: [{action: 'Allow'}]} : {}),
    labelsToApply: Object.fromEntries(Object.entries(NAMESPACE_LABELS[ns]).map(([k, v]) => [`pcns.${k}`, v])),
  },
})

export const gnp = (name: string, spec: Record<string, unknown>): Resource => ({apiVersion: API, kind: 'GlobalNetworkPolicy', metadata: {name}, spec})
export const np = (ns: string, name: string, spec: Record<string, unknown>): Resource => ({apiVersion: API, kind: 'NetworkPolicy', metadata: {name, namespace: ns}, spec})

/** One cell of the matrix: how to send it, and the flow PolicyModel is asked about. */
export interface MatrixProbe {
  readonly label: string
  /** The flow to judge; undefined when the answer is "allowed" without asking (e.g. no host endpoint yet). */
  flow(model: PolicyModel, resources: readonly Resource[]): Flow | undefined
  run(): Promise<boolean>
}

/** The prober (support/prober.mjs) started in a namespace that already exists. */
export class NsProber {
  private nextId = 0
  private readonly waiting = new Map<number, (ok: boolean) => void>()

  private constructor(private readonly child: ChildProcess) {
    createInterface({input: child.stdout ?? process.stdin}).on('line', (line) => {
      const msg = JSON.parse(line) as {id?: number; ok?: boolean}
      if (msg.id === undefined) return
      this.waiting.get(msg.id)?.(msg.ok === true)
      this.waiting.delete(msg.id)
    })
  }

  static async start(cleanup: Cleanup, ns: string, ports: {tcp: number; udp: number}): Promise<NsProber> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(import.meta.dirname, 'prober.mjs'), String(ports.tcp), String(ports.udp)], {stdio: ['pipe', 'pipe', 'inherit']})
    cleanup.process(child)
    const prober = new NsProber(child)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`prober in ${ns} did not start`)), 10_000)
      createInterface({input: child.stdout ?? process.stdin}).once('line', () => {
        clearTimeout(timer)
        resolve()
      })
      child.once('exit', (code) => reject(new Error(`prober in ${ns} (ports ${ports.tcp}/${ports.udp}) exited with ${code}`)))
    })
    return prober
  }

  probe(proto: Proto, ip: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      this.child.stdin?.write(`${JSON.stringify({id, proto, ip, port, timeoutMs})}\n`)
    })
  }
}

export interface HarnessOptions {
  /** ≤ 4 characters: names namespaces and interfaces (cali<tag><n> must fit 15 characters). */
  readonly tag: string
  readonly datastore: 'local' | 'etcd'
  /** FelixConfiguration iptablesRefreshInterval, seconds. */
  readonly resyncSeconds: number
  /** Move the uplink's peer into its own namespace with EXT_IP (for host endpoint tests). */
  readonly external?: boolean
  /** Extra fields for each WorkloadEndpoint spec (e.g. named ports). */
  readonly wepExtra?: (w: WorkloadSpec, index: number) => Record<string, unknown>
  /** How long assertMatrix waits for the dataplane to agree. */
  readonly deadlineMs?: number
}

export class AgentHarness {
  readonly cleanup = new Cleanup()
  readonly hostNs: string
  readonly extNs: string
  readonly workloads: Workload[] = []
  ext?: NsProber
  client!: ResourceClient
  etcd?: EtcdServer
  bridge?: UnixBridge
  agent?: ChildProcess
  dir = ''
  agentLog = ''
  statusFile = ''
  readonly probes: MatrixProbe[]
  /** More environment for the agent process (e.g. a PATH with fault-injecting wrappers); set before setup(). */
  extraAgentEnv: Record<string, string> = {}
  private datastore?: Datastore
  private agentEnv: Record<string, string> = {}
  private readonly written = new Map<string, Resource>()

  constructor(readonly options: HarnessOptions) {
    this.hostNs = `ce2e-${options.tag}-h-${process.pid}`
    this.extNs = `ce2e-${options.tag}-x-${process.pid}`
    this.probes = WORKLOADS.flatMap((src, from) =>
      WORKLOADS.flatMap((dst, to) =>
        from === to
          ? []
          : (['icmp', 'tcp', 'udp'] as const).map(
              (proto): MatrixProbe => ({
                label: `${src.pod}->${dst.pod} ${proto}`,
                flow: () => ({
                  source: {kind: 'workload', namespace: src.ns, name: wepName(src)},
                  destination: {kind: 'workload', namespace: dst.ns, name: wepName(dst)},
                  ...(proto === 'icmp' ? {protocol: 'ICMP', icmp: {type: 8, code: 0}} : {protocol: proto.toUpperCase(), dstPort: proto === 'tcp' ? TCP_PORT : UDP_PORT}),
                }),
                run: () => (proto === 'icmp' ? this.workloads[from].ping(dst.ip) : this.workloads[from].probe(proto, dst.ip, proto === 'tcp' ? TCP_PORT : UDP_PORT, PROBE_TIMEOUT_MS)),
              }),
            ),
      ),
    )
  }

  iface(index: number): string {
    return `cali${this.options.tag}${index + 1}`
  }

  wep(w: WorkloadSpec, index: number): Resource {
    return {
      apiVersion: API,
      kind: 'WorkloadEndpoint',
      metadata: {name: wepName(w), namespace: w.ns, labels: {...w.labels}},
      spec: {node: NODE, orchestrator: 'k8s', pod: w.pod, endpoint: 'eth0', interfaceName: this.iface(index), ipNetworks: [`${w.ip}/32`], profiles: [`kns.${w.ns}`], ...this.options.wepExtra?.(w, index)},
    }
  }

  /** Checks prerequisites (failing, never skipping), builds the topology and starts the agent. */
  async setup(): Promise<void> {
    assert.equal(process.getuid?.(), 0, 'this test must run as root (CI does)')
    const tools = ['ip', 'iptables-nft-save', 'iptables-nft', 'ipset', 'ping', 'sysctl', ...(this.options.datastore === 'etcd' ? ['etcd'] : [])]
    for (const tool of tools) assert.doesNotThrow(() => sh('sh', '-c', `command -v ${tool}`), `${tool} is missing: run scripts/ensure-system-packages.mjs`)
    assert.doesNotThrow(() => readFileSync(join(ROOT, 'dist', 'commands', 'node', 'run.js')), 'dist/ is missing: run npm run build')

    this.dir = mkdtempSync(join(tmpdir(), `agent-e2e-${this.options.tag}-`))
    this.cleanup.directory(this.dir)
    this.statusFile = join(this.dir, 'status.json')
    this.agentLog = join(this.dir, 'agent.log')

    sh('ip', 'netns', 'add', this.hostNs)
    this.cleanup.namespace(this.hostNs)
    const host = (...argv: string[]) => inNs(this.hostNs, ...argv)
    host('ip', 'link', 'set', 'lo', 'up')
    host('ip', 'link', 'add', 'e2e-up0', 'type', 'veth', 'peer', 'name', 'e2e-up1')
    host('ip', 'addr', 'add', `${HOST_IP}/24`, 'dev', 'e2e-up0')
    host('ip', 'link', 'set', 'e2e-up0', 'up')
    if (this.options.external === true) {
      sh('ip', 'netns', 'add', this.extNs)
      this.cleanup.namespace(this.extNs)
      host('ip', 'link', 'set', 'e2e-up1', 'netns', this.extNs)
      inNs(this.extNs, 'ip', 'link', 'set', 'lo', 'up')
      inNs(this.extNs, 'ip', 'addr', 'add', `${EXT_IP}/24`, 'dev', 'e2e-up1')
      inNs(this.extNs, 'ip', 'link', 'set', 'e2e-up1', 'up')
      this.ext = await NsProber.start(this.cleanup, this.extNs, {tcp: TCP_PORT, udp: UDP_PORT})
    } else {
      host('ip', 'link', 'set', 'e2e-up1', 'up')
    }
    host('ip', 'route', 'add', 'default', 'via', '10.200.0.254', 'dev', 'e2e-up0')
    for (const [i, w] of WORKLOADS.entries()) {
      this.workloads.push(await Workload.create(this.cleanup, this.hostNs, `ce2e-${this.options.tag}-w${i + 1}-${process.pid}`, this.iface(i), w.ip, {tcp: TCP_PORT, udp: UDP_PORT}))
    }

    if (this.options.datastore === 'etcd') {
      const etcd = await EtcdServer.start()
      this.etcd = etcd
      this.cleanup.add('etcd', () => void etcd.destroy())
      this.datastore = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: etcd.clientUrl})
      this.bridge = await UnixBridge.start(this.cleanup, join(this.dir, 'etcd.sock'), etcd.clientUrl)
      await forwardInNetns(this.cleanup, this.hostNs, ETCD_PORT_IN_NS, this.bridge.path)
      this.agentEnv = {DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: `http://127.0.0.1:${ETCD_PORT_IN_NS}`}
    } else {
      this.datastore = await createDatastore({datastoreType: 'local', localDir: join(this.dir, 'store')})
      this.agentEnv = {DATASTORE_TYPE: 'local', DATASTORE_DIR: join(this.dir, 'store')}
    }
    const ds = this.datastore
    this.cleanup.add('datastore', () => void ds.close())
    this.client = new ResourceClient(ds)
    await this.client.ensureInitialized()
    await this.client.create({apiVersion: API, kind: 'FelixConfiguration', metadata: {name: 'default'}, spec: {iptablesRefreshInterval: `${this.options.resyncSeconds}s`, iptablesBackend: 'NFT'}})
    await this.client.create({apiVersion: API, kind: 'Tier', metadata: {name: 'security'}, spec: {order: 100}})
    await this.put(profile('ns-a', false), profile('ns-b', false), ...WORKLOADS.map((w, i) => this.wep(w, i)))
    await this.startAgent()
  }

  /** Starts the agent (a fresh status file) and waits until it reports ready (unless waitReady is false). */
  async startAgent(waitReady = true): Promise<void> {
    assert.ok(this.agent === undefined || this.agent.exitCode !== null || this.agent.signalCode !== null, 'the agent is still running')
    rmSync(this.statusFile, {force: true})
    const log = openSync(this.agentLog, 'a')
    const child = spawn(
      'ip',
      ['netns', 'exec', this.hostNs, process.execPath, join(ROOT, 'bin', 'run.js'), 'node', 'run', '--dataplane=iptables', `--name=${NODE}`, `--ip=${HOST_IP}/32`, '--health-port=0', `--status-file=${this.statusFile}`, '--no-default-ippools'],
      {stdio: ['ignore', log, log], env: {...process.env, ...this.agentEnv, ...this.extraAgentEnv}},
    )
    closeSync(log)
    this.agent = child
    this.cleanup.process(child)
    if (!waitReady) return
    const ready = await waitFor(() => this.status().ready === true || child.exitCode !== null, 30_000)
    assert.ok(ready && child.exitCode === null, `the agent did not become ready:\n${this.agentLogTail()}`)
  }

  /** Sends `signal` to the agent (node itself: `ip netns exec` execs it) and waits (bounded) for it to exit. */
  async stopAgent(signal: NodeJS.Signals): Promise<void> {
    const child = this.agent
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }

  async teardown(): Promise<void> {
    await this.stopAgent('SIGTERM').catch(() => undefined)
    await this.datastore?.close().catch(() => undefined)
    await this.bridge?.close().catch(() => undefined)
    await this.etcd?.destroy()
    this.cleanup.runAll()
  }

  status(): {ready?: boolean; notReady?: string[]; applies?: number} {
    try {
      return JSON.parse(readFileSync(this.statusFile, 'utf8')) as {ready?: boolean; notReady?: string[]; applies?: number}
    } catch {
      return {}
    }
  }

  agentLogTail(lines = 30): string {
    try {
      return readFileSync(this.agentLog, 'utf8').split('\n').slice(-lines).join('\n')
    } catch {
      return '(no log)'
    }
  }

  private key(r: Resource): string {
    return `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`
  }

  async put(...resources: Resource[]): Promise<void> {
    for (const res of resources) {
      const existing = await this.client.getOptional(res.kind, res.metadata.name ?? '', res.metadata.namespace)
      if (existing === undefined) await this.client.create(res)
      else await this.client.update({...res, metadata: {...res.metadata, resourceVersion: existing.metadata.resourceVersion}})
      this.written.set(this.key(res), res)
    }
  }

  async remove(...resources: Resource[]): Promise<void> {
    for (const res of resources) {
      try {
        await this.client.delete(res.kind, res.metadata.name ?? '', res.metadata.namespace)
      } catch (error) {
        if (!(error instanceof ResourceDoesNotExistError)) throw error
      }
      this.written.delete(this.key(res))
    }
  }

  /** Deletes every resource of these kinds that this harness wrote. */
  async clear(...kinds: string[]): Promise<void> {
    await this.remove(...[...this.written.values()].filter((r) => kinds.includes(r.kind)))
  }

  /** The verdicts PolicyModel gives from what is in the store right now. */
  async expected(probes: readonly MatrixProbe[] = this.probes): Promise<boolean[]> {
    const resources: Resource[] = []
    for (const kind of ['Tier', 'GlobalNetworkPolicy', 'NetworkPolicy', 'Profile', 'WorkloadEndpoint', 'HostEndpoint', 'GlobalNetworkSet', 'NetworkSet']) {
      resources.push(...(await this.client.list(kind)).items)
    }
    const model = new PolicyModel(resources)
    return probes.map((p) => {
      const flow = p.flow(model, resources)
      return flow === undefined ? true : model.evaluate(flow).verdict === 'Allow'
    })
  }

  observe(probes: readonly MatrixProbe[] = this.probes): Promise<boolean[]> {
    return Promise.all(probes.map((p) => p.run()))
  }

  private mismatches(probes: readonly MatrixProbe[], want: boolean[], got: boolean[]): string[] {
    return probes.flatMap((p, i) => (want[i] === got[i] ? [] : [`${p.label}: expected ${want[i] ? 'some' : 'none'}, got ${got[i] ? 'some' : 'none'}`]))
  }

  /**
   * Waits (bounded) until every probe agrees with `want` (default: the model's verdicts from the
   * store now), then checks once more. Returns the verdicts.
   */
  async assertMatrix(what: string, probes: readonly MatrixProbe[] = this.probes, want?: boolean[]): Promise<boolean[]> {
    const expected = want ?? (await this.expected(probes))
    const deadlineMs = this.options.deadlineMs ?? 20_000
    const deadline = Date.now() + deadlineMs
    let last: string[] = []
    while (Date.now() < deadline) {
      last = this.mismatches(probes, expected, await this.observe(probes))
      if (last.length === 0) {
        const confirm = this.mismatches(probes, expected, await this.observe(probes))
        if (confirm.length === 0) return expected
        last = confirm
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.fail(`${what}: the dataplane disagrees with the expected verdicts after ${deadlineMs} ms:\n  ${last.join('\n  ')}\n--- iptables (host ns) ---\n${this.iptablesSave()}\n--- agent log (tail) ---\n${this.agentLogTail()}`)
  }

  /** Every round of probes for `durationMs` (at least two rounds) agrees with `want`: nothing changes meanwhile. */
  async assertMatrixHolds(what: string, want: boolean[], durationMs: number, probes: readonly MatrixProbe[] = this.probes): Promise<number> {
    const until = Date.now() + durationMs
    let rounds = 0
    while (rounds < 2 || Date.now() < until) {
      const bad = this.mismatches(probes, want, await this.observe(probes))
      assert.deepEqual(bad, [], `${what}: round ${rounds + 1} changed:\n  ${bad.join('\n  ')}\n--- agent log (tail) ---\n${this.agentLogTail()}`)
      rounds++
    }
    return rounds
  }

  iptablesSave(): string {
    return inNs(this.hostNs, 'iptables-nft-save', '-t', 'filter')
  }

  /** The filter table's Calico lines without packet counters (chain declarations and rules). */
  caliRules(): string[] {
    return this.iptablesSave()
      .split('\n')
      .filter((l) => l.includes('cali') && !l.startsWith('#'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
  }

  /** Names of the cali- chains, in iptables-save order (duplicates kept, so they can be found). */
  caliChains(): string[] {
    return this.caliRules()
      .filter((l) => l.startsWith(':cali-'))
      .map((l) => l.slice(1).split(' ')[0])
  }

  /** Names of the cali ipsets in the host netns, sorted. */
  caliIpsets(): string[] {
    return inNs(this.hostNs, 'ipset', 'list', '-n')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('cali'))
      .sort()
  }

  calicoRoutes(): string[] {
    return inNs(this.hostNs, 'ip', '-4', 'route', 'show', 'proto', '80')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .sort()
  }
}
