// The agent in-process: local store, recording dataplane, real health server. Writes made through
// a second connection to the store (as another calicoctl process would) must reach the dataplane
// as CalcMessages; readiness follows the first apply; a datastore outage leaves the dataplane alone
// and the agent converges when the store comes back.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {startAgent, type RunningAgent} from '../../src/agent/agent.js'
import {silentLogger} from '../../src/agent/log.js'
import type {CalcMessage} from '../../src/calc/index.js'
import {CompactedError, type Datastore} from '../../src/datastore/datastore.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {eventually, FlakyDatastore, GatedDataplane, gnp, tempStore, wep, type TempStore} from './support.js'

const NODE = 'node1'

async function probe(port: number, path: string): Promise<{status: number; body: string}> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return {status: res.status, body: await res.text()}
}

const types = (messages: readonly CalcMessage[]) => messages.map((m) => m.type)

describe('node agent (in-process)', () => {
  let store: TempStore
  let inner: Datastore
  let flaky: FlakyDatastore
  let writer: Datastore
  let other: ResourceClient
  let dataplane: GatedDataplane
  let agent: RunningAgent
  let statusFile: string

  before(async () => {
    store = tempStore()
    inner = await store.open()
    flaky = new FlakyDatastore(inner)
    writer = await store.open()
    other = new ResourceClient(writer)
    dataplane = new GatedDataplane()
    dataplane.hold()
    statusFile = join(store.dir, 'run', 'agent-status.json')
    agent = await startAgent({
      datastore: flaky,
      dataplane,
      nodeName: NODE,
      ip: 'autodetect',
      interfaces: () => [
        {name: 'docker0', address: '172.17.0.1', cidr: '172.17.0.1/16'},
        {name: 'eth0', address: '10.1.2.3', cidr: '10.1.2.3/24'},
      ],
      calicoVersion: 'v3.32.1',
      healthPort: 0,
      metricsPort: 0,
      statusFile,
      logger: silentLogger(),
      resyncRetryMs: 50,
      applyRetryMs: 50,
      env: {},
    })
  })

  after(async () => {
    await agent.stop()
    await writer.close()
    await inner.close()
    store.cleanup()
  })

  it('registers the node with the autodetected address and initialises the cluster', async () => {
    assert.equal(agent.ipv4Address, '10.1.2.3/24')
    const node = await other.get('Node', NODE)
    assert.deepEqual(node.spec, {bgp: {ipv4Address: '10.1.2.3/24'}})
    await other.get('ClusterInformation', 'default')
    await other.get('IPPool', 'default-ipv4-ippool')
  })

  it('is live but not ready until the first apply completes, then ready', async () => {
    assert.equal((await probe(agent.healthPort, '/liveness')).status, 200)
    const before = await probe(agent.healthPort, '/readiness')
    assert.equal(before.status, 503)
    assert.match(before.body, /waiting for the first dataplane apply/)
    await eventually('the first flush reached the dataplane', () => dataplane.inSync)
    assert.equal(dataplane.applies.length, 0)
    dataplane.open()
    await eventually('ready after the first apply', async () => (await probe(agent.healthPort, '/readiness')).status === 200)
    assert.equal(types(dataplane.messages).filter((t) => t === 'InSync').length, 1)
    assert.equal(dataplane.messages.at(-1)?.type, 'InSync')
  })

  it("delivers another process's writes as CalcMessages, with counts in the status file and metrics", async () => {
    await other.create(gnp('allow-clients', 'role == "server"'))
    await other.create(wep('server', NODE, '10.65.0.2', {role: 'server'}))
    await other.create(wep('elsewhere', 'node2', '10.65.1.2', {role: 'client'}))
    await eventually('endpoint and policy in the dataplane', () => {
      const t = types(dataplane.messages)
      return t.includes('WorkloadEndpointUpdate') && t.includes('ActivePolicyUpdate')
    })
    const ipset = dataplane.messages.find((m) => m.type === 'IPSetUpdate')
    assert.ok(ipset && ipset.type === 'IPSetUpdate')
    assert.deepEqual(ipset.members, ['10.65.1.2/32'])
    await eventually('status file counts', () => {
      if (!existsSync(statusFile)) return false
      const status = JSON.parse(readFileSync(statusFile, 'utf8')) as {endpoints: number; policies: number; pid: number; lastApply?: string}
      return status.endpoints === 1 && status.policies === 1 && status.pid === process.pid && status.lastApply !== undefined
    })
    const metrics = await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).text()
    assert.match(metrics, /^felix_active_local_endpoints 1$/m)
    assert.match(metrics, /^felix_active_local_policies 1$/m)
    assert.match(metrics, /^felix_int_dataplane_apply_time_seconds_count \d+$/m)
    assert.match(metrics, /^felix_calc_graph_update_time_seconds_count \d+$/m)
  })

  it('keeps the last dataplane state while the datastore is away, and converges after', async () => {
    flaky.cut()
    await eventually('not ready while the datastore is away', async () => {
      const r = await probe(agent.healthPort, '/readiness')
      return r.status === 503 && /datastore unavailable/.test(r.body)
    })
    const seen = dataplane.messages.length
    await other.delete('WorkloadEndpoint', `${NODE}-k8s-server-eth0`, 'default')
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(dataplane.messages.length, seen, 'nothing reaches the dataplane while the datastore is away')
    flaky.restore()
    await eventually('the deletion made while away is applied', () => types(dataplane.messages.slice(seen)).includes('WorkloadEndpointRemove'))
    await eventually('ready again', async () => (await probe(agent.healthPort, '/readiness')).status === 200)
    const after = types(dataplane.messages.slice(seen))
    assert.ok(!after.includes('InSync'), 'InSync is sent once, not again after a resync')
    assert.ok(after.includes('ActivePolicyRemove'), 'the policy is no longer active without a local endpoint')
  })

  it('re-lists after a compacted watch without losing changes', async () => {
    const seen = dataplane.messages.length
    flaky.breakWatches(new CompactedError(1, 2))
    await other.create(wep('server2', NODE, '10.65.0.3', {role: 'server'}))
    await eventually('the endpoint written around the re-list arrives', () => types(dataplane.messages.slice(seen)).includes('WorkloadEndpointUpdate'))
  })

  it('reports a failed apply as not ready with the reason, and retries', async () => {
    dataplane.failNextApply = new Error('iptables-restore: exit status 4')
    await other.create(wep('server3', NODE, '10.65.0.4', {role: 'server'}))
    await eventually('not ready after the failed apply', async () => /iptables-restore: exit status 4/.test((await probe(agent.healthPort, '/readiness')).body))
    await eventually('ready after the retry', async () => (await probe(agent.healthPort, '/readiness')).status === 200)
  })

  it('shuts down cleanly: dataplane closed, status file removed, servers closed', async () => {
    const port = agent.healthPort
    await agent.stop()
    assert.equal(dataplane.closed, true)
    assert.equal(existsSync(statusFile), false)
    await assert.rejects(fetch(`http://127.0.0.1:${port}/liveness`))
  })
})
