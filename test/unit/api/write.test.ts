// The write-time checks of clientv3: IPPool validateAndSetDefaults (immutability, overlap, block
// size), and prepareForWrite's per-kind pre- and post-checks.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {
  decodeResource,
  immutableFieldError,
  ipPoolClientErrors,
  ipPoolOverlapError,
  prepareForWrite,
  ValidationError,
  WriteCheckError,
  type Resource,
} from '../../../src/api/index.js'
import {doc, many, one} from './helpers.js'

const pool = (name: string, spec: Record<string, unknown>): Resource => decodeResource(doc('IPPool', spec, {name}))
const TOO_SMALL = 'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.'

const clientCases: Array<[string, Resource, Resource | undefined, Resource[], string | undefined]> = [
  ['a good pool', pool('p', {cidr: '10.0.0.0/16'}), undefined, [], undefined],
  ['missing CIDR', pool('p', {}), undefined, [], 'error with field IPPool.Spec.CIDR (IPPool CIDR must be specified)'],
  ['a bare IP is not a subnet here', pool('p', {cidr: '10.0.0.1'}), undefined, [], one('IPPool.Spec.CIDR', '10.0.0.1', 'IPPool CIDR must be a valid subnet')],
  ['unmasked CIDR (value shown masked)', pool('p', {cidr: '10.0.0.1/16'}), undefined, [], one('IPPool.Spec.CIDR', '10.0.0.0/16', 'IPPool CIDR is not strictly masked')],
  ['IPv4 block size 33', pool('p', {cidr: '10.0.0.0/16', blockSize: 33}), undefined, [], one('IPPool.Spec.BlockSize', '33', 'IPv4 block size must be between 20 and 32')],
  ['IPv4 block size 19', pool('p', {cidr: '10.0.0.0/16', blockSize: 19}), undefined, [], one('IPPool.Spec.BlockSize', '19', 'IPv4 block size must be between 20 and 32')],
  ['IPv6 block size 100', pool('p', {cidr: 'fd00::/64', blockSize: 100}), undefined, [], one('IPPool.Spec.BlockSize', '100', 'IPv6 block size must be between 116 and 128')],
  ['pool smaller than its blocks', pool('p', {cidr: '192.168.0.0/27'}), undefined, [], one('IPPool.Spec.CIDR', '192.168.0.0/27', TOO_SMALL)],
  ['disabled small pool', pool('p', {cidr: '192.168.0.0/27', disabled: true}), undefined, [], undefined],
  [
    'IPIP and VXLAN',
    pool('p', {cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'Always'}),
    undefined,
    [],
    one('IPPool.Spec.VXLANMode', 'Always', 'Cannot enable both VXLAN and IPIP on the same IPPool'),
  ],
  ['IPIP on IPv6', pool('p', {cidr: 'fd00::/64', ipipMode: 'CrossSubnet'}), undefined, [], one('IPPool.Spec.IPIPMode', 'CrossSubnet', 'IPIP is not supported on an IPv6 IP pool')],
  ['IPv6 pool without ipipMode is fine here', pool('p', {cidr: 'fd00::/64'}), undefined, [], undefined],
  [
    'link-local and unmasked',
    pool('p', {cidr: '169.254.0.1/16'}),
    undefined,
    [],
    many(
      ['IPPool.Spec.CIDR', '169.254.0.0/16', 'IPPool CIDR is not strictly masked'],
      ['IPPool.Spec.CIDR', '169.254.0.0/16', 'IPPool CIDR overlaps with IPv4 Link Local range 169.254.0.0/16'],
    ),
  ],
  ['IPv6 link-local', pool('p', {cidr: 'fe80::/64', ipipMode: 'Never'}), undefined, [], one('IPPool.Spec.CIDR', 'fe80::/64', 'IPPool CIDR overlaps with IPv6 Link Local range fe80::/10')],
  [
    'overlap with existing pools on create',
    pool('new', {cidr: '10.1.0.0/16'}),
    undefined,
    [pool('a', {cidr: '10.0.0.0/8'}), pool('b', {cidr: '192.168.0.0/16'}), pool('new', {cidr: '10.1.0.0/16'}), pool('c', {cidr: '10.1.128.0/17'})],
    many(
      ['IPPool.Spec.CIDR', '10.1.0.0/16', 'IPPool(new) CIDR overlaps with IPPool(a) CIDR 10.0.0.0/8'],
      ['IPPool.Spec.CIDR', '10.1.0.0/16', 'IPPool(new) CIDR overlaps with IPPool(c) CIDR 10.1.128.0/17'],
    ),
  ],
  ['CIDR change on update', pool('p', {cidr: '10.1.0.0/16'}), pool('p', {cidr: '10.0.0.0/16'}), [], one('IPPool.Spec.CIDR', '10.1.0.0/16', 'IPPool CIDR cannot be modified')],
  ['same IPv6 network written differently', pool('p', {cidr: 'fd00::/64', ipipMode: 'Never'}), pool('p', {cidr: 'fd00:0:0::/64'}), [], undefined],
  ['block size change on update', pool('p', {cidr: '10.0.0.0/16', blockSize: 24}), pool('p', {cidr: '10.0.0.0/16'}), [], one('IPPool.Spec.BlockSize', '24', 'IPPool BlockSize cannot be modified')],
  [
    'LoadBalancer pool changed back (reported alone)',
    pool('p', {cidr: '10.1.0.0/16'}),
    pool('p', {cidr: '10.0.0.0/16', allowedUses: ['LoadBalancer']}),
    [],
    one('IPPool.Spec.AllowedUses', '[Workload Tunnel]', 'IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel'),
  ],
  ['no overlap check on update', pool('p', {cidr: '10.0.0.0/16'}), pool('p', {cidr: '10.0.0.0/16'}), [pool('a', {cidr: '10.0.0.0/8'})], undefined],
]

for (const [what, next, previous, existing, want] of clientCases) {
  test(`IPPool client checks: ${what}`, () => {
    assert.equal(ipPoolClientErrors(next, {previous, existing})?.message, want)
  })
}

test('immutableFieldError: CIDR, block size, both, none', () => {
  const before = pool('p', {cidr: '10.0.0.0/16', blockSize: 26})
  assert.equal(immutableFieldError(before, pool('p', {cidr: '10.2.0.0/16'})), one('IPPool.Spec.CIDR', '10.2.0.0/16', 'IPPool CIDR cannot be modified'))
  assert.equal(immutableFieldError(before, pool('p', {cidr: '10.0.0.0/16', blockSize: 27})), one('IPPool.Spec.BlockSize', '27', 'IPPool BlockSize cannot be modified'))
  assert.equal(
    immutableFieldError(before, pool('p', {cidr: '10.2.0.0/16', blockSize: 27})),
    many(['IPPool.Spec.CIDR', '10.2.0.0/16', 'IPPool CIDR cannot be modified'], ['IPPool.Spec.BlockSize', '27', 'IPPool BlockSize cannot be modified']),
  )
  assert.equal(immutableFieldError(before, pool('p', {cidr: '10.0.0.0/16', natOutgoing: true})), undefined)
  assert.equal(immutableFieldError(pool('p', {cidr: '10.0.0.0/16'}), pool('p', {cidr: '10.0.0.0/16', blockSize: 26})), undefined)
})

test('immutableFieldError: LoadBalancer pools keep their use', () => {
  const lb = pool('p', {cidr: '10.0.0.0/16', allowedUses: ['LoadBalancer']})
  assert.equal(immutableFieldError(lb, pool('p', {cidr: '10.0.0.0/16', allowedUses: ['LoadBalancer']})), undefined)
  assert.equal(
    immutableFieldError(lb, pool('p', {cidr: '10.0.0.0/16', allowedUses: ['Tunnel']})),
    one('IPPool.Spec.AllowedUses', '[Tunnel]', 'IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel'),
  )
  assert.equal(immutableFieldError(pool('p', {cidr: '10.0.0.0/16'}), pool('p', {cidr: '10.0.0.0/16', allowedUses: ['LoadBalancer']})), undefined)
})

test('immutableFieldError: other kinds have no immutable fields', () => {
  const a = decodeResource(doc('GlobalNetworkPolicy', {order: 1}))
  const b = decodeResource(doc('GlobalNetworkPolicy', {order: 2}))
  assert.equal(immutableFieldError(a, b), undefined)
})

test('ipPoolOverlapError', () => {
  const existing = [pool('default-ipv4', {cidr: '192.168.0.0/16'}), pool('bad', {cidr: 'garbage'}), pool('v6', {cidr: 'fd00::/48'})]
  assert.equal(
    ipPoolOverlapError(pool('mine', {cidr: '192.168.128.0/24'}), existing),
    one('IPPool.Spec.CIDR', '192.168.128.0/24', 'IPPool(mine) CIDR overlaps with IPPool(default-ipv4) CIDR 192.168.0.0/16'),
  )
  assert.equal(ipPoolOverlapError(pool('mine', {cidr: '10.0.0.0/8'}), existing), undefined)
  assert.equal(ipPoolOverlapError(pool('default-ipv4', {cidr: '192.168.0.0/16'}), existing), undefined)
  assert.equal(
    ipPoolOverlapError(pool('mine', {cidr: 'fd00::/32'}), existing),
    one('IPPool.Spec.CIDR', 'fd00::/32', 'IPPool(mine) CIDR overlaps with IPPool(v6) CIDR fd00::/48'),
  )
})

/** The error prepareForWrite throws, or undefined. */
function writeError(res: Resource, ctx: Parameters<typeof prepareForWrite>[1]): Error | undefined {
  try {
    prepareForWrite(res, ctx)
    return undefined
  } catch (err) {
    return err as Error
  }
}

test('prepareForWrite: IPPool create returns the defaulted pool', () => {
  const out = prepareForWrite(pool('p', {cidr: '10.0.0.0/16'}), {operation: 'create', existingPools: []})
  assert.equal((out.spec as Record<string, unknown>).blockSize, 26)
})

test('prepareForWrite: IPPool client errors come before the validator', () => {
  const err = writeError(pool('p', {cidr: '10.0.0.1/16'}), {operation: 'create'})
  assert.ok(err instanceof ValidationError)
  assert.equal(err.message, one('IPPool.Spec.CIDR', '10.0.0.0/16', 'IPPool CIDR is not strictly masked'))
  const overlap = writeError(pool('p', {cidr: '10.0.0.0/16'}), {operation: 'create', existingPools: [pool('q', {cidr: '10.0.0.0/8'})]})
  assert.equal(overlap?.message, one('IPPool.Spec.CIDR', '10.0.0.0/16', 'IPPool(p) CIDR overlaps with IPPool(q) CIDR 10.0.0.0/8'))
})

test('prepareForWrite: policies are defaulted then validated', () => {
  const out = prepareForWrite(decodeResource(doc('GlobalNetworkPolicy', {egress: [{action: 'Allow'}]})), {operation: 'create'})
  assert.deepEqual(out.spec, {tier: 'default', egress: [{action: 'Allow'}], types: ['Egress']})
  const err = writeError(decodeResource(doc('GlobalNetworkPolicy', {doNotTrack: true})), {operation: 'create'})
  assert.equal(err?.message, one('PolicySpec.ApplyOnForward', 'false', 'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec'))
})

test('prepareForWrite: node-specific BGPConfiguration may not set cluster fields', () => {
  const res = decodeResource(doc('BGPConfiguration', {asNumber: 65000, nodeToNodeMeshEnabled: true, serviceClusterIPs: [{cidr: '10.96.0.0/12'}]}, {name: 'node.worker-1'}))
  assert.equal(
    writeError(res, {operation: 'create'})?.message,
    'error with the following fields:\n' +
      '-  BGPConfiguration.Spec.NodeToNodeMeshEnabled (Cannot set nodeToNodeMeshEnabled on a non default BGP Configuration.)\n' +
      '-  BGPConfiguration.Spec.ASNumber (Cannot set ASNumber on a non default BGP Configuration.)\n' +
      '-  BGPConfiguration.Spec.ServiceClusterIPs (Cannot set ServiceClusterIPs on a non default BGP Configuration.)\n',
  )
  assert.equal(writeError(decodeResource(doc('BGPConfiguration', {asNumber: 65000}, {name: 'default'})), {operation: 'create'}), undefined)
})

test('prepareForWrite: singleton names', () => {
  const kcc = writeError(decodeResource(doc('KubeControllersConfiguration', {}, {name: 'other'})), {operation: 'create'})
  assert.ok(kcc instanceof WriteCheckError)
  assert.equal(kcc.message, 'Cannot create a Kube Controllers Configuration resource with a name other than "default"')
  assert.equal(writeError(decodeResource(doc('KubeControllersConfiguration', {}, {name: 'other'})), {operation: 'update'}), undefined)
  assert.equal(
    writeError(decodeResource(doc('IPAMConfiguration', {}, {name: 'x'})), {operation: 'update'})?.message,
    'Cannot create an IPAMConfiguration resource with a name other than "default"',
  )
  assert.equal(
    writeError(decodeResource(doc('ClusterInformation', {}, {name: 'x'})), {operation: 'create'})?.message,
    'Cannot create a Cluster Information resource with a name other than "default"',
  )
})

test('prepareForWrite: kube-controllers host endpoint templates', () => {
  const template = (t: Record<string, unknown>): Resource =>
    decodeResource(doc('KubeControllersConfiguration', {controllers: {node: {hostEndpoint: {templates: [t]}}}}, {name: 'default'}))
  assert.equal(
    writeError(template({interfaceCIDRs: ['10.0.0.0/8']}), {operation: 'create'})?.message,
    'error with field KubeControllersConfiguration.Node.HostEndpoint.Templates (Template name must be specified)',
  )
  assert.equal(
    writeError(template({generateName: 'tpl'}), {operation: 'create'})?.message,
    'error with field KubeControllersConfiguration.Node.HostEndpoint.Templates.tpl (InterfaceCIDRs or InterfacePattern must be specified)',
  )
  assert.equal(writeError(template({generateName: 'tpl', interfacePattern: 'eth.*'}), {operation: 'create'}), undefined)
})

test('prepareForWrite: WorkloadEndpoint names', () => {
  const wep = (spec: Record<string, unknown>, name: string): Resource =>
    decodeResource(doc('WorkloadEndpoint', {interfaceName: 'cali1', ...spec}, {name}))
  const ids = {orchestrator: 'k8s', node: 'node1', pod: 'pod', endpoint: 'eth0'}
  assert.equal(prepareForWrite(wep(ids, ''), {operation: 'create'}).metadata.name, 'node1-k8s-pod-eth0')
  assert.equal(
    writeError(wep(ids, 'other'), {operation: 'create'})?.message,
    one('Name', 'other', 'the WorkloadEndpoint name does not match the primary identifiers assigned in the Spec: expected name node1-k8s-pod-eth0'),
  )
  assert.equal(writeError(wep({orchestrator: 'k8s'}, 'x'), {operation: 'create'})?.message, 'error with field node (field should be assigned)')
  assert.equal(writeError(wep({...ids, pod: '-pod'}, 'x'), {operation: 'create'})?.message, one('pod', '-pod', "field must not begin with a '-'"))
  assert.equal(writeError(wep({...ids, pod: ''}, 'x'), {operation: 'create'})?.message, one('pod', '', 'field should be assigned'))
  assert.equal(
    prepareForWrite(wep({orchestrator: 'cni', node: 'n', containerID: 'abc', endpoint: 'eth0'}, ''), {operation: 'create'}).metadata.name,
    'n-cni-abc-eth0',
  )
})

test('prepareForWrite: BGPPeer filters must exist', () => {
  const peer = decodeResource(doc('BGPPeer', {peerIP: '10.0.0.1', asNumber: 65001, filters: ['f1', 'f2', 'f3']}))
  assert.equal(
    writeError(peer, {operation: 'create', bgpFilterNames: ['f1']})?.message,
    one('BGPPeer.Spec.Filters', '[f2 f3]', 'BGPFilter(s) not found'),
  )
  assert.equal(writeError(peer, {operation: 'create', bgpFilterNames: ['f1', 'f2', 'f3']}), undefined)
})
