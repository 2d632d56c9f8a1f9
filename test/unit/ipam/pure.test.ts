/** The pure pieces of src/ipam: keys, codecs (Go's JSON, 64-bit sequence numbers), block logic, tables, split, reports. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {
  affinityKey,
  assignInBlock,
  blockKey,
  decodeBlock,
  decodeReport,
  encodeBlock,
  encodeReport,
  handleKey,
  mergeReports,
  newBlock,
  parseAffinityKey,
  parseBlockKey,
  parseNet,
  renderBoxTable,
  Reservations,
  splitCIDR,
  type Net,
  type Report,
} from '../../../src/ipam/index.js'
import {release} from '../../../src/ipam/block.js'
import {parseJSONBig} from '../../../src/ipam/json.js'
import {decodeConfig, encodeConfig} from '../../../src/ipam/model.js'

const net = (text: string) => parseNet(text) as Net

describe('keys', () => {
  test('are Calico etcd keys and parse back', () => {
    assert.equal(blockKey(net('10.0.0.0/26')), '/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26')
    assert.equal(blockKey(net('fd00::/122')), '/calico/ipam/v2/assignment/ipv6/block/fd00::-122')
    assert.equal(affinityKey('node-1', net('10.0.0.64/26')), '/calico/ipam/v2/host/node-1/ipv4/block/10.0.0.64-26')
    assert.equal(handleKey('k8s-pod-network.abc'), '/calico/ipam/v2/handle/k8s-pod-network.abc')
    assert.deepEqual(parseBlockKey('/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26'), net('10.0.0.0/26'))
    assert.deepEqual(parseAffinityKey('/calico/ipam/v2/host/n/ipv6/block/fd00::-122'), {host: 'n', net: net('fd00::/122')})
  })
})

describe('codecs', () => {
  test('a block written by Go round-trips byte for byte, sequence numbers exact', () => {
    const go =
      '{"cidr":"10.65.0.0/30","affinity":"host:n1","allocations":[0,null,null,null],"unallocated":[1,2,3],"attributes":[{"handle_id":"k8s-pod-network.x","secondary":{"namespace":"default","node":"n1","pod":"p"}}],"sequenceNumber":1795446751811855325,"sequenceNumberForAllocation":{"0":1795446751811855324},"deleted":false}'
    const block = decodeBlock(go)
    assert.equal(block.sequenceNumber, 1795446751811855325n)
    assert.equal(block.sequenceNumberForAllocation['0'], 1795446751811855324n)
    assert.equal(encodeBlock(block), go)
  })

  test('unknown fields (newer Calico) are kept; legacy hostAffinity is read as affinity', () => {
    const text =
      '{"cidr":"10.0.0.0/31","affinity":"host:a","affinity_claim_time":"2025-10-01T00:00:00Z","allocations":[null,null],"unallocated":[0,1],"attributes":[],"sequenceNumber":1,"sequenceNumberForAllocation":{},"deleted":false,"strictAffinity":false}'
    assert.equal(encodeBlock(decodeBlock(text)), text)
    assert.equal(decodeBlock('{"cidr":"10.0.0.0/31","affinity":null,"hostAffinity":"old","allocations":[null,null],"unallocated":[0,1]}').affinity, 'host:old')
  })

  test('parseJSONBig leaves strings alone', () => {
    assert.deepEqual(parseJSONBig('{"a":"12345678901234567890","b":12345678901234567890,"c":[1,-99999999999999999]}'), {
      a: '12345678901234567890',
      b: '12345678901234567890',
      c: [1, '-99999999999999999'],
    })
  })

  test('config uses Go omitempty', () => {
    assert.equal(encodeConfig({strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0, kubeVirtVMAddressPersistence: 'Enabled'}), '{"auto_allocate_blocks":true,"kubeVirtVMAddressPersistence":"Enabled"}')
    assert.deepEqual(decodeConfig('{"strict_affinity":true}'), {strictAffinity: true, autoAllocateBlocks: false, maxBlocksPerHost: 0})
  })
})

describe('block logic', () => {
  test('FIFO free list, shared attributes, reserved addresses skipped but kept', () => {
    let b = newBlock(net('10.0.0.0/29'), 'host:n', 100n)
    const reserved = Reservations.fromCIDRs(['10.0.0.1'])
    const first = assignInBlock(b, 2, 'h', {node: 'n'}, reserved)
    assert.deepEqual(first.ordinals, [0, 2])
    assert.deepEqual(first.block.unallocated, [1, 3, 4, 5, 6, 7])
    assert.equal(first.block.attributes.length, 1)
    assert.equal(b.unallocated.length, 8, 'the input block is unchanged')
    b = release(first.block, [{ordinal: 0}]).block
    assert.deepEqual(b.unallocated, [1, 3, 4, 5, 6, 7, 0], 'a released address goes to the back')
    assert.throws(() => release(b, [{ordinal: 2, handle: 'other'}]), /bad handle/)
    assert.throws(() => release(b, [{ordinal: 2, sequenceNumber: 5n}]), /bad sequence number/)
    const freed = release(b, [{ordinal: 2, handle: 'h', sequenceNumber: 100n}])
    assert.deepEqual(freed.block.attributes, [], 'unreferenced attributes are dropped')
    assert.deepEqual(Object.fromEntries(freed.countByHandle), {h: 1})
  })

  test('/32 and /128 blocks hold one address', () => {
    for (const cidr of ['10.9.9.9/32', 'fd00::9/128']) {
      const r = assignInBlock(newBlock(net(cidr), 'host:n'), 5, 'h', {}, Reservations.NONE)
      assert.deepEqual(r.ordinals, [0])
      assert.deepEqual(r.block.unallocated, [])
    }
  })
})

describe('formatting', () => {
  test('box table as tablewriter draws it', () => {
    assert.equal(
      renderBoxTable(['GROUPING', 'CIDR', 'IPS TOTAL'], [['IP Pool', '10.65.0.0/16', '65536']]),
      '+----------+--------------+-----------+\n| GROUPING |     CIDR     | IPS TOTAL |\n+----------+--------------+-----------+\n| IP Pool  | 10.65.0.0/16 |     65536 |\n+----------+--------------+-----------+\n',
    )
  })

  test('splitCIDR', () => {
    assert.deepEqual(splitCIDR('172.0.0.0/8', 4), ['172.0.0.0/10', '172.64.0.0/10', '172.128.0.0/10', '172.192.0.0/10'])
    assert.deepEqual(splitCIDR('fd00::/64', 2), ['fd00::/65', 'fd00::8000:0:0:0/65'])
    assert.throws(() => splitCIDR('10.0.0.0/31', 4), /not large enough to be split into 4 parts/)
    assert.throws(() => splitCIDR('10.0.0.0/8', 1), /not a valid power of 2: 1/)
  })
})

describe('reports', () => {
  const report = (ips: Array<[string, boolean]>, handles: Array<[string, string]>): Report => ({
    version: 'v3.32.1',
    clusterGUID: 'g',
    datastoreLocked: true,
    clusterInformationRevision: '7',
    clusterType: 'k8s',
    allocations: new Map(ips.map(([ip, inUse]) => [ip, [{ip, handle: `h-${ip}`, sequenceNumber: 1795446751811855324n, inUse, owners: inUse ? ['Node(n)'] : null}]])),
    leakedHandles: handles.map(([ID, Revision]) => ({ID, UID: null, Revision})),
  })

  test('encode is Go-shaped and decodes back exactly', () => {
    const r = report([['10.0.0.1', false]], [['gone', '12']])
    const text = encodeReport(r)
    assert.match(text, /"sequenceNumber": 1795446751811855324,/)
    assert.match(text, /"leakedHandles": \[\n {4}\{\n {6}"ID": "gone",\n {6}"UID": null,\n {6}"Revision": "12"/)
    const back = decodeReport(text)
    assert.equal(back.allocations.get('10.0.0.1')?.[0].sequenceNumber, 1795446751811855324n)
  })

  test('merge keeps only leaks present in every report, handles with the same revision', () => {
    const merged = mergeReports([
      report([['10.0.0.1', false], ['10.0.0.2', false], ['10.0.0.3', true]], [['a', '1'], ['b', '2']]),
      report([['10.0.0.1', false], ['10.0.0.2', true], ['10.0.0.3', false]], [['a', '1'], ['b', '3']]),
    ])
    assert.deepEqual([...merged.ips.keys()], ['10.0.0.1'])
    assert.deepEqual([...merged.handles.keys()], ['a'])
    assert.deepEqual(merged.ips.get('10.0.0.1'), {address: '10.0.0.1', handle: 'h-10.0.0.1', sequenceNumber: 1795446751811855324n})
  })
})
