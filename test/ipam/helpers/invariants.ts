/**
 * Structural invariants of a whole IPAM store, read straight from the datastore. Returns the
 * allocations found (address → handle and attributes) and throws an AssertionError naming the
 * first broken invariant:
 *  - blocks: allocated and free ordinals partition the block; free list has no duplicates;
 *    attribute indexes are valid and every attribute is referenced; a sequence number exactly
 *    for each allocated ordinal;
 *  - handles: each handle record counts exactly its addresses per block, has no zero entries,
 *    and every handle used in a block has a record;
 *  - affinities: each is confirmed and its block exists naming that host; each block affine to
 *    a host has that host's affinity;
 *  - no address is allocated twice (blocks never overlap).
 */
import assert from 'node:assert/strict'

import type {Datastore} from '../../../src/datastore/datastore.js'
import {
  addrString,
  affinityHost,
  affinityKey,
  decodeBlock,
  decodeHandle,
  netsOverlap,
  netString,
  nthAddr,
  parseAffinityKey,
  parseHandleKey,
  type AllocationBlock,
} from '../../../src/ipam/index.js'

export interface Allocation {
  handle: string | null
  attrs: Record<string, string>
  block: string
  blockAffinity: string | null
}

export async function checkInvariants(ds: Datastore): Promise<Map<string, Allocation>> {
  const blocks: AllocationBlock[] = (await ds.list('/calico/ipam/v2/assignment/')).items.map((kv) => decodeBlock(kv.value))
  const allocations = new Map<string, Allocation>()
  const counts = new Map<string, Map<string, number>>()
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      assert.ok(!netsOverlap(blocks[i].cidr, blocks[j].cidr), `blocks ${netString(blocks[i].cidr)} and ${netString(blocks[j].cidr)} overlap`)
    }
  }
  for (const b of blocks) {
    const cidr = netString(b.cidr)
    const size = b.allocations.length
    assert.equal(size, 2 ** ((b.cidr.version === 4 ? 32 : 128) - b.cidr.prefix), `${cidr}: allocations length`)
    assert.equal(new Set(b.unallocated).size, b.unallocated.length, `${cidr}: duplicate free ordinals`)
    const free = new Set(b.unallocated)
    const referenced = new Set<number>()
    b.allocations.forEach((index, ordinal) => {
      if (index === null) {
        assert.ok(free.has(ordinal), `${cidr}: ordinal ${ordinal} neither allocated nor free`)
        assert.equal(b.sequenceNumberForAllocation[String(ordinal)], undefined, `${cidr}: sequence number on free ordinal ${ordinal}`)
        return
      }
      assert.ok(!free.has(ordinal), `${cidr}: ordinal ${ordinal} allocated and free`)
      assert.ok(index >= 0 && index < b.attributes.length, `${cidr}: ordinal ${ordinal} points at missing attribute ${index}`)
      assert.notEqual(b.sequenceNumberForAllocation[String(ordinal)], undefined, `${cidr}: no sequence number for ordinal ${ordinal}`)
      referenced.add(index)
      const attr = b.attributes[index]
      const address = addrString(nthAddr(b.cidr, ordinal))
      assert.ok(!allocations.has(address), `${address} allocated twice`)
      allocations.set(address, {handle: attr.handleId, attrs: {...attr.secondary}, block: cidr, blockAffinity: b.affinity})
      if (attr.handleId !== null) {
        const perBlock = counts.get(attr.handleId) ?? new Map<string, number>()
        perBlock.set(cidr, (perBlock.get(cidr) ?? 0) + 1)
        counts.set(attr.handleId, perBlock)
      }
    })
    assert.equal(referenced.size, b.attributes.length, `${cidr}: unreferenced attributes`)
    assert.equal(b.unallocated.length + (size - free.size), size, `${cidr}: free + allocated != size`)
    const host = affinityHost(b.affinity)
    if (host !== undefined) {
      const kv = await ds.get(affinityKey(host, b.cidr))
      assert.ok(kv, `${cidr}: affine to ${host} but no affinity key`)
    }
  }
  for (const kv of (await ds.list('/calico/ipam/v2/handle/')).items) {
    const id = parseHandleKey(kv.key) as string
    const handle = decodeHandle(kv.value)
    const actual = counts.get(id) ?? new Map<string, number>()
    assert.deepEqual(new Map(Object.entries(handle.block)), actual, `handle ${id}: recorded counts differ from blocks`)
    assert.ok(actual.size > 0, `handle ${id} has no addresses`)
    counts.delete(id)
  }
  assert.deepEqual([...counts.keys()], [], 'handles used in blocks without a handle record')
  const byCidr = new Map(blocks.map((b) => [netString(b.cidr), b]))
  for (const kv of (await ds.list('/calico/ipam/v2/host/')).items) {
    const parsed = parseAffinityKey(kv.key)
    assert.ok(parsed, `unparseable affinity key ${kv.key}`)
    assert.match(kv.value, /"state":"confirmed"/, `affinity ${kv.key} is not confirmed`)
    const block = byCidr.get(netString(parsed.net))
    assert.ok(block, `affinity ${kv.key} has no block`)
    assert.equal(block.affinity, `host:${parsed.host}`, `affinity ${kv.key} but block is affine to ${block.affinity}`)
  }
  return allocations
}
