// decodeResource: strict decoding with Go's error texts, value normalisation, key order and
// omitempty, as calicoctl's resourcemgr + sigs.k8s.io/yaml + encoding/json produce them.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {DecodeError, decodeResource} from '../../../src/api/index.js'
import {doc} from './helpers.js'

const PREFIX = 'error unmarshaling JSON: while decoding JSON: '

/** The DecodeError a document raises (fails the test if it decodes). */
function decodeError(document: unknown): DecodeError {
  try {
    decodeResource(document)
  } catch (err) {
    assert.ok(err instanceof DecodeError, `expected a DecodeError, got ${String(err)}`)
    return err
  }
  assert.fail('document decoded without error')
}

function spec(document: unknown): Record<string, unknown> {
  return decodeResource(document).spec as Record<string, unknown>
}

const unknownFieldCases: Array<[string, unknown, string]> = [
  ['top level', {...doc('IPPool', {cidr: '10.0.0.0/16'}), foo: 1}, 'foo'],
  ['metadata', doc('IPPool', {cidr: '10.0.0.0/16'}, {bogus: 'x'}), 'bogus'],
  ['spec', doc('BGPPeer', {asNumber: 64590, unknown: 'thing', node: 'node2', peerIP: 'fd5f::6:ee'}), 'unknown'],
  ['rule', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', destinations: {}}]}), 'destinations'],
  ['entity rule', doc('NetworkPolicy', {egress: [{action: 'Allow', destination: {port: [80]}}]}), 'port'],
  ['HTTP path', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', http: {paths: [{regex: '/x'}]}}]}), 'regex'],
  ['status on a kind without one', {...doc('GlobalNetworkPolicy', {}), status: {}}, 'status'],
  ['felix field typo', doc('FelixConfiguration', {logSeverityScren: 'Info'}), 'logSeverityScren'],
  ['deprecated IPPool field', doc('IPPool', {cidr: '10.0.0.0/16', 'nat-outgoing': true}), 'nat-outgoing'],
  ['secret ref', doc('BGPPeer', {password: {secretKeyRef: {name: 'a', key: 'b', namespace: 'c'}}}), 'namespace'],
  ['first in sorted key order', doc('IPPool', {zzz: 1, aaa: 2, cidr: '10.0.0.0/16'}), 'aaa'],
  ['metadata sorts before spec', doc('IPPool', {zz: 1}, {aa: 1}), 'aa'],
]

for (const [where, document, field] of unknownFieldCases) {
  test(`decode: unknown field in ${where}`, () => {
    const err = decodeError(document)
    assert.equal(err.message, `field in document is not recognized or is in the wrong location: ${field}`)
    assert.equal(err.goError, `${PREFIX}json: unknown field "${field}"`)
  })
}

const typeErrorCases: Array<[string, unknown, string]> = [
  ['string block size', doc('IPPool', {cidr: '10.0.0.0/16', blockSize: '26'}), 'cannot unmarshal string into Go struct field IPPoolSpec.spec.blockSize of type int'],
  ['string bool', doc('IPPool', {cidr: '10.0.1.0/24', disabled: 'True'}), 'cannot unmarshal string into Go struct field IPPoolSpec.spec.disabled of type bool'],
  ['number bool', doc('IPPool', {cidr: '10.0.1.0/24', natOutgoing: 1}), 'cannot unmarshal number into Go struct field IPPoolSpec.spec.natOutgoing of type bool'],
  ['fractional int', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', ipVersion: 4.5}]}), 'cannot unmarshal number 4.5 into Go struct field Rule.spec.ingress.ipVersion of type int'],
  ['int32 overflow', doc('IPAMConfiguration', {maxBlocksPerHost: 2147483648}), 'cannot unmarshal number 2147483648 into Go struct field IPAMConfigurationSpec.spec.maxBlocksPerHost of type int32'],
  ['string float', doc('GlobalNetworkPolicy', {order: 'high'}), 'cannot unmarshal string into Go struct field GlobalNetworkPolicySpec.spec.order of type float64'],
  ['object for a rule list', doc('GlobalNetworkPolicy', {ingress: {action: 'Allow'}}), 'cannot unmarshal object into Go struct field GlobalNetworkPolicySpec.spec.ingress of type []v3.Rule'],
  ['array for a spec', {...doc('IPPool', undefined), spec: [1]}, 'cannot unmarshal array into Go struct field IPPool.spec of type v3.IPPoolSpec'],
  ['object label value', doc('IPPool', {cidr: '10.0.0.0/16'}, {labels: {a: {b: 'c'}}}), 'cannot unmarshal object into Go struct field ObjectMeta.metadata.labels of type string'],
  ['string ICMP type', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: 'ICMP', icmp: {type: '8'}}]}), 'cannot unmarshal string into Go struct field ICMPFields.spec.ingress.icmp.type of type int'],
  ['string generation', doc('Tier', {}, {generation: '1'}), 'cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64'],
  ['array for an action', doc('GlobalNetworkPolicy', {egress: [{action: ['Allow']}]}), 'cannot unmarshal array into Go struct field Rule.spec.egress.action of type v3.Action'],
  ['negative port', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: [-1]}}]}), 'cannot unmarshal number -1 into Go struct field EntityRule.spec.ingress.destination.ports of type uint16'],
  ['port above 65535', doc('NetworkPolicy', {egress: [{action: 'Deny', source: {protocol: 'TCP', ports: [10, 90, 65536]}}]}), 'cannot unmarshal number 65536 into Go struct field EntityRule.spec.egress.source.ports of type uint16'],
  ['boolean port', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', destination: {ports: [true]}}]}), 'cannot unmarshal bool into Go struct field EntityRule.spec.ingress.destination.ports of type uint16'],
  ['protocol above 255', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: 300}]}), 'cannot unmarshal number 300 into Go struct field Rule.spec.ingress.protocol of type uint8'],
  ['AS number above 32 bits', doc('BGPPeer', {asNumber: 4294967296, node: 'node1', peerIP: '192.168.0.250'}), 'cannot unmarshal number into Go struct field BGPPeerSpec.spec.asNumber of type string'],
  ['unquoted asdot (YAML reads a float)', doc('BGPPeer', {asNumber: 1.1}), 'cannot unmarshal number into Go struct field BGPPeerSpec.spec.asNumber of type string'],
  ['number duration', doc('BGPPeer', {keepaliveTime: 30}), 'cannot unmarshal number into Go struct field BGPPeerSpec.spec.keepaliveTime of type string'],
  ['endPort as a string', doc('StagedKubernetesNetworkPolicy', {ingress: [{ports: [{endPort: '90'}]}]}), 'cannot unmarshal string into Go struct field NetworkPolicyPort.spec.ingress.ports.endPort of type int32'],
]

for (const [what, document, message] of typeErrorCases) {
  test(`decode: type error, ${what}`, () => {
    const err = decodeError(document)
    assert.equal(err.message, message)
    assert.equal(err.goError, `${PREFIX}json: ${message}`)
  })
}

const customErrorCases: Array<[string, unknown, string]> = [
  ['port string too big', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: ['65536']}}]}), 'invalid port format (65536)'],
  ['port range end too big', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: ['1:65536']}}]}), 'invalid maximum port number in range (1:65536)'],
  ['reversed port range', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: ['5:1']}}]}), 'minimum port number (5) is greater than maximum port number (1) in port range'],
  ['bad named port', doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', destination: {ports: ['bad port']}}]}), 'invalid name for named port (bad port)'],
  ['bad asdot', doc('BGPPeer', {asNumber: '1.70000'}), 'invalid AS Number format (1.70000)'],
  ['AS word', doc('BGPConfiguration', {asNumber: 'sixty'}), 'invalid AS Number format (sixty)'],
  ['duration without a unit', doc('BGPPeer', {keepaliveTime: '30'}), 'time: missing unit in duration "30"'],
  ['duration with an unknown unit', doc('BGPPeer', {maxRestartTime: '5x'}), 'time: unknown unit "x" in duration "5x"'],
  ['not a duration', doc('KubeControllersConfiguration', {etcdV3CompactionPeriod: 'weekly'}), 'time: invalid duration "weekly"'],
  [
    'not a timestamp',
    doc('Tier', {}, {creationTimestamp: 'yesterday'}),
    'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
  ],
]

for (const [what, document, message] of customErrorCases) {
  test(`decode: UnmarshalJSON error, ${what}`, () => {
    const err = decodeError(document)
    // No "json: " prefix, so massageError leaves the sigs.k8s.io/yaml prefix in place.
    assert.equal(err.goError, `${PREFIX}${message}`)
    assert.equal(err.message, `${PREFIX}${message}`)
  })
}

test('decode: an UnmarshalJSON error stops decoding, beating an earlier unknown field', () => {
  const err = decodeError(doc('BGPPeer', {aaa: 1, asNumber: 'x'}))
  assert.equal(err.goError, `${PREFIX}invalid AS Number format (x)`)
})

test('decode: the first remembered error wins over later ones', () => {
  const err = decodeError(doc('IPPool', {blockSize: 'x', disabled: 'y', zzz: 1}))
  assert.equal(err.message, 'cannot unmarshal string into Go struct field IPPoolSpec.spec.blockSize of type int')
})

const kindCases: Array<[string, unknown, string]> = [
  ['unknown kind', {apiVersion: 'projectcalico.org/v3', kind: 'Foo', metadata: {name: 'x'}}, 'unknown resource type (Foo) and/or version (projectcalico.org/v3)'],
  ['kinds are case-sensitive', {apiVersion: 'projectcalico.org/v3', kind: 'ippool'}, 'unknown resource type (ippool) and/or version (projectcalico.org/v3)'],
  ['bare version', {apiVersion: 'v7', kind: 'BGPPeer'}, 'unknown resource type (BGPPeer) and/or version (v7)'],
  ['old group version', {apiVersion: 'projectcalico.org/v2', kind: 'IPPool'}, 'unknown resource type (IPPool) and/or version (projectcalico.org/v2)'],
  ['CRD group', {apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool'}, 'unknown resource type (IPPool) and/or version (crd.projectcalico.org/v1)'],
  ['missing version', {kind: 'IPPool'}, 'unknown resource type (IPPool) and/or version ()'],
]

for (const [what, document, message] of kindCases) {
  test(`decode: ${what}`, () => {
    const err = decodeError(document)
    assert.equal(err.message, message)
    assert.equal(err.goError, message)
  })
}

test('decode: a document without a kind', () => {
  const err = decodeError({apiVersion: 'projectcalico.org/v3', metadata: {name: 'x'}})
  assert.equal(err.goError, `${PREFIX}json: cannot unmarshal object into Go value of type []unstructured.Unstructured`)
  assert.equal(err.message, 'cannot unmarshal object into Go value of type []unstructured.Unstructured')
})

test('decode: protocols, ports and AS numbers are normalised', () => {
  const s = spec(
    doc('GlobalNetworkPolicy', {
      ingress: [
        {action: 'Allow', protocol: '6', destination: {ports: ['80', '0080', '443:443', '8000:9000', 'http', 22]}},
        {action: 'Allow', protocol: 'TCP', notProtocol: 17},
      ],
    }),
  )
  assert.deepEqual(s.ingress, [
    {action: 'Allow', protocol: 6, destination: {ports: [80, 80, 443, '8000:9000', 'http', 22]}},
    {action: 'Allow', protocol: 'TCP', notProtocol: 17},
  ])
  assert.equal(spec(doc('BGPPeer', {asNumber: '1.10'})).asNumber, 65546)
  assert.equal(spec(doc('BGPPeer', {asNumber: '65000'})).asNumber, 65000)
  assert.equal(spec(doc('BGPConfiguration', {asNumber: 64512})).asNumber, 64512)
  assert.deepEqual(spec(doc('BGPFilter', {exportV4: [{action: 'Accept', asPathPrefix: ['0.1', 65000]}]})).exportV4, [
    {asPathPrefix: [1, 65000], action: 'Accept'},
  ])
})

test('decode: durations and timestamps are re-printed as Go prints them', () => {
  const s = spec(doc('BGPPeer', {keepaliveTime: '90s', maxRestartTime: '1.5h'}))
  assert.equal(s.keepaliveTime, '1m30s')
  assert.equal(s.maxRestartTime, '1h30m0s')
  assert.equal(spec(doc('BGPConfiguration', {nodeMeshMaxRestartTime: '500ms'})).nodeMeshMaxRestartTime, '500ms')
  assert.equal(spec(doc('FelixConfiguration', {reportingInterval: '0'})).reportingInterval, '0s')
  assert.equal(spec(doc('FelixConfiguration', {iptablesLockProbeInterval: '1500us'})).iptablesLockProbeInterval, '1.5ms')
  const meta = decodeResource(doc('Tier', {}, {creationTimestamp: '2024-01-01T01:00:00.5+01:00'})).metadata
  assert.equal(meta.creationTimestamp, '2024-01-01T00:00:00Z')
})

test('decode: YAML numbers and booleans in string fields become strings', () => {
  const res = decodeResource(doc('GlobalNetworkSet', {nets: ['10.0.0.0/8']}, {name: 123, labels: {version: 1.1, enabled: true, count: 12, big: 1234567.5}}))
  assert.equal(res.metadata.name, '123')
  assert.deepEqual(res.metadata.labels, {big: '1.2345675e+06', count: '12', enabled: 'true', version: '1.1'})
  assert.equal(spec(doc('GlobalNetworkPolicy', {selector: true})).selector, 'true')
})

test('decode: keys match case-insensitively when no exact match exists', () => {
  assert.deepEqual(spec(doc('IPPool', {CIDR: '10.0.0.0/16', BlockSize: 24, IPIPMode: 'Always'})), {
    cidr: '10.0.0.0/16',
    ipipMode: 'Always',
    blockSize: 24,
  })
  const s = spec(doc('NetworkPolicy', {Egress: [{action: 'Deny'}], Ingress: [{action: 'Allow'}], order: 100000, selector: ''}))
  assert.deepEqual(s, {order: 100000, ingress: [{action: 'Allow'}], egress: [{action: 'Deny'}]})
})

test('decode: of two keys folding to one field, the later in sorted order wins', () => {
  assert.deepEqual(spec(doc('NetworkPolicy', {Egress: [{action: 'Deny'}], egress: [{action: 'Allow'}]})).egress, [{action: 'Allow'}])
})

test('decode: output uses Go key order', () => {
  const res = decodeResource({
    spec: {natOutgoing: true, blockSize: 26, cidr: '10.0.0.0/16', ipipMode: 'Always', nodeSelector: 'all()'},
    metadata: {labels: {b: '2', a: '1'}, name: 'p'},
    kind: 'IPPool',
    apiVersion: 'projectcalico.org/v3',
  })
  assert.equal(
    JSON.stringify(res),
    '{"kind":"IPPool","apiVersion":"projectcalico.org/v3","metadata":{"name":"p","labels":{"a":"1","b":"2"}},' +
      '"spec":{"cidr":"10.0.0.0/16","ipipMode":"Always","natOutgoing":true,"blockSize":26,"nodeSelector":"all()"}}',
  )
})

test('decode: omitempty, omitzero and always-printed fields', () => {
  assert.deepEqual(spec(doc('IPPool', {cidr: '10.0.0.0/16', blockSize: 0, natOutgoing: false, allowedUses: []})), {cidr: '10.0.0.0/16'})
  assert.deepEqual(spec(doc('IPPool', {})), {cidr: ''})
  assert.deepEqual(spec(doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', source: {}, destination: {nets: []}}]})).ingress, [
    {action: 'Allow', destination: {}},
  ])
  assert.deepEqual(JSON.stringify(decodeResource(doc('Tier', {order: 5}))), '{"kind":"Tier","apiVersion":"projectcalico.org/v3","metadata":{"name":"test-name"},"spec":{"order":5},"status":{}}')
  assert.deepEqual(spec(doc('IPAMConfiguration', {})), {strictAffinity: false, autoAllocateBlocks: false})
  assert.deepEqual(spec(doc('FelixConfiguration', {})), {bpfLogLevel: ''})
  assert.deepEqual(spec(doc('HostEndpoint', {ports: [{port: 80}]})).ports, [{name: '', protocol: 0, port: 80}])
  assert.deepEqual(decodeResource(doc('Node', {})).status, {})
  assert.deepEqual(decodeResource(doc('KubeControllersConfiguration', {})).spec, {controllers: {}})
  assert.deepEqual(spec(doc('BGPFilter', {exportV4: [{action: 'Accept', communities: {}}]})).exportV4, [
    {communities: {values: null}, action: 'Accept'},
  ])
  assert.deepEqual(decodeResource(doc('CalicoNodeStatus', {node: 'n'})).status, {
    lastUpdated: null,
    agent: {birdV4: {}, birdV6: {}},
    bgp: {numberEstablishedV4: 0, numberNotEstablishedV4: 0, numberEstablishedV6: 0, numberNotEstablishedV6: 0},
    routes: {},
  })
})

test('decode: JSON null clears pointers and keeps map keys', () => {
  assert.deepEqual(spec(doc('IPPool', {cidr: '10.0.0.0/16', assignmentMode: null, ipipMode: null})), {cidr: '10.0.0.0/16'})
  assert.deepEqual(decodeResource(doc('IPPool', {cidr: '10.0.0.0/16'}, {labels: {a: null}})).metadata.labels, {a: ''})
})

test('decode: the input object is not modified', () => {
  const input = doc('GlobalNetworkPolicy', {ingress: [{action: 'Allow', protocol: '6'}]})
  const before = JSON.stringify(input)
  decodeResource(input)
  assert.equal(JSON.stringify(input), before)
})
