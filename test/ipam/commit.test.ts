/**
 * Group commit (src/ipam/commit.ts): concurrent assign() calls of one client share block writes.
 * Checked on the in-memory store (with injected conflicts) and on the real local store:
 *  - coalesced requests never share an address, each handle counts exactly its own, and far
 *    fewer transactions than requests are written;
 *  - a conflict inside a coalesced write is retried for every request of the group, and a
 *    handle that already exists (a wrong guess) is corrected from the failed transaction;
 *  - a group whose write fails for good fails all its requests and leaves nothing allocated
 *    for them, while the requests of other groups keep what they got.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'

import {type Datastore, UnavailableError, type WriteOp} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {IPAMClient, decodeHandle, handleKey} from '../../src/ipam/index.js'
import {checkInvariants} from './helpers/invariants.js'
import {MemoryDatastore} from './helpers/memory-datastore.js'

const dirs: string[] = []
after(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

/**
 * Wraps a store so its transactions can be counted and made to fail; each takes a few
 * milliseconds, as a round trip to a real store does, so concurrent requests queue behind it.
 */
function watched(ds: Datastore, fail: (call: number, ops: WriteOp[]) => boolean = () => false): {ds: Datastore; transactions: WriteOp[][]} {
  const transactions: WriteOp[][] = []
  const proxy = new Proxy(ds, {
    get(target, prop) {
      if (prop === 'transact') {
        return async (ops: WriteOp[]) => {
          transactions.push(ops)
          await new Promise((resolve) => setTimeout(resolve, 3))
          if (fail(transactions.length, ops)) throw new UnavailableError('etcd is unreachable (injected)')
          return target.transact(ops)
        }
      }
      const value = Reflect.get(target, prop) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
  return {ds: proxy, transactions}
}

async function withPool(ds: Datastore, cidr = '10.20.0.0/16'): Promise<void> {
  await new ResourceClient(ds).create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name: 'p'}, spec: {cidr}})
}

async function handleCount(ds: Datastore, id: string): Promise<number> {
  const kv = await ds.get(handleKey(id))
  return kv ? Object.values(decodeHandle(kv.value).block).reduce((a, b) => a + b, 0) : 0
}

describe('group commit of concurrent assignments', {timeout: 120_000}, () => {
  test('coalesced requests never share an address; each handle counts its own; fewer writes than requests', async () => {
    for (const cache of [false, true]) {
      const memory = new MemoryDatastore()
      await withPool(memory)
      const {ds, transactions} = watched(memory)
      const ipam = new IPAMClient(ds, {cache})
      const results = await Promise.all(Array.from({length: 150}, (_, i) => ipam.assign({host: 'n1', handleId: `h${i}`, num4: i % 3 === 0 ? 2 : 1})))
      const ips = results.flatMap((r) => r.v4.map((ip) => ip.address))
      assert.equal(ips.length, 200)
      assert.equal(new Set(ips).size, ips.length, 'an address was handed out twice')
      for (let i = 0; i < 150; i++) assert.equal(await handleCount(memory, `h${i}`), i % 3 === 0 ? 2 : 1)
      const allocations = await checkInvariants(memory)
      assert.equal(allocations.size, 200)
      assert.ok(transactions.length < 150 / 4, `${transactions.length} transactions for 150 requests`)
      await ipam.close()
    }
  })

  test('conflicts inside coalesced writes are retried for every request of the group', async () => {
    let state = 7
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32)
    const memory = new MemoryDatastore({conflictRate: 0.4, random})
    await withPool(memory)
    const ipam = new IPAMClient(memory)
    // Two requests under one handle, and a handle that already exists: the group's guesses about
    // handle records are wrong and must be corrected from the failed transaction.
    await ipam.assign({host: 'n1', handleId: 'shared', num4: 1})
    const results = await Promise.all([
      ...Array.from({length: 60}, (_, i) => ipam.assign({host: i % 2 === 0 ? 'n1' : 'n2', handleId: `c${i}`, num4: 1})),
      ipam.assign({host: 'n1', handleId: 'shared', num4: 2}),
      ipam.assign({host: 'n1', handleId: 'shared', num4: 1}),
    ])
    assert.ok(memory.injected > 0, 'conflicts were injected')
    const ips = results.flatMap((r) => r.v4.map((ip) => ip.address))
    assert.equal(ips.length, 63)
    assert.equal(new Set(ips).size, ips.length)
    assert.equal(await handleCount(memory, 'shared'), 4, 'the shared handle counts all four addresses')
    const allocations = await checkInvariants(memory)
    assert.equal(allocations.size, 64)
  })

  test('a group whose write fails gets nothing; other groups keep what they got (local store)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipam-commit-'))
    dirs.push(dir)
    const local = await createDatastore({datastoreType: 'local', localDir: dir})
    await new ResourceClient(local).ensureInitialized()
    await withPool(local)
    // 40 requests ready at once make two groups (MAX_GROUP is 32): the second group's
    // transaction, the third in all, cannot reach the store.
    const {ds, transactions} = watched(local, (call, ops) => call === 3 && ops.length > 2)
    const ipam = new IPAMClient(ds, {cache: true})
    try {
      await ipam.assign({host: 'n1', handleId: 'warm', num4: 1})
      const outcomes = await Promise.allSettled(Array.from({length: 40}, (_, i) => ipam.assign({host: 'n1', handleId: `g${i}`, num4: 1})))
      const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []))
      const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.v4.map((ip) => ip.address) : []))
      assert.ok(won.length > 1, `the other group kept its addresses (${won.length})`)
      assert.ok(failed.length > 1, `a whole group failed (${failed.length} requests), transactions: ${transactions.map((t) => t.length).join(',')}`)
      for (const i of failed) {
        const reason = (outcomes[i] as PromiseRejectedResult).reason as Error
        assert.match(reason.message, /unreachable \(injected\)/)
        assert.equal(await handleCount(local, `g${i}`), 0, `failed request g${i} left no handle`)
      }
      const allocations = await checkInvariants(local)
      assert.equal(allocations.size, won.length + 1, 'only the requests that succeeded hold addresses')
      for (const ip of won) assert.ok(allocations.has(ip))
    } finally {
      await ipam.close()
      await local.close()
    }
  })
})
