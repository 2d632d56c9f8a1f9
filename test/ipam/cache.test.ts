/**
 * The long-lived allocator (IPAMClient {cache: true}) on the local store, whose watches are real:
 * a pool disabled, an address reserved, or a node relabelled by ANOTHER connection is honoured
 * once the client has seen the change (sync to its revision -- no sleeps, no timing); stale
 * last-known blocks only cost a retry (two clients racing on one host never share an address);
 * the handle and the block go out in one transaction, and `num` addresses come from one block write.
 * Also: pool namespaceSelector, and an affinity given up once its pool stops selecting the node
 * (ensureConsistentAffinity), on a caching and on a fresh client.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'

import type {Datastore, WriteOp} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {IPAMClient, IPAMInputError, netContainsAddr, parseAddr, parseNet, type Net} from '../../src/ipam/index.js'
import {checkInvariants} from './helpers/invariants.js'

const dirs: string[] = []
after(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

async function store(): Promise<{ds: Datastore; other: Datastore; resources: ResourceClient}> {
  const dir = mkdtempSync(join(tmpdir(), 'ipam-cache-'))
  dirs.push(dir)
  const ds = await createDatastore({datastoreType: 'local', localDir: dir})
  // A second connection, as another process would have: its writes reach `ds` only via watches.
  const other = await createDatastore({datastoreType: 'local', localDir: dir})
  const resources = new ResourceClient(other)
  await resources.ensureInitialized()
  return {ds, other, resources}
}

async function pool(resources: ResourceClient, name: string, cidr: string, spec: Record<string, unknown> = {}): Promise<void> {
  await resources.create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name}, spec: {cidr, blockSize: 29, ...spec}})
}

/** Updates a resource and returns the revision of the write. */
async function edit(resources: ResourceClient, kind: string, name: string, change: (res: Record<string, unknown>) => void): Promise<number> {
  const res = (await resources.get(kind, name)) as unknown as Record<string, unknown>
  change(res)
  const written = await resources.update(res as never)
  return Number(written.metadata.resourceVersion)
}

function inNet(ip: string, cidr: string): boolean {
  return netContainsAddr(parseNet(cidr) as Net, parseAddr(ip) as never)
}

describe('long-lived IPAM client', {timeout: 120_000}, () => {
  test('a pool disabled elsewhere is not used once the client has seen it', async () => {
    const {ds, other, resources} = await store()
    const ipam = new IPAMClient(ds, {cache: true})
    try {
      await pool(resources, 'a', '10.1.0.0/24')
      const first = await ipam.assign({host: 'n1', handleId: 'h1', num4: 1})
      assert.ok(inNet(first.v4[0].address, '10.1.0.0/24'))
      await pool(resources, 'b', '10.2.0.0/24')
      const revision = await edit(resources, 'IPPool', 'a', (res) => ((res.spec as Record<string, unknown>).disabled = true))
      await ipam.sync(revision)
      for (let i = 0; i < 5; i++) {
        const next = await ipam.assign({host: 'n1', handleId: `h2-${i}`, num4: 1})
        assert.ok(inNet(next.v4[0].address, '10.2.0.0/24'), `${next.v4[0].address} came from the disabled pool`)
      }
      await checkInvariants(ds)
    } finally {
      await ipam.close()
      await ds.close()
      await other.close()
    }
  })

  test('an address reserved elsewhere is never handed out once seen', async () => {
    const {ds, other, resources} = await store()
    const ipam = new IPAMClient(ds, {cache: true})
    try {
      await pool(resources, 'a', '10.3.0.0/28')
      await ipam.assign({host: 'n1', handleId: 'warm', num4: 1})
      const created = await resources.create({
        apiVersion: 'projectcalico.org/v3',
        kind: 'IPReservation',
        metadata: {name: 'r'},
        spec: {reservedCIDRs: ['10.3.0.4/30', '10.3.0.9']},
      })
      await ipam.sync(Number(created.metadata.resourceVersion))
      const got: string[] = []
      for (let i = 0; i < 10; i++) got.push(...(await ipam.assign({host: 'n1', handleId: `h${i}`, num4: 1})).v4.map((ip) => ip.address))
      for (const ip of got) assert.ok(!inNet(ip, '10.3.0.4/30') && ip !== '10.3.0.9', `reserved ${ip} handed out`)
      // 16 addresses, 5 reserved, 1 warm-up, 10 now: the pool is full.
      await assert.rejects(ipam.assign({host: 'n1', handleId: 'last', num4: 1}))
    } finally {
      await ipam.close()
      await ds.close()
      await other.close()
    }
  })

  test('stale last-known blocks only cost retries: two caching clients on one host share no address', async () => {
    const {ds, other, resources} = await store()
    const a = new IPAMClient(ds, {cache: true})
    const b = new IPAMClient(other, {cache: true})
    try {
      await pool(resources, 'a', '10.4.0.0/24')
      const got: string[] = []
      for (let i = 0; i < 40; i++) {
        const [x, y] = await Promise.all([
          a.assign({host: 'n1', handleId: `a${i}`, num4: 1 + (i % 3)}),
          b.assign({host: 'n1', handleId: `b${i}`, num4: 1}),
        ])
        got.push(...x.v4.map((ip) => ip.address), ...y.v4.map((ip) => ip.address))
        if (i % 7 === 0) await b.releaseByHandle(`a${i}`).then((ips) => ips.forEach((ip) => got.splice(got.indexOf(ip), 1)))
      }
      assert.equal(new Set(got).size, got.length, 'an address was handed out twice')
      const allocations = await checkInvariants(ds)
      assert.equal(allocations.size, got.length)
    } finally {
      await a.close()
      await b.close()
      await ds.close()
      await other.close()
    }
  })

  test('handle and block are written in one transaction; --num K comes from one block write', async () => {
    const {ds, other, resources} = await store()
    const batches: WriteOp[][] = []
    const counting = new Proxy(ds, {
      get(target, prop) {
        if (prop === 'transact' || prop === 'batch') {
          return (ops: WriteOp[]) => {
            batches.push(ops)
            return prop === 'batch' ? target.batch(ops) : target.transact(ops)
          }
        }
        const value = Reflect.get(target, prop) as unknown
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
    const ipam = new IPAMClient(counting, {cache: true})
    try {
      await pool(resources, 'a', '10.5.0.0/24')
      await ipam.assign({host: 'n1', handleId: 'warm', num4: 1})
      batches.length = 0
      const result = await ipam.assign({host: 'n1', handleId: 'many', num4: 5})
      assert.equal(result.v4.length, 5)
      assert.equal(batches.length, 1, 'one transaction for five addresses in one block')
      assert.deepEqual(
        batches[0].map((op) => op.op + ' ' + op.key.split('/')[4]),
        ['update assignment', 'create handle'],
      )
      await checkInvariants(ds)
    } finally {
      await ipam.close()
      await ds.close()
      await other.close()
    }
  })
})

describe('pool namespaceSelector', {timeout: 60_000}, () => {
  for (const cache of [false, true]) {
    test(`only pools selecting the namespace serve it${cache ? ' (caching client)' : ''}`, async () => {
      const {ds, other, resources} = await store()
      const ipam = new IPAMClient(ds, {cache})
      try {
        await pool(resources, 'blue', '10.6.0.0/24', {namespaceSelector: "team == 'blue'", allowedUses: ['Workload']})
        await pool(resources, 'prod', '10.7.0.0/24', {namespaceSelector: "kubernetes.io/metadata.name == 'prod'", allowedUses: ['Workload']})
        const blue = await ipam.assign({host: 'n1', handleId: 'b', num4: 1, namespace: {name: 'web', labels: {team: 'blue'}}})
        assert.ok(inNet(blue.v4[0].address, '10.6.0.0/24'))
        const prod = await ipam.assign({host: 'n1', handleId: 'p', num4: 1, namespace: {name: 'prod'}})
        assert.ok(inNet(prod.v4[0].address, '10.7.0.0/24'))
        await assert.rejects(ipam.assign({host: 'n1', handleId: 'x', num4: 1, namespace: {name: 'dev', labels: {team: 'red'}}}), (error: Error) => {
          assert.ok(error instanceof IPAMInputError)
          assert.equal(error.message, 'no configured Calico pools for node n1 and namespace dev')
          return true
        })
        // No namespace given: namespaceSelector is not consulted.
        const any = await ipam.assign({host: 'n1', handleId: 'any', num4: 1})
        assert.ok(inNet(any.v4[0].address, '10.6.0.0/24') || inNet(any.v4[0].address, '10.7.0.0/24'))
        await checkInvariants(ds)
      } finally {
        await ipam.close()
        await ds.close()
        await other.close()
      }
    })
  }
})

describe('affinity no longer valid (ensureConsistentAffinity)', {timeout: 60_000}, () => {
  for (const cache of [false, true]) {
    test(`a block whose pool stops selecting its node loses its affinity when emptied${cache ? ' (caching client)' : ''}`, async () => {
      const {ds, other, resources} = await store()
      const ipam = new IPAMClient(ds, {cache})
      try {
        await resources.create({apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: {name: 'n1', labels: {rack: 'a'}}, spec: {}})
        await pool(resources, 'rack-a', '10.8.0.0/24', {nodeSelector: "rack == 'a'"})
        await ipam.assign({host: 'n1', handleId: 'h1', num4: 1})
        await ipam.assign({host: 'n1', handleId: 'h2', num4: 1})
        const affinities = async () => (await ds.list('/calico/ipam/v2/host/n1/')).items.length
        assert.equal(await affinities(), 1)
        const revision = await edit(resources, 'Node', 'n1', (res) => ((res.metadata as Record<string, unknown>).labels = {rack: 'b'}))
        await ipam.sync(revision)
        // Still in use: the affinity stays while an address is allocated in the block.
        await ipam.releaseByHandle('h1')
        assert.equal(await affinities(), 1)
        await ipam.releaseByHandle('h2')
        assert.equal(await affinities(), 0, 'affinity kept although the pool no longer selects the node')
        assert.equal((await ds.list('/calico/ipam/v2/assignment/')).items.length, 0, 'empty block left behind')
        await checkInvariants(ds)
      } finally {
        await ipam.close()
        await ds.close()
        await other.close()
      }
    })
  }

  test('the same through releaseIPs', async () => {
    const {ds, other, resources} = await store()
    const ipam = new IPAMClient(ds)
    try {
      await pool(resources, 'a', '10.9.0.0/24')
      const got = await ipam.assign({host: 'n1', handleId: 'h', num4: 2})
      await edit(resources, 'IPPool', 'a', (res) => ((res.spec as Record<string, unknown>).nodeSelector = "rack == 'z'"))
      const outcome = await ipam.releaseIPs(got.v4.map((ip) => ({address: ip.address})))
      assert.equal(outcome.released.length, 2)
      assert.equal((await ds.list('/calico/ipam/v2/host/')).items.length, 0)
      await checkInvariants(ds)
    } finally {
      await ipam.close()
      await ds.close()
      await other.close()
    }
  })
})
