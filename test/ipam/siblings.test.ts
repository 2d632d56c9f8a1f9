/**
 * Two long-lived allocators serving the same host (two processes of one node: separate clients
 * over one store), each with requests in flight, fill the host's blocks together. They walk the
 * host's blocks in the same order and so often try to claim the same block at the same moment:
 * one claims it and the other waits for that block instead of taking the claim over
 * (auto-assign.ts siblingClaim). Whatever the interleaving, no address is handed out twice, the
 * store stays consistent, every block the host ended up with is confirmed as its own, and no
 * block is claimed beyond what the addresses need plus one per allocator.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {ResourceClient} from '../../src/datastore/resources.js'
import {IPAMClient} from '../../src/ipam/index.js'
import {decodeAffinity} from '../../src/ipam/model.js'
import {checkInvariants} from './helpers/invariants.js'
import {MemoryDatastore} from './helpers/memory-datastore.js'

describe('allocators of one host claiming side by side', {timeout: 120_000}, () => {
  test('no duplicates, every affinity confirmed, no spare claims', async () => {
    const memory = new MemoryDatastore()
    await new ResourceClient(memory).create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name: 'p'}, spec: {cidr: '10.30.0.0/16'}})
    const clients = [new IPAMClient(memory, {cache: true}), new IPAMClient(memory, {cache: true})]
    const perClient = 150
    try {
      const got = await Promise.all(
        clients.map(async (ipam, c) => {
          const ips: string[] = []
          let next = 0
          const lane = async () => {
            while (next < perClient) {
              const n = next++
              const result = await ipam.assign({host: 'n1', handleId: `s${c}-${n}`, num4: 1})
              ips.push(...result.v4.map((ip) => ip.address))
            }
          }
          await Promise.all(Array.from({length: 16}, lane))
          return ips
        }),
      )
      const ips = got.flat()
      assert.equal(ips.length, 2 * perClient)
      assert.equal(new Set(ips).size, ips.length, 'an address was handed out twice')
      const allocations = await checkInvariants(memory)
      assert.equal(allocations.size, ips.length)
      const {items} = await memory.list('/calico/ipam/v2/host/n1/')
      const states = items.map((kv) => decodeAffinity(kv.value).state)
      assert.ok(states.every((s) => s === 'confirmed'), `affinities: ${states.join(', ')}`)
      const blocks = (await memory.list('/calico/ipam/v2/assignment/')).items.length
      assert.equal(blocks, items.length, 'every block has its affinity')
      assert.ok(blocks <= Math.ceil(ips.length / 64) + clients.length, `${blocks} blocks claimed for ${ips.length} addresses`)
    } finally {
      for (const ipam of clients) await ipam.close()
    }
  })
})
