/**
 * `calicoctl node run` started before its datastore (a real etcd, started late), in a network
 * namespace playing the host, with the real iptables dataplane:
 *
 * - while etcd is down the agent stays up, logs one line per attempt (endpoints and cause, no
 *   stack) with a growing pause, reports not ready with the reason on /readiness and in the status
 *   file, and touches nothing in the kernel;
 * - once etcd is up it registers the Node, creates ClusterInformation and the default pool, and
 *   programs the endpoints and policies written afterwards; /metrics (scraped from inside the
 *   namespace) shows the dataplane's figures moving with the applies;
 * - an unknown iptablesBackend written while it runs makes it not ready with the reason and leaves
 *   the rules in place; fixing it makes it ready again; SIGTERM ends it with exit 0.
 *
 * Needs root, iproute2, iptables-nft, ipset, etcd: it FAILS (never skips) without them.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import type {Resource} from '../../src/api/resource.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {RESOURCE_PREFIX, ResourceClient} from '../../src/datastore/resources.js'
import {EtcdServer} from '../datastore/etcd/server.js'
import {forwardInNetns, UnixBridge} from './support/bridge.js'
import {Cleanup, inNs, sh, waitFor} from './support/netns.js'

const ROOT = join(import.meta.dirname, '..', '..')
const API = 'projectcalico.org/v3'
const NODE = 'late-etcd-host'
const IFACE = 'calilate1'
const ETCD_PORT_IN_NS = 2379
const HEALTH_PORT = 9099
const METRICS_PORT = 9091

interface LogLine {
  level: number
  msg: string
  err?: string
  retryInMs?: number
  stack?: unknown
}

describe('node agent start-up with etcd down, etcd started late (root)', () => {
  const cleanup = new Cleanup()
  const ns = `ce2e-st-h-${process.pid}`
  let dir = ''
  let agentLog = ''
  let statusFile = ''
  let agent: ChildProcess | undefined
  let exited: Promise<number | null> | undefined
  let etcd: EtcdServer | undefined
  let datastore: Datastore | undefined
  let client: ResourceClient

  const logLines = (): LogLine[] =>
    readFileSync(agentLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine)
  const logTail = () => readFileSync(agentLog, 'utf8').split('\n').slice(-30).join('\n')
  const status = (): {ready?: boolean; notReady?: string[]} => {
    try {
      return JSON.parse(readFileSync(statusFile, 'utf8')) as {ready?: boolean; notReady?: string[]}
    } catch {
      return {}
    }
  }
  /** GET from inside the namespace (the agent's servers listen on its loopback). */
  const get = (port: number, path: string): {status: number; body: string} => {
    const script = `fetch('http://127.0.0.1:${port}${path}').then(async (r) => process.stdout.write(JSON.stringify({status: r.status, body: await r.text()})), (e) => process.stdout.write(JSON.stringify({status: 0, body: String(e)})))`
    return JSON.parse(inNs(ns, process.execPath, '-e', script)) as {status: number; body: string}
  }
  const sample = (text: string, name: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    return line === undefined ? undefined : Number(line.split(' ').at(-1))
  }
  const filterTable = () => inNs(ns, 'iptables-nft-save', '-t', 'filter')
  const caliChains = () =>
    filterTable()
      .split('\n')
      .filter((l) => l.startsWith(':cali-'))
      .map((l) => l.slice(1).split(' ')[0])

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'this test must run as root (CI does)')
    for (const tool of ['ip', 'iptables-nft-save', 'ipset', 'etcd']) assert.doesNotThrow(() => sh('sh', '-c', `command -v ${tool}`), `${tool} is missing: run scripts/ensure-system-packages.mjs`)
    assert.doesNotThrow(() => readFileSync(join(ROOT, 'dist', 'commands', 'node', 'run.js')), 'dist/ is missing: run npm run build')
    dir = mkdtempSync(join(tmpdir(), 'agent-e2e-st-'))
    cleanup.directory(dir)
    agentLog = join(dir, 'agent.log')
    statusFile = join(dir, 'status.json')
    sh('ip', 'netns', 'add', ns)
    cleanup.namespace(ns)
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up')
    inNs(ns, 'ip', 'link', 'add', IFACE, 'type', 'veth', 'peer', 'name', 'latepeer1')
    for (const link of [IFACE, 'latepeer1']) inNs(ns, 'ip', 'link', 'set', link, 'up')
    // The agent's etcd endpoint inside the namespace leads to a Unix socket nobody listens on yet.
    await forwardInNetns(cleanup, ns, ETCD_PORT_IN_NS, join(dir, 'etcd.sock'))
  })

  after(async () => {
    if (agent !== undefined && agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGTERM')
      const timer = setTimeout(() => agent?.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await datastore?.close().catch(() => undefined)
    await etcd?.destroy()
    cleanup.runAll()
  })

  it('waits for the datastore: up, one line per attempt with a growing pause, not ready with the reason, kernel untouched', async () => {
    const log = openSync(agentLog, 'a')
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, join(ROOT, 'bin', 'run.js'), 'node', 'run', '--dataplane=iptables', `--name=${NODE}`, '--ip=10.201.0.1/32', `--health-port=${HEALTH_PORT}`, `--metrics-port=${METRICS_PORT}`, `--status-file=${statusFile}`],
      {stdio: ['ignore', log, log], env: {...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: `http://127.0.0.1:${ETCD_PORT_IN_NS}`}},
    )
    closeSync(log)
    agent = child
    cleanup.process(child)
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))

    const attempts = () => logLines().filter((l) => l.msg === 'cannot reach the datastore at start-up; retrying')
    assert.ok(await waitFor(() => attempts().length >= 3 || child.exitCode !== null, 40_000), `fewer than three attempts logged:\n${logTail()}`)
    assert.equal(child.exitCode, null, `the agent exited while etcd was down:\n${logTail()}`)
    for (const line of attempts()) {
      assert.equal(line.level, 40)
      assert.match(line.err ?? '', new RegExp(`^etcd is unreachable at http://127\\.0\\.0\\.1:${ETCD_PORT_IN_NS}: \\S`), JSON.stringify(line))
      assert.equal(line.stack, undefined)
    }
    assert.deepEqual(
      attempts()
        .slice(0, 3)
        .map((l) => l.retryInMs),
      [1000, 2000, 4000],
    )
    assert.doesNotMatch(readFileSync(agentLog, 'utf8'), /\n\s+at /, 'no stack trace in the log')

    const readiness = get(HEALTH_PORT, '/readiness')
    assert.equal(readiness.status, 503)
    assert.match(readiness.body, /DatastoreConnection: datastore unavailable: etcd is unreachable at http:\/\/127\.0\.0\.1:2379/)
    assert.equal(get(HEALTH_PORT, '/liveness').status, 200)
    assert.equal(status().ready, false)
    assert.ok(status().notReady?.some((r) => r.includes('datastore unavailable')), JSON.stringify(status()))
    assert.deepEqual(caliChains(), [], 'nothing is programmed before the datastore answers')
  })

  it('carries on once etcd is up: Node, ClusterInformation, default pool, then endpoints and policy in the kernel', async () => {
    etcd = await EtcdServer.start()
    await UnixBridge.start(cleanup, join(dir, 'etcd.sock'), etcd.clientUrl)
    datastore = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: etcd.clientUrl})
    client = new ResourceClient(datastore)
    assert.ok(await waitFor(() => status().ready === true, 30_000), `not ready after etcd came up: ${JSON.stringify(status())}\n${logTail()}`)
    assert.equal(get(HEALTH_PORT, '/readiness').status, 200)
    assert.deepEqual((await client.get('Node', NODE)).spec, {bgp: {ipv4Address: '10.201.0.1/32'}})
    assert.equal(((await client.get('ClusterInformation', 'default')).spec as {datastoreReady?: boolean}).datastoreReady, true)
    assert.equal(((await client.get('IPPool', 'default-ipv4-ippool')).spec as {cidr?: string}).cidr, '192.168.0.0/16')
    assert.ok(caliChains().includes('cali-FORWARD'), filterTable())

    const metricsBefore = get(METRICS_PORT, '/metrics').body
    const restoresBefore = sample(metricsBefore, 'felix_iptables_restore_calls') ?? -1
    assert.ok(restoresBefore >= 1, metricsBefore)
    assert.equal(sample(metricsBefore, 'felix_resync_state'), 3)
    assert.equal(sample(metricsBefore, 'felix_cluster_num_hosts'), 1)

    const resources: Resource[] = [
      {apiVersion: API, kind: 'Profile', metadata: {name: 'kns.late'}, spec: {ingress: [{action: 'Allow'}], egress: [{action: 'Allow'}]}},
      {
        apiVersion: API,
        kind: 'WorkloadEndpoint',
        metadata: {name: 'late--etcd--host-k8s-w1-eth0', namespace: 'late', labels: {role: 'db'}},
        spec: {node: NODE, orchestrator: 'k8s', pod: 'w1', endpoint: 'eth0', interfaceName: IFACE, ipNetworks: ['10.65.9.1/32'], profiles: ['kns.late']},
      },
      {apiVersion: API, kind: 'GlobalNetworkPolicy', metadata: {name: 'db-from-web'}, spec: {selector: 'role == "db"', types: ['Ingress'], ingress: [{action: 'Allow', source: {selector: 'role == "web"'}}]}},
    ]
    for (const resource of resources) await client.create(resource)
    assert.ok(
      await waitFor(() => caliChains().some((c) => c.startsWith('cali-tw-')) && caliChains().some((c) => c.startsWith('cali-pi-')), 15_000),
      `endpoint or policy chain missing:\n${filterTable()}\n${logTail()}`,
    )
    assert.ok(await waitFor(() => (sample(get(METRICS_PORT, '/metrics').body, 'felix_ipsets_calico') ?? 0) >= 1, 10_000), 'the selector ipset is counted')
    const metricsAfter = get(METRICS_PORT, '/metrics').body
    assert.ok((sample(metricsAfter, 'felix_iptables_restore_calls') ?? 0) > restoresBefore, metricsAfter)
    assert.equal(sample(metricsAfter, 'felix_cluster_num_workload_endpoints'), 1)
    assert.equal(sample(metricsAfter, 'felix_cluster_num_policies'), 1)
    assert.ok((sample(metricsAfter, 'felix_int_dataplane_apply_time_seconds_count') ?? 0) >= 1)
    assert.ok(sample(metricsAfter, 'felix_route_table_num_routes') !== undefined)
    for (const name of ['felix_iptables_save_calls', 'felix_ipset_calls', 'felix_iptables_chains', 'felix_iptables_rules', 'felix_iptables_lines_executed']) {
      assert.ok((sample(metricsAfter, name) ?? 0) > 0, `${name}:\n${metricsAfter}`)
    }
    assert.ok((sample(metricsAfter, 'felix_iptables_lines_executed') ?? 0) > (sample(metricsBefore, 'felix_iptables_lines_executed') ?? 0), 'more lines after the new chains')
    assert.equal(sample(metricsAfter, 'felix_iptables_restore_errors'), 0)
  })

  it('an unknown iptablesBackend while running: not ready with the reason, rules kept; fixed: ready again', async () => {
    const before = filterTable()
      .split('\n')
      .filter((l) => l.includes('cali'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    // The API refuses the value, so write it as another tool could: straight into etcd.
    const key = `${RESOURCE_PREFIX}felixconfigurations/default`
    await datastore?.create(key, JSON.stringify({kind: 'FelixConfiguration', apiVersion: API, metadata: {name: 'default', uid: 'e2e-felixconfig', creationTimestamp: new Date().toISOString()}, spec: {iptablesBackend: 'bogus'}}))
    assert.ok(
      await waitFor(() => status().ready === false && (status().notReady ?? []).some((r) => r.includes('bogus')), 15_000),
      `no readiness failure for the bad backend: ${JSON.stringify(status())}\n${logTail()}`,
    )
    const readiness = JSON.parse(get(HEALTH_PORT, '/readiness').body) as {reasons?: string[]}
    assert.deepEqual(readiness.reasons, ['InternalDataplaneMainLoop: dataplane apply failed: unknown iptablesBackend "bogus" (expected Auto, NFT or Legacy)'])
    assert.equal(agent?.exitCode, null, 'the agent must not exit')
    const during = filterTable()
      .split('\n')
      .filter((l) => l.includes('cali'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    assert.deepEqual(during, before, 'the rules stay while the configuration is bad')

    const kv = await datastore?.get(key)
    assert.ok(kv)
    await datastore?.update(key, kv.value.replace('"bogus"', '"NFT"'), kv.modRevision)
    assert.ok(await waitFor(() => status().ready === true, 20_000), `not ready after the fix: ${JSON.stringify(status())}\n${logTail()}`)
  })

  it('SIGTERM: exits 0 and removes its status file', async () => {
    agent?.kill('SIGTERM')
    assert.equal(await exited, 0, logTail())
    assert.deepEqual(status(), {})
  })
})
