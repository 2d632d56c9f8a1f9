// The schema-derived helpers: Go field paths for go-templates and the kind table.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {goFieldPath, isNamespaced, KIND_SCHEMAS, kindSchema, KINDS} from '../../../src/api/index.js'

test('goFieldPath maps JSON paths to Go field paths', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['IPPool', 'spec.cidr', 'Spec.CIDR'],
    ['IPPool', 'spec.ipipMode', 'Spec.IPIPMode'],
    ['IPPool', 'metadata.name', 'ObjectMeta.Name'],
    ['IPPool', 'kind', 'Kind'],
    ['IPPool', 'apiVersion', 'APIVersion'],
    ['Node', 'spec.bgp.ipv4Address', 'Spec.BGP.IPv4Address'],
    ['Node', 'spec.ipv4VXLANTunnelAddr', 'Spec.IPv4VXLANTunnelAddr'],
    ['WorkloadEndpoint', 'spec.ipNetworks', 'Spec.IPNetworks'],
    ['GlobalNetworkPolicy', 'spec.ingress.0.source.nets', 'Spec.Ingress.0.Source.Nets'],
    ['FelixConfiguration', 'spec.externalNodesList', 'Spec.ExternalNodesCIDRList'],
    ['FelixConfiguration', 'spec.bpfConntrackMode', 'Spec.BPFConntrackCleanupMode'],
    ['KubeControllersConfiguration', 'spec.controllers.policyMigration.enabled', 'Spec.Controllers.Migration.PolicyNameMigrator'],
    ['HostEndpoint', 'metadata.labels.role', 'ObjectMeta.Labels.role'],
    ['BGPPeer', 'spec.password.secretKeyRef.name', 'Spec.Password.SecretKeyRef.Name'],
    ['IPPool', 'spec.nope', undefined],
    ['Nope', 'spec', undefined],
  ]
  for (const [kind, path, want] of cases) assert.equal(goFieldPath(kind, path), want, `${kind} ${path}`)
  assert.equal(goFieldPath('IPPool', ['spec', 'blockSize']), 'Spec.BlockSize')
})

test('every registered kind has a schema, and every schema a registered kind', () => {
  assert.deepEqual(Object.keys(KIND_SCHEMAS).sort(), KINDS.map((k) => k.kind).sort())
  for (const {kind} of KINDS) assert.ok(kindSchema(kind), kind)
  assert.equal(kindSchema('toString'), undefined)
})

test('isNamespaced', () => {
  const namespaced = KINDS.filter((k) => isNamespaced(k.kind)).map((k) => k.kind).sort()
  assert.deepEqual(namespaced, ['NetworkPolicy', 'NetworkSet', 'StagedKubernetesNetworkPolicy', 'StagedNetworkPolicy', 'WorkloadEndpoint'])
  assert.equal(isNamespaced('Unknown'), false)
})
