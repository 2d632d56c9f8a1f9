// Property tests: decoding is idempotent (decode ∘ JSON ∘ decode = decode) and validation gives
// the same verdict on the re-decoded form, for generated policies full of values that need
// normalising. Empty lists are not generated inside entity rules: as in Go, `source: {nets: []}`
// marshals as `source: {}`, which decodes back to a zero EntityRule that omitzero then drops.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import fc from 'fast-check'

import {applyDefaults, decodeResource, validateResource} from '../../../src/api/index.js'
import {doc} from './helpers.js'

const port = fc.oneof(fc.integer({min: 0, max: 65535}), fc.constantFrom('80', '0443', '1:2', '8000:9000', '443:443', 'http', 'metrics'))
const protocol = fc.constantFrom('TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'tcp', 6, '17', 1, 58, '0', 'GRE')
const net = fc.constantFrom('10.0.0.0/8', '10.0.0.1/8', '0.0.0.0/0', 'fd00::/64', '::/0', '192.168.1.1', 'nonsense')
const entity = fc.record(
  {
    nets: fc.array(net, {minLength: 1, maxLength: 2}),
    notNets: fc.array(net, {minLength: 1, maxLength: 2}),
    ports: fc.array(port, {minLength: 1, maxLength: 3}),
    selector: fc.constantFrom("app == 'a'", 'global()', 'has(x)', 'a ='),
    namespaceSelector: fc.constantFrom('global()', 'all()', "global() && a == 'b'"),
  },
  {requiredKeys: []},
)
const rule = fc.record(
  {
    action: fc.constantFrom('Allow', 'Deny', 'Log', 'Pass', 'allow'),
    protocol,
    notProtocol: protocol,
    ipVersion: fc.constantFrom(4, 6, 5),
    icmp: fc.record({type: fc.integer({min: 0, max: 260}), code: fc.integer({min: 0, max: 260})}, {requiredKeys: []}),
    source: entity,
    destination: entity,
  },
  {requiredKeys: ['action']},
)
const policy = fc.record(
  {
    order: fc.double({min: -1e9, max: 1e9, noNaN: true}),
    types: fc.array(fc.constantFrom('Ingress', 'Egress'), {maxLength: 3}),
    ingress: fc.array(rule, {maxLength: 3}),
    egress: fc.array(rule, {maxLength: 3}),
    doNotTrack: fc.boolean(),
    applyOnForward: fc.boolean(),
  },
  {requiredKeys: []},
)

test('decoding a decoded policy changes nothing, and validation agrees', () => {
  fc.assert(
    fc.property(policy, (spec) => {
      const once = decodeResource(doc('GlobalNetworkPolicy', spec))
      const twice = decodeResource(JSON.parse(JSON.stringify(once)))
      assert.deepEqual(twice, once)
      assert.equal(validateResource(twice)?.message, validateResource(once)?.message)
    }),
    {numRuns: 300},
  )
})

test('applyDefaults is idempotent on generated policies', () => {
  fc.assert(
    fc.property(policy, (spec) => {
      const once = applyDefaults(decodeResource(doc('GlobalNetworkPolicy', spec)))
      assert.deepEqual(applyDefaults(once), once)
    }),
    {numRuns: 200},
  )
})

test('validation never throws on generated policies', () => {
  fc.assert(
    fc.property(policy, (spec) => {
      const res = decodeResource(doc('GlobalNetworkPolicy', spec))
      const verdict = validateResource(res)
      assert.ok(verdict === undefined || verdict.message.startsWith('error with'))
    }),
    {numRuns: 300},
  )
})
