// The agent in-process when things go wrong: the datastore away at start-up (retries with a
// bounded backoff, one log line per attempt, not ready with the reason, then a normal start),
// configuration that can never work (one line, no retry), the liveness watchdog (a stuck apply
// turns /liveness 503 naming InternalDataplaneMainLoop), a failing apply retried with a growing
// backoff, and the metrics as a scrape of the real /metrics endpoint shows them.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {AgentStartAborted, AgentStartError, startAgent, type AgentOptions, type RunningAgent} from '../../src/agent/agent.js'
import {processConfig} from '../../src/agent/config.js'
import {HealthAggregator} from '../../src/agent/health.js'
import {canAdministerNetwork, missingTools, toolFindings} from '../../src/agent/preflight.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {RESOURCE_PREFIX, ResourceClient} from '../../src/datastore/resources.js'
import {RecordingDataplane} from '../../src/dataplane/recording.js'
import {eventually, FlakyDatastore, GatedDataplane, gnp, tempStore, wep, type TempStore} from './support.js'

const NODE = 'node1'

async function probe(port: number, path: string): Promise<{status: number; body: string}> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return {status: res.status, body: await res.text()}
}

/** One metric sample from a Prometheus text exposition (undefined when absent). */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

interface LogLine {
  level: number
  msg: string
  err?: string
  attempt?: number
  retryInMs?: number
  stack?: unknown
}

function harness() {
  const lines: string[] = []
  return {
    lines,
    logs: () => lines.map((l) => JSON.parse(l) as LogLine),
    sink: {write: (line: string) => void lines.push(line)},
  }
}

const baseOptions = (datastore: Datastore, dataplane: RecordingDataplane, sink: {write(line: string): void}): AgentOptions => ({
  datastore,
  dataplane,
  nodeName: NODE,
  ip: '10.1.2.3/24',
  calicoVersion: 'v3.32.1',
  healthPort: 0,
  metricsPort: 0,
  logLevel: 'info',
  logSink: sink,
  resyncRetryMs: 50,
  applyRetryMs: 50,
  startupRetryMs: 20,
  startupRetryMaxMs: 80,
  env: {},
})

describe('agent start-up with the datastore away', () => {
  let store: TempStore
  let inner: Datastore
  let writer: Datastore
  let agent: RunningAgent | undefined

  beforeEach(async () => {
    store = tempStore()
    inner = await store.open()
    writer = await store.open()
  })
  afterEach(async () => {
    await agent?.stop()
    agent = undefined
    await writer.close()
    await inner.close()
    store.cleanup()
  })

  it('retries with a bounded backoff, one line per attempt, not ready with the reason; then starts normally', async () => {
    const flaky = new FlakyDatastore(inner)
    flaky.cut()
    const dataplane = new RecordingDataplane()
    const log = harness()
    let healthPort = -1
    const statusFile = join(store.dir, 'status.json')
    const starting = startAgent({...baseOptions(flaky, dataplane, log.sink), statusFile, onHealthListening: (port) => (healthPort = port)})
    let settled = false
    void starting.then(
      () => (settled = true),
      () => (settled = true),
    )
    await eventually('five failed attempts', () => log.logs().filter((l) => l.msg.includes('cannot reach the datastore')).length >= 5)
    assert.equal(settled, false, 'start-up gave up while the datastore was away')
    const readiness = await probe(healthPort, '/readiness')
    assert.equal(readiness.status, 503)
    assert.match(readiness.body, /DatastoreConnection: datastore unavailable: connection refused/)
    assert.equal((await probe(healthPort, '/liveness')).status, 200, 'waiting for the datastore is not a liveness failure')
    const status = JSON.parse(readFileSync(statusFile, 'utf8')) as {ready: boolean; notReady: string[]}
    assert.equal(status.ready, false)
    assert.ok(status.notReady.some((r) => r.includes('datastore unavailable')), JSON.stringify(status))

    const attempts = log.logs().filter((l) => l.msg.includes('cannot reach the datastore'))
    for (const line of attempts) {
      assert.equal(line.level, 40)
      assert.equal(line.err, 'connection refused')
      assert.equal(line.stack, undefined)
    }
    assert.deepEqual(
      attempts.slice(0, 5).map((l) => l.retryInMs),
      [20, 40, 80, 80, 80],
      'the pause doubles from startupRetryMs and stops at startupRetryMaxMs',
    )
    assert.equal(dataplane.messages.length, 0, 'nothing reaches the dataplane before the datastore answers')

    flaky.restore()
    agent = await starting
    const other = new ResourceClient(writer)
    assert.deepEqual((await other.get('Node', NODE)).spec, {bgp: {ipv4Address: '10.1.2.3/24'}})
    await other.get('ClusterInformation', 'default')
    await other.get('IPPool', 'default-ipv4-ippool')
    assert.equal(agent.healthPort, healthPort, 'the health server keeps its port')
    await eventually('ready once the datastore answers', async () => (await probe(healthPort, '/readiness')).status === 200)
    await other.create(wep('server', NODE, '10.65.0.2'))
    await eventually('a later write reaches the dataplane', () => dataplane.messages.some((m) => m.type === 'WorkloadEndpointUpdate'))
  })

  it('gives up quietly when stopped while waiting, closing the health server', async () => {
    const flaky = new FlakyDatastore(inner)
    flaky.cut()
    const log = harness()
    const aborter = new AbortController()
    let healthPort = -1
    const starting = startAgent({...baseOptions(flaky, new RecordingDataplane(), log.sink), signal: aborter.signal, onHealthListening: (port) => (healthPort = port)})
    await eventually('an attempt failed', () => log.lines.length > 0)
    aborter.abort()
    await assert.rejects(starting, AgentStartAborted)
    await assert.rejects(fetch(`http://127.0.0.1:${healthPort}/readiness`))
  })

  it('refuses an unknown iptables backend in FelixConfiguration or the environment with one line, without retrying', async () => {
    const client = new ResourceClient(writer)
    await client.create({apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: {name: 'default'}, spec: {iptablesBackend: 'NFT'}})
    // The API refuses the value, so write it as another tool could: straight into the store.
    const key = `${RESOURCE_PREFIX}felixconfigurations/default`
    const kv = await writer.get(key)
    assert.ok(kv)
    await writer.update(key, kv.value.replace('"NFT"', '"bogus"'), kv.modRevision)
    const log = harness()
    await assert.rejects(startAgent(baseOptions(inner, new RecordingDataplane(), log.sink)), (error: Error) => {
      assert.ok(error instanceof AgentStartError)
      assert.equal(error.message, 'FelixConfiguration "default" spec.iptablesBackend: unknown iptables backend "bogus" (expected Auto, NFT or Legacy)')
      return true
    })
    assert.equal(log.logs().filter((l) => l.msg.includes('cannot reach')).length, 0)

    await assert.rejects(startAgent({...baseOptions(inner, new RecordingDataplane(), log.sink), env: {FELIX_IPTABLESBACKEND: 'iptables'}}), {
      message: 'environment variable FELIX_IPTABLESBACKEND: unknown iptables backend "iptables" (expected Auto, NFT or Legacy)',
    })
    // Felix matches names and values case-insensitively; the environment beats the datastore.
    agent = await startAgent({...baseOptions(inner, new RecordingDataplane(), log.sink), env: {felix_IptablesBackend: 'Legacy'}})
    assert.equal(agent.config.iptablesBackend, 'legacy')
  })

  it('refuses to start when the dataplane programs are not on PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-path-'))
    try {
      symlinkSync(process.execPath, join(dir, 'node'))
      await assert.rejects(startAgent({...baseOptions(inner, new RecordingDataplane(), harness().sink), requireTools: true, env: {PATH: dir, FELIX_IPTABLESBACKEND: 'nft'}}), {
        message: 'Cannot run the iptables dataplane: ip, ipset, sysctl, iptables-nft-save, iptables-nft-restore not found on PATH',
      })
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('preflight and configuration', () => {
  it('finds programs on PATH only, and picks a complete iptables pair for auto', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-tools-'))
    try {
      for (const tool of ['ip', 'ipset', 'sysctl', 'iptables-legacy-save', 'iptables-legacy-restore', 'iptables-nft-save']) symlinkSync('/bin/true', join(dir, tool))
      mkdirSync(join(dir, 'sub'))
      assert.deepEqual(missingTools('auto', dir), [], 'the complete legacy pair is used when the nft pair is incomplete')
      assert.deepEqual(missingTools('nft', dir), ['iptables-nft-restore'])
      assert.deepEqual(
        toolFindings('legacy', dir).map((t) => `${t.name}=${t.found}`),
        ['ip=true', 'ipset=true', 'sysctl=true', 'iptables-legacy-save=true', 'iptables-legacy-restore=true'],
      )
      assert.deepEqual(missingTools('legacy', join(dir, 'sub')).length, 5)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('reads CAP_NET_ADMIN from the effective capability set', () => {
    if (process.geteuid?.() === 0) {
      assert.equal(canAdministerNetwork('CapEff:\t0000000000000000\n'), true, 'root needs no capability')
      return
    }
    assert.equal(canAdministerNetwork('CapEff:\t0000000000001000\n'), true)
    assert.equal(canAdministerNetwork('CapEff:\t0000000000000000\n'), false)
  })

  it('resolves liveness timeouts: defaults, dataplaneWatchdogTimeout, healthTimeoutOverrides, env over datastore', () => {
    assert.deepEqual(processConfig({nodeName: 'n'}, {}).healthTimeouts, {CalculationGraph: 30_000, InternalDataplaneMainLoop: 90_000})
    const sources = {nodeName: 'n', global: {dataplaneWatchdogTimeout: '1m'}, node: {healthTimeoutOverrides: [{name: 'CalculationGraph', timeout: '45s'}]}}
    assert.deepEqual(processConfig(sources, {}).healthTimeouts, {CalculationGraph: 45_000, InternalDataplaneMainLoop: 60_000})
    assert.deepEqual(processConfig(sources, {}, {FELIX_DATAPLANEWATCHDOGTIMEOUT: '2.5', FELIX_HEALTHTIMEOUTOVERRIDES: 'CalculationGraph=3s,Other=1s'}).healthTimeouts, {
      CalculationGraph: 3000,
      InternalDataplaneMainLoop: 2500,
      Other: 1000,
    })
    assert.throws(() => processConfig({nodeName: 'n', node: {dataplaneWatchdogTimeout: 'soon'}}, {}), {
      message: 'FelixConfiguration "node.n" spec.dataplaneWatchdogTimeout: invalid duration "soon" (expected e.g. 90s, or seconds)',
    })
  })

  it('a reporter that stops reporting past its timeout is not live, and says so', () => {
    let now = 1000
    const clock = {now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined}
    const health = new HealthAggregator(clock)
    health.report('InternalDataplaneMainLoop', {live: true, ready: true, reason: ''})
    health.setTimeout('InternalDataplaneMainLoop', 5000)
    now += 5000
    assert.equal(health.live, true)
    now += 1
    assert.equal(health.live, false)
    assert.equal(health.ready, false)
    assert.deepEqual(health.notLiveReasons(), ['InternalDataplaneMainLoop: no report for 5.0s (timeout 5s)'])
    health.heartbeat('InternalDataplaneMainLoop')
    assert.equal(health.live, true)
  })
})

describe('agent while running: watchdog, apply retries, metrics', () => {
  let store: TempStore
  let inner: Datastore
  let writer: Datastore
  let other: ResourceClient
  let dataplane: GatedDataplane
  let agent: RunningAgent
  const log = harness()

  before(async () => {
    store = tempStore()
    inner = await store.open()
    writer = await store.open()
    other = new ResourceClient(writer)
    await other.create({apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: {name: 'default'}, spec: {dataplaneWatchdogTimeout: '2s'}})
    dataplane = new GatedDataplane()
    agent = await startAgent(baseOptions(inner, dataplane, log.sink))
    await eventually('ready', async () => (await probe(agent.healthPort, '/readiness')).status === 200)
  })
  after(async () => {
    dataplane.open()
    await agent.stop()
    await writer.close()
    await inner.close()
    store.cleanup()
  })

  it('stays live while idle for longer than the watchdog timeout', async () => {
    assert.equal(agent.config.healthTimeouts.InternalDataplaneMainLoop, 2000)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    assert.equal((await probe(agent.healthPort, '/liveness')).status, 200)
  })

  it('turns /liveness 503 naming InternalDataplaneMainLoop when an apply never returns, and recovers when it does', async () => {
    dataplane.hold()
    await other.create(wep('stuck', NODE, '10.65.0.9'))
    await eventually('liveness fails', async () => (await probe(agent.healthPort, '/liveness')).status === 503, 5000)
    const body = (await probe(agent.healthPort, '/liveness')).body
    assert.match(body, /"InternalDataplaneMainLoop: no report for \d+\.\ds \(timeout 2s\)"/)
    assert.doesNotMatch(body, /"CalculationGraph: /, 'only the stuck loop is blamed')
    await eventually('the watchdog logs it', () => log.logs().some((l) => l.msg.startsWith('watchdog: a main loop has stopped reporting')))
    dataplane.open()
    await eventually('live again', async () => (await probe(agent.healthPort, '/liveness')).status === 200)
    await eventually('ready again', async () => (await probe(agent.healthPort, '/readiness')).status === 200)
  })

  it('retries a failing apply with a growing backoff, not ready with the reason meanwhile, then ready', async () => {
    const before = log.lines.length
    dataplane.failures = 4
    await other.create(wep('retry', NODE, '10.65.0.10'))
    await eventually('not ready with the reason', async () => /dataplane apply failed: iptables-restore: exit status 4/.test((await probe(agent.healthPort, '/readiness')).body))
    await eventually('ready after the retries', async () => (await probe(agent.healthPort, '/readiness')).status === 200, 10_000)
    const retries = log
      .logs()
      .slice(before)
      .filter((l) => l.msg.startsWith('dataplane apply failed'))
      .map((l) => l.retryInMs)
    assert.deepEqual(retries, [50, 100, 200, 400])
  })

  it('exports Felix metrics on /metrics, and they follow the datastore and the applies', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).text()
    const first = await scrape()
    for (const name of ['felix_cluster_num_hosts', 'felix_cluster_num_workload_endpoints', 'felix_cluster_num_policies', 'felix_cluster_num_tiers', 'felix_resync_state', 'felix_int_dataplane_failures']) {
      assert.notEqual(sample(first, name), undefined, `${name} missing:\n${first}`)
    }
    assert.equal(sample(first, 'felix_resync_state'), 3)
    assert.equal(sample(first, 'felix_cluster_num_hosts'), 1)
    assert.equal(sample(first, 'felix_int_dataplane_failures'), 4)
    const weps = sample(first, 'felix_cluster_num_workload_endpoints') ?? -1
    const policies = sample(first, 'felix_cluster_num_policies') ?? -1
    const applies = sample(first, 'felix_int_dataplane_apply_time_seconds_count') ?? -1
    const calcUpdates = sample(first, 'felix_calc_graph_update_time_seconds_count') ?? -1
    assert.ok(sample(first, 'felix_int_dataplane_initial_resync_time_seconds') !== undefined)

    await other.create(gnp('allow-clients', 'role == "server"'))
    await other.create(wep('more', NODE, '10.65.0.11'))
    await eventually('the counts follow', async () => {
      const text = await scrape()
      return sample(text, 'felix_cluster_num_workload_endpoints') === weps + 1 && sample(text, 'felix_cluster_num_policies') === policies + 1
    })
    await other.delete('WorkloadEndpoint', `${NODE}-k8s-more-eth0`, 'default')
    await eventually('a deletion is counted', async () => sample(await scrape(), 'felix_cluster_num_workload_endpoints') === weps)
    // The recording dataplane has no status(): no iptables figures rather than made-up zeros.
    assert.doesNotMatch(await scrape(), /^felix_(iptables|ipset|route_table)/m)
    await eventually('more applies and calc updates are timed', async () => {
      const text = await scrape()
      return (sample(text, 'felix_int_dataplane_apply_time_seconds_count') ?? 0) >= applies + 2 && (sample(text, 'felix_calc_graph_update_time_seconds_count') ?? 0) >= calcUpdates + 2
    })
  })
})
