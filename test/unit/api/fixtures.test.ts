// Every realistic manifest in test/fixtures/api decodes, validates, survives defaulting and
// re-decodes to itself (the Go encode/decode round trip is stable).
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {test} from 'node:test'

import {applyDefaults, decodeResource, validateResource} from '../../../src/api/index.js'
import {fixture} from './helpers.js'

const names = readdirSync(new URL('../../fixtures/api/', import.meta.url)).filter((f) => f.endsWith('.yaml')).sort()

for (const name of names) {
  test(`fixture ${name}`, () => {
    const res = decodeResource(fixture(name))
    assert.equal(validateResource(res)?.message, undefined)
    assert.deepEqual(decodeResource(JSON.parse(JSON.stringify(res))), res)
    const defaulted = applyDefaults(res)
    assert.equal(validateResource(defaulted)?.message, undefined)
    assert.deepEqual(applyDefaults(defaulted), defaulted)
    assert.deepEqual(decodeResource(JSON.parse(JSON.stringify(defaulted))), defaulted)
  })
}

test('fixture: the GlobalNetworkPolicy prints as Go would', () => {
  const res = decodeResource(fixture('globalnetworkpolicy.yaml'))
  assert.equal(
    JSON.stringify(res.spec),
    '{"tier":"default","order":100,"ingress":[{"action":"Allow","protocol":"TCP","source":{"nets":["10.0.0.0/8"],"notNets":["10.1.0.0/16"]},' +
      '"destination":{"ports":[80,443,"8000:8080"]}},{"action":"Allow","protocol":"ICMP","icmp":{"type":8,"code":0}},' +
      '{"action":"Log","metadata":{"annotations":{"example.com/reason":"audit"}}}],"egress":[{"action":"Allow","protocol":"UDP",' +
      '"destination":{"selector":"k8s-app == \\"kube-dns\\"","namespaceSelector":"global()","ports":[53]}},{"action":"Allow",' +
      '"protocol":"TCP","destination":{"services":{"name":"kubernetes","namespace":"default"}}},{"action":"Deny"}],' +
      '"selector":"role == \'web\' && env in {\\"prod\\", \\"staging\\"}","types":["Ingress","Egress"],"namespaceSelector":"has(projectcalico.org/name)"}',
  )
})
