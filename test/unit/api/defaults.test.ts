// applyDefaults: clientv3, api/pkg/defaults and CRD-schema defaults for each kind.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {applyDefaults, decodeResource, validateResource} from '../../../src/api/index.js'
import {doc} from './helpers.js'

const defaulted = (document: Record<string, unknown>): Record<string, unknown> =>
  applyDefaults(decodeResource(document)) as unknown as Record<string, unknown>
const specOf = (document: Record<string, unknown>): unknown => defaulted(document).spec

test('defaults: IPv4 pool', () => {
  assert.deepEqual(specOf(doc('IPPool', {cidr: '10.0.0.0/16'})), {
    cidr: '10.0.0.0/16',
    vxlanMode: 'Never',
    ipipMode: 'Never',
    blockSize: 26,
    nodeSelector: 'all()',
    allowedUses: ['Workload', 'Tunnel'],
    assignmentMode: 'Automatic',
  })
})

test('defaults: IPv6 pool, CIDR re-printed canonically', () => {
  const s = specOf(doc('IPPool', {cidr: 'FD00:0:0:0::/64'})) as Record<string, unknown>
  assert.equal(s.cidr, 'fd00::/64')
  assert.equal(s.blockSize, 122)
  assert.equal(validateResource(defaulted(doc('IPPool', {cidr: 'fd00::/64'})) as never), undefined)
})

test('defaults: an unmasked pool CIDR is left for validation to reject', () => {
  const res = applyDefaults(decodeResource(doc('IPPool', {cidr: '10.0.0.1/16'})))
  assert.equal((res.spec as Record<string, unknown>).cidr, '10.0.0.1/16')
  assert.match(validateResource(res)?.message ?? '', /IP pool CIDR is not strictly masked/)
})

test('defaults: set pool fields are kept', () => {
  const s = specOf(doc('IPPool', {cidr: '10.0.0.0/16', blockSize: 28, ipipMode: 'CrossSubnet', nodeSelector: "a == 'b'", allowedUses: ['Tunnel'], assignmentMode: 'Manual'}))
  assert.deepEqual(s, {
    cidr: '10.0.0.0/16',
    vxlanMode: 'Never',
    ipipMode: 'CrossSubnet',
    blockSize: 28,
    nodeSelector: "a == 'b'",
    allowedUses: ['Tunnel'],
    assignmentMode: 'Manual',
  })
})

const typeCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['no rules', {}, ['Ingress']],
  ['ingress only', {ingress: [{action: 'Allow'}]}, ['Ingress']],
  ['egress only', {egress: [{action: 'Allow'}]}, ['Egress']],
  ['both', {ingress: [{action: 'Allow'}], egress: [{action: 'Deny'}]}, ['Ingress', 'Egress']],
]

for (const kind of ['GlobalNetworkPolicy', 'NetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedNetworkPolicy']) {
  for (const [what, spec, types] of typeCases) {
    test(`defaults: ${kind} types with ${what}`, () => {
      assert.deepEqual((specOf(doc(kind, spec)) as Record<string, unknown>).types, types)
    })
  }
}

test('defaults: explicit types are kept', () => {
  assert.deepEqual((specOf(doc('GlobalNetworkPolicy', {types: ['Egress'], ingress: [{action: 'Allow'}]})) as Record<string, unknown>).types, ['Egress'])
})

test('defaults: policy tier and tier label', () => {
  const plain = defaulted(doc('NetworkPolicy', {}))
  assert.equal((plain.spec as Record<string, unknown>).tier, 'default')
  assert.deepEqual((plain.metadata as Record<string, unknown>).labels, {'projectcalico.org/tier': 'default'})
  const tiered = defaulted(doc('GlobalNetworkPolicy', {tier: 'security'}, {labels: {'projectcalico.org/tier': 'wrong', app: 'x'}}))
  assert.deepEqual((tiered.metadata as Record<string, unknown>).labels, {app: 'x', 'projectcalico.org/tier': 'security'})
})

test('defaults: staged policies get stagedAction Set, Delete drops types', () => {
  const set = specOf(doc('StagedGlobalNetworkPolicy', {selector: 'all()'})) as Record<string, unknown>
  assert.equal(set.stagedAction, 'Set')
  const del = specOf(doc('StagedNetworkPolicy', {stagedAction: 'Delete'})) as Record<string, unknown>
  assert.deepEqual(del, {stagedAction: 'Delete', tier: 'default'})
  assert.equal((specOf(doc('StagedKubernetesNetworkPolicy', {})) as Record<string, unknown>).stagedAction, 'Set')
})

test('defaults: tiers get the default order and Deny', () => {
  assert.deepEqual(specOf(doc('Tier', {}, {name: 'security'})), {order: 1000000, defaultAction: 'Deny'})
  assert.deepEqual(specOf(doc('Tier', {order: 5, defaultAction: 'Pass'})), {order: 5, defaultAction: 'Pass'})
  // A nil order becomes 1,000,000 for every tier, which the reserved kube tiers then reject.
  assert.match(validateResource(applyDefaults(decodeResource(doc('Tier', {}, {name: 'kube-admin'}))))?.message ?? '', /kube-admin tier order must be 1000/)
  assert.equal(validateResource(applyDefaults(decodeResource(doc('Tier', {}, {name: 'default'})))), undefined)
})

test('defaults: FelixConfiguration', () => {
  assert.deepEqual(specOf(doc('FelixConfiguration', {}, {name: 'default'})), {
    nftablesMode: 'Auto',
    bpfLogLevel: '',
    bpfConnectTimeLoadBalancing: 'TCP',
    bpfHostNetworkedNATWithoutCTLB: 'Enabled',
    floatingIPs: 'Disabled',
  })
  const legacy = specOf(doc('FelixConfiguration', {bpfConnectTimeLoadBalancingEnabled: true})) as Record<string, unknown>
  assert.equal(legacy.bpfConnectTimeLoadBalancing, 'Enabled')
  assert.equal(legacy.bpfHostNetworkedNATWithoutCTLB, 'Disabled')
  const off = specOf(doc('FelixConfiguration', {bpfConnectTimeLoadBalancingEnabled: false, nftablesMode: 'Enabled'})) as Record<string, unknown>
  assert.equal(off.bpfConnectTimeLoadBalancing, 'Disabled')
  assert.equal(off.nftablesMode, 'Enabled')
})

test('defaults: BGPConfiguration', () => {
  assert.deepEqual(specOf(doc('BGPConfiguration', {asNumber: 64512}, {name: 'default'})), {
    logSeverityScreen: 'Info',
    asNumber: 64512,
    serviceLoadBalancerAggregation: 'Enabled',
  })
})

test('defaults: KubeControllersConfiguration', () => {
  assert.deepEqual(specOf(doc('KubeControllersConfiguration', {controllers: {node: {}, loadBalancer: {}, policyMigration: {}}}, {name: 'default'})), {
    healthChecks: 'Enabled',
    prometheusMetricsPort: 9094,
    controllers: {node: {leakGracePeriod: '15m0s'}, loadBalancer: {assignIPs: 'AllServices'}, policyMigration: {enabled: 'Enabled'}},
  })
  assert.deepEqual(specOf(doc('KubeControllersConfiguration', {}, {name: 'default'})), {
    healthChecks: 'Enabled',
    prometheusMetricsPort: 9094,
    controllers: {},
  })
})

test('defaults: WorkloadEndpoint name and storage labels', () => {
  const res = defaulted(
    doc('WorkloadEndpoint', {orchestrator: 'k8s', node: 'node-1', pod: 'web-1', endpoint: 'eth0', interfaceName: 'cali1'}, {name: '', labels: {app: 'web'}}),
  )
  assert.deepEqual(res.metadata, {
    name: 'node--1-k8s-web--1-eth0',
    namespace: 'default',
    labels: {app: 'web', 'projectcalico.org/namespace': 'default', 'projectcalico.org/orchestrator': 'k8s'},
  })
})

test('defaults: kinds without defaults come back unchanged', () => {
  const input = decodeResource(doc('HostEndpoint', {node: 'n', interfaceName: 'eth0'}))
  assert.deepEqual(applyDefaults(input), input)
})

test('defaults: the input is not modified', () => {
  const input = decodeResource(doc('IPPool', {cidr: '10.0.0.0/16'}))
  const before = JSON.stringify(input)
  applyDefaults(input)
  assert.equal(JSON.stringify(input), before)
})
