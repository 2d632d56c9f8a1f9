// calico-node's start-up steps: node registration, ClusterInformation, the default pool only when
// the cluster has no IPv4 pool.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {defaultIPv4Pool, ensureClusterDefaults, registerNode} from '../../src/agent/startup.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {tempStore, type TempStore} from './support.js'

describe('agent start-up', () => {
  let store: TempStore
  let datastore: Datastore
  let client: ResourceClient

  before(async () => {
    store = tempStore()
    datastore = await store.open()
    client = new ResourceClient(datastore)
  })
  after(async () => {
    await datastore.close()
    store.cleanup()
  })

  it('creates ClusterInformation, the default tiers and the default pool on an empty cluster', async () => {
    assert.equal(await ensureClusterDefaults(client, {calicoVersion: 'v3.32.1', env: {}}), true)
    const info = await client.get('ClusterInformation', 'default')
    assert.equal((info.spec as {calicoVersion?: string}).calicoVersion, 'v3.32.1')
    assert.equal((info.spec as {datastoreReady?: boolean}).datastoreReady, true)
    await client.get('Tier', 'default')
    const pool = await client.get('IPPool', 'default-ipv4-ippool')
    const spec = pool.spec as {cidr: string; natOutgoing: boolean; blockSize: number; nodeSelector: string}
    assert.equal(spec.cidr, '192.168.0.0/16')
    assert.equal(spec.natOutgoing, true)
    assert.equal(spec.blockSize, 26)
    assert.equal(spec.nodeSelector, 'all()')
  })

  it('does not create a pool when an IPv4 pool exists, and is idempotent', async () => {
    await client.delete('IPPool', 'default-ipv4-ippool')
    await client.create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name: 'mine'}, spec: {cidr: '10.244.0.0/16'}})
    assert.equal(await ensureClusterDefaults(client, {calicoVersion: 'v3.32.1', env: {CALICO_IPV4POOL_CIDR: '10.50.0.0/16'}}), false)
    const pools = await client.list('IPPool')
    assert.deepEqual(pools.items.map((p) => p.metadata.name), ['mine'])
    const clusterGUID = ((await client.get('ClusterInformation', 'default')).spec as {clusterGUID: string}).clusterGUID
    await ensureClusterDefaults(client, {calicoVersion: 'v3.32.1'})
    assert.equal(((await client.get('ClusterInformation', 'default')).spec as {clusterGUID: string}).clusterGUID, clusterGUID)
  })

  it('honours --no-default-ippools and CALICO_IPV4POOL_* variables', async () => {
    await client.delete('IPPool', 'mine')
    assert.equal(await ensureClusterDefaults(client, {calicoVersion: 'v3.32.1', noDefaultPools: true}), false)
    assert.equal((await client.list('IPPool')).items.length, 0)
    const pool = defaultIPv4Pool({CALICO_IPV4POOL_CIDR: '10.50.0.0/16', CALICO_IPV4POOL_BLOCK_SIZE: '24', CALICO_IPV4POOL_NAT_OUTGOING: 'false'})
    assert.deepEqual(
      {...(pool.spec as object)},
      {cidr: '10.50.0.0/16', ipipMode: 'Always', vxlanMode: 'Never', natOutgoing: false, blockSize: 24, nodeSelector: 'all()'},
    )
  })

  it('creates the Node, then updates only what changed, keeping other fields', async () => {
    const created = await registerNode(client, {nodeName: 'host-a', ipv4Address: '10.0.0.5/24'})
    assert.deepEqual(created.spec, {bgp: {ipv4Address: '10.0.0.5/24'}})
    const same = await registerNode(client, {nodeName: 'host-a', ipv4Address: '10.0.0.5/24'})
    assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion)
    const node = await client.get('Node', 'host-a')
    await client.update({...node, spec: {...(node.spec as object), bgp: {ipv4Address: '10.0.0.5/24', routeReflectorClusterID: '224.0.0.1'}}})
    const moved = await registerNode(client, {nodeName: 'host-a', ipv4Address: '10.0.0.6/24', asNumber: 64512})
    assert.deepEqual(moved.spec, {bgp: {ipv4Address: '10.0.0.6/24', routeReflectorClusterID: '224.0.0.1', asNumber: 64512}})
    assert.equal(moved.metadata.uid, created.metadata.uid)
  })

  it('two agents registering at once leave one Node', async () => {
    await Promise.all([registerNode(client, {nodeName: 'host-b', ipv4Address: '10.0.0.7/24'}), registerNode(client, {nodeName: 'host-b', ipv4Address: '10.0.0.7/24'})])
    assert.equal((await client.list('Node')).items.filter((n) => n.metadata.name === 'host-b').length, 1)
  })
})

describe('dataplane factory', () => {
  it('builds the iptables dataplane for "iptables" (nothing runs until an apply) and a null one for "none"', async () => {
    const {createDataplane, NullDataplane} = await import('../../src/agent/dataplane-factory.js')
    const {IptablesDataplane} = await import('../../src/dataplane/index.js')
    const real = createDataplane('iptables')
    assert.ok(real instanceof IptablesDataplane)
    await real.close()
    const none = createDataplane('none')
    assert.ok(none instanceof NullDataplane)
    none.onUpdate({type: 'InSync'})
    await none.apply()
    assert.deepEqual([none.messages, none.applies], [1, 1])
  })
})
