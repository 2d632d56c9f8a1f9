/**
 * The node agent end to end, judged by real packets: a network namespace plays the host and runs
 * `calicoctl node run --dataplane=iptables` (bin/run.js, a real process) against a local store
 * shared with this test; three workload namespaces hang off it by veth (host side `cali…`). The
 * agent must program routes, proxy ARP and the interface sysctls itself, and its iptables rules must
 * give, for every ordered pair and ICMP/TCP/UDP, the verdict src/policy's PolicyModel computes from
 * the same resources. Each scenario waits (bounded) until the whole matrix matches, then checks it
 * once more. Fault: the cali- chains and a route are removed by hand and come back within one resync.
 *
 * Needs root, iproute2, iptables-nft, ipset, ping: it FAILS (never skips) without them. Every
 * namespace, process and directory is removed in `after` and, failing that, on process exit.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, openSync, readFileSync, closeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {Resource} from '../../src/api/resource.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {ResourceDoesNotExistError} from '../../src/datastore/resource-errors.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {PolicyModel} from '../../src/policy/index.js'
import {Cleanup, inNs, sh, waitFor, Workload, type Proto} from './support/netns.js'

const ROOT = join(import.meta.dirname, '..', '..')
const HOST_NS = `ce2e-h-${process.pid}`
const NODE = 'e2e-host'
const HOST_IP = '10.200.0.1'
const TCP_PORT = 8080
const UDP_PORT = 5353
const PROBE_TIMEOUT_MS = 1000
/** FelixConfiguration iptablesRefreshInterval for the fault test. */
const RESYNC_S = 3
const SCENARIO_DEADLINE_MS = 20_000

const API = 'projectcalico.org/v3'
const WORKLOADS = [
  {pod: 'w1', ns: 'ns-a', ip: '10.65.0.1', labels: {role: 'frontend'}},
  {pod: 'w2', ns: 'ns-a', ip: '10.65.0.2', labels: {role: 'backend'}},
  {pod: 'w3', ns: 'ns-b', ip: '10.65.0.3', labels: {role: 'db'}},
] as const
const NAMESPACE_LABELS: Record<string, Record<string, string>> = {'ns-a': {team: 'a'}, 'ns-b': {team: 'b'}}

const profile = (ns: string, allowAll: boolean): Resource => ({
  apiVersion: API,
  kind: 'Profile',
  metadata: {name: `kns.${ns}`},
  spec: {
    ...(allowAll ? {ingress: [{action: 'Allow'}], egress: [{action: 'Allow'}]} : {}),
    labelsToApply: Object.fromEntries(Object.entries(NAMESPACE_LABELS[ns]).map(([k, v]) => [`pcns.${k}`, v])),
  },
})

const workloadEndpoint = (w: (typeof WORKLOADS)[number], index: number): Resource => ({
  apiVersion: API,
  kind: 'WorkloadEndpoint',
  metadata: {name: `e2e--host-k8s-${w.pod}-eth0`, namespace: w.ns, labels: {...w.labels}},
  spec: {node: NODE, orchestrator: 'k8s', pod: w.pod, endpoint: 'eth0', interfaceName: `calie2e${index + 1}`, ipNetworks: [`${w.ip}/32`], profiles: [`kns.${w.ns}`]},
})

const gnp = (name: string, spec: Record<string, unknown>): Resource => ({apiVersion: API, kind: 'GlobalNetworkPolicy', metadata: {name}, spec})
const np = (ns: string, name: string, spec: Record<string, unknown>): Resource => ({apiVersion: API, kind: 'NetworkPolicy', metadata: {name, namespace: ns}, spec})

interface Probe {
  readonly from: number
  readonly to: number
  readonly proto: Proto | 'icmp'
}

const PROBES: Probe[] = WORKLOADS.flatMap((_, from) =>
  WORKLOADS.flatMap((__, to) => (from === to ? [] : (['icmp', 'tcp', 'udp'] as const).map((proto) => ({from, to, proto})))),
)
const label = (p: Probe) => `${WORKLOADS[p.from].pod}->${WORKLOADS[p.to].pod} ${p.proto}`

describe('node agent connectivity in network namespaces (root)', () => {
  const cleanup = new Cleanup()
  const workloads: Workload[] = []
  let dir = ''
  let datastore: Datastore | undefined
  let client: ResourceClient
  let agent: ChildProcess | undefined
  let agentLog = ''
  let statusFile = ''
  /** Resources this test wrote (kind/namespace/name), for scenario resets. */
  const written = new Map<string, Resource>()

  const key = (r: Resource) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`

  async function put(...resources: Resource[]): Promise<void> {
    for (const res of resources) {
      const existing = await client.getOptional(res.kind, res.metadata.name ?? '', res.metadata.namespace)
      if (existing === undefined) await client.create(res)
      else await client.update({...res, metadata: {...res.metadata, resourceVersion: existing.metadata.resourceVersion}})
      written.set(key(res), res)
    }
  }

  async function remove(...resources: Resource[]): Promise<void> {
    for (const res of resources) {
      try {
        await client.delete(res.kind, res.metadata.name ?? '', res.metadata.namespace)
      } catch (error) {
        if (!(error instanceof ResourceDoesNotExistError)) throw error
      }
      written.delete(key(res))
    }
  }

  /** Deletes every policy the previous scenario wrote. */
  async function clearPolicies(): Promise<void> {
    await remove(...[...written.values()].filter((r) => r.kind === 'GlobalNetworkPolicy' || r.kind === 'NetworkPolicy'))
  }

  /** The verdicts PolicyModel gives from what is in the store right now. */
  async function expected(): Promise<boolean[]> {
    const resources: Resource[] = []
    for (const kind of ['Tier', 'GlobalNetworkPolicy', 'NetworkPolicy', 'Profile', 'WorkloadEndpoint']) resources.push(...(await client.list(kind)).items)
    const model = new PolicyModel(resources)
    return PROBES.map((p) => {
      const src = WORKLOADS[p.from]
      const dst = WORKLOADS[p.to]
      const flow = {
        source: {kind: 'workload' as const, namespace: src.ns, name: `e2e--host-k8s-${src.pod}-eth0`},
        destination: {kind: 'workload' as const, namespace: dst.ns, name: `e2e--host-k8s-${dst.pod}-eth0`},
        ...(p.proto === 'icmp' ? {protocol: 'ICMP', icmp: {type: 8, code: 0}} : {protocol: p.proto.toUpperCase(), dstPort: p.proto === 'tcp' ? TCP_PORT : UDP_PORT}),
      }
      return model.evaluate(flow).verdict === 'Allow'
    })
  }

  function observe(): Promise<boolean[]> {
    return Promise.all(
      PROBES.map((p) => {
        const src = workloads[p.from]
        const dstIp = WORKLOADS[p.to].ip
        return p.proto === 'icmp' ? src.ping(dstIp) : src.probe(p.proto, dstIp, p.proto === 'tcp' ? TCP_PORT : UDP_PORT, PROBE_TIMEOUT_MS)
      }),
    )
  }

  const mismatches = (want: boolean[], got: boolean[]) =>
    PROBES.flatMap((p, i) => (want[i] === got[i] ? [] : [`${label(p)}: expected ${want[i] ? 'some' : 'none'}, got ${got[i] ? 'some' : 'none'}`]))

  /**
   * Waits until every probe agrees with the model (bounded), then checks once more, so an allowed
   * flow that works once and a denied flow that fails once are both confirmed. Returns the verdicts.
   */
  async function assertMatrix(what: string): Promise<boolean[]> {
    const want = await expected()
    const deadline = Date.now() + SCENARIO_DEADLINE_MS
    let last: string[] = []
    while (Date.now() < deadline) {
      last = mismatches(want, await observe())
      if (last.length === 0) {
        const confirm = mismatches(want, await observe())
        if (confirm.length === 0) return want
        last = confirm
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.fail(`${what}: the dataplane disagrees with PolicyModel after ${SCENARIO_DEADLINE_MS} ms:\n  ${last.join('\n  ')}\n--- iptables (host ns) ---\n${iptablesSave()}\n--- agent log (tail) ---\n${agentLogTail()}`)
  }

  const iptablesSave = () => inNs(HOST_NS, 'iptables-nft-save', '-t', 'filter')
  const caliRules = () =>
    iptablesSave()
      .split('\n')
      .filter((l) => l.includes('cali') && !l.startsWith('#'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
      .join('\n')
  const agentLogTail = () => {
    try {
      return readFileSync(agentLog, 'utf8').split('\n').slice(-30).join('\n')
    } catch {
      return '(no log)'
    }
  }
  const status = (): {ready?: boolean; lastApply?: string} => {
    try {
      return JSON.parse(readFileSync(statusFile, 'utf8')) as {ready?: boolean; lastApply?: string}
    } catch {
      return {}
    }
  }
  const calicoRoutes = () => inNs(HOST_NS, 'ip', '-4', 'route', 'show', 'proto', '80').split('\n').map((l) => l.trim()).filter((l) => l !== '').sort()

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'this test must run as root (CI does)')
    for (const tool of ['ip', 'iptables-nft-save', 'iptables-nft', 'ipset', 'ping', 'sysctl']) {
      assert.doesNotThrow(() => sh('sh', '-c', `command -v ${tool}`), `${tool} is missing: run scripts/ensure-system-packages.mjs`)
    }
    assert.doesNotThrow(() => readFileSync(join(ROOT, 'dist', 'commands', 'node', 'run.js')), 'dist/ is missing: run npm run build')

    dir = mkdtempSync(join(tmpdir(), 'agent-e2e-'))
    cleanup.directory(dir)
    statusFile = join(dir, 'status.json')
    agentLog = join(dir, 'agent.log')
    datastore = await createDatastore({datastoreType: 'local', localDir: join(dir, 'store')})
    const ds = datastore
    cleanup.add('datastore', () => void ds.close())
    client = new ResourceClient(datastore)
    await client.ensureInitialized()
    await client.create({apiVersion: API, kind: 'FelixConfiguration', metadata: {name: 'default'}, spec: {iptablesRefreshInterval: `${RESYNC_S}s`, iptablesBackend: 'NFT'}})
    await client.create({apiVersion: API, kind: 'Tier', metadata: {name: 'security'}, spec: {order: 100}})

    sh('ip', 'netns', 'add', HOST_NS)
    cleanup.namespace(HOST_NS)
    inNs(HOST_NS, 'ip', 'link', 'set', 'lo', 'up')
    // An uplink with the host's address and a default route, as on a real host: proxy ARP only
    // answers for 169.254.1.1 when the host has a route to it through another interface.
    inNs(HOST_NS, 'ip', 'link', 'add', 'e2e-up0', 'type', 'veth', 'peer', 'name', 'e2e-up1')
    inNs(HOST_NS, 'ip', 'addr', 'add', `${HOST_IP}/24`, 'dev', 'e2e-up0')
    inNs(HOST_NS, 'ip', 'link', 'set', 'e2e-up0', 'up')
    inNs(HOST_NS, 'ip', 'link', 'set', 'e2e-up1', 'up')
    inNs(HOST_NS, 'ip', 'route', 'add', 'default', 'via', '10.200.0.254', 'dev', 'e2e-up0')
    for (const [i, w] of WORKLOADS.entries()) {
      workloads.push(await Workload.create(cleanup, HOST_NS, `ce2e-w${i + 1}-${process.pid}`, `calie2e${i + 1}`, w.ip, {tcp: TCP_PORT, udp: UDP_PORT}))
    }
    // Someone else's route down a cali interface (another protocol): the agent must leave it alone.
    inNs(HOST_NS, 'ip', 'route', 'add', '10.77.0.0/24', 'dev', 'calie2e3')

    // Nothing allowed yet: profiles without rules.
    await put(profile('ns-a', false), profile('ns-b', false), ...WORKLOADS.map(workloadEndpoint))

    const log = openSync(agentLog, 'a')
    agent = spawn(
      'ip',
      ['netns', 'exec', HOST_NS, process.execPath, join(ROOT, 'bin', 'run.js'), 'node', 'run', '--dataplane=iptables', `--name=${NODE}`, `--ip=${HOST_IP}/32`, '--health-port=0', `--status-file=${statusFile}`, '--no-default-ippools'],
      {stdio: ['ignore', log, log], env: {...process.env, DATASTORE_TYPE: 'local', DATASTORE_DIR: join(dir, 'store')}},
    )
    closeSync(log)
    const child = agent
    cleanup.process(child)
    const ready = await waitFor(() => status().ready === true || child.exitCode !== null, 30_000)
    assert.ok(ready && child.exitCode === null, `the agent did not become ready:\n${agentLogTail()}`)
  })

  after(async () => {
    if (agent !== undefined && agent.exitCode === null) {
      const child = agent
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    }
    await datastore?.close()
    cleanup.runAll()
  })

  it('programs routes and interface sysctls; profiles without rules deny everything', async () => {
    assert.ok(
      await waitFor(() => calicoRoutes().length === 3, 10_000),
      `routes: ${calicoRoutes().join('; ')}`,
    )
    assert.deepEqual(calicoRoutes(), WORKLOADS.map((w, i) => `${w.ip} dev calie2e${i + 1} scope link`).sort())
    for (const i of [1, 2, 3]) {
      assert.equal(inNs(HOST_NS, 'cat', `/proc/sys/net/ipv4/conf/calie2e${i}/proxy_arp`).trim(), '1')
      assert.equal(inNs(HOST_NS, 'cat', `/proc/sys/net/ipv4/neigh/calie2e${i}/proxy_delay`).trim(), '0')
      assert.equal(inNs(HOST_NS, 'cat', `/proc/sys/net/ipv4/conf/calie2e${i}/rp_filter`).trim(), '1')
    }
    assert.equal(inNs(HOST_NS, 'cat', '/proc/sys/net/ipv4/ip_forward').trim(), '1')
    const verdicts = await assertMatrix('no policy, empty profiles')
    assert.ok(verdicts.every((v) => !v))
  })

  it('no policy, allow-all profiles: everything connects', async () => {
    await put(profile('ns-a', true), profile('ns-b', true))
    const verdicts = await assertMatrix('allow-all profiles')
    assert.ok(verdicts.every((v) => v))
  })

  it('a Deny/Allow policy pair in order, and a namespaced allow', async () => {
    await clearPolicies()
    await put(
      gnp('deny-db-udp', {order: 10, selector: 'role == "db"', types: ['Ingress'], ingress: [{action: 'Deny', protocol: 'UDP'}]}),
      gnp('allow-db', {order: 20, selector: 'role == "db"', types: ['Ingress'], ingress: [{action: 'Allow'}]}),
      np('ns-a', 'backend-from-frontend', {order: 30, selector: 'role == "backend"', types: ['Ingress'], ingress: [{action: 'Allow', protocol: 'TCP', source: {selector: 'role == "frontend"'}}]}),
    )
    const verdicts = await assertMatrix('deny/allow pair')
    assert.ok(verdicts.some((v) => v) && verdicts.some((v) => !v))
  })

  it('Pass across two tiers', async () => {
    await clearPolicies()
    await put(
      gnp('security.pass-frontend', {
        tier: 'security',
        order: 10,
        selector: 'all()',
        types: ['Ingress'],
        ingress: [{action: 'Pass', source: {selector: 'role == "frontend"'}}, {action: 'Deny', protocol: 'ICMP'}],
      }),
      gnp('default.allow-tcp', {order: 10, selector: 'all()', types: ['Ingress'], ingress: [{action: 'Allow', protocol: 'TCP'}]}),
    )
    const verdicts = await assertMatrix('pass across tiers')
    assert.ok(verdicts.some((v) => v) && verdicts.some((v) => !v))
  })

  it('label and namespace selectors', async () => {
    await clearPolicies()
    await put(
      gnp('db-from-team-a-backend', {
        order: 10,
        selector: 'role == "db"',
        types: ['Ingress'],
        ingress: [{action: 'Allow', source: {namespaceSelector: 'team == "a"', selector: 'role in {"backend"}'}}],
      }),
      np('ns-a', 'frontend-from-ns-a', {order: 10, selector: 'role == "frontend"', types: ['Ingress', 'Egress'], ingress: [{action: 'Allow', source: {selector: 'all()'}}], egress: [{action: 'Allow', destination: {notSelector: 'role == "db"'}}]}),
    )
    const verdicts = await assertMatrix('label and namespace selectors')
    assert.ok(verdicts.some((v) => v) && verdicts.some((v) => !v))
  })

  it('fault: flushed cali- chains and a deleted route are repaired within one resync', async () => {
    const programmed = caliRules()
    const chains = programmed
      .split('\n')
      .filter((l) => l.startsWith(':cali-'))
      .map((l) => l.slice(1).split(' ')[0])
    assert.ok(chains.length > 5)
    for (const chain of chains) inNs(HOST_NS, 'iptables-nft', '-F', chain)
    inNs(HOST_NS, 'ip', 'route', 'del', `${WORKLOADS[1].ip}/32`)
    assert.notEqual(caliRules(), programmed)
    const flushedAt = Date.now()
    const repaired = await waitFor(() => caliRules() === programmed && calicoRoutes().length === 3, (RESYNC_S + 4) * 1000)
    assert.ok(repaired, `not repaired within ${RESYNC_S + 4} s:\n${caliRules()}`)
    assert.ok(Date.now() - flushedAt <= (RESYNC_S + 4) * 1000)
    await assertMatrix('after repair')
  })

  it('a removed endpoint loses its route; routes that are not Calico stay', async () => {
    await remove(workloadEndpoint(WORKLOADS[2], 2))
    assert.ok(await waitFor(() => calicoRoutes().length === 2, 10_000), calicoRoutes().join('; '))
    assert.match(inNs(HOST_NS, 'ip', '-4', 'route', 'show', 'dev', 'calie2e3'), /^10\.77\.0\.0\/24 /m)
  })
})
