import assert from 'node:assert/strict'
import {test} from 'node:test'

import {goQuote, renderJson} from '../../../src/cli/output/json.js'
import {makeList} from '../../../src/cli/output/printable.js'
import {pool2, res} from './fixtures.js'

const POOL2 = `{
  "kind": "IPPool",
  "apiVersion": "projectcalico.org/v3",
  "metadata": {
    "name": "pool-b"
  },
  "spec": {
    "cidr": "fd00:10::/64"
  }
}`

test('one result: bare object, Go struct order (kind first), two-space indent, no trailing newline', () => {
  assert.equal(renderJson([pool2]), POOL2)
})

test('several results: an array of objects', () => {
  const nested = POOL2.split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
  assert.equal(renderJson([pool2, pool2]), `[\n${nested},\n${nested}\n]`)
})

test('a list: kind, apiVersion, metadata.resourceVersion, items; empty items is []', () => {
  assert.equal(
    renderJson([makeList('IPPool', [], '17')]),
    '{\n  "kind": "IPPoolList",\n  "apiVersion": "projectcalico.org/v3",\n  "metadata": {\n    "resourceVersion": "17"\n  },\n  "items": []\n}',
  )
  assert.equal(renderJson([makeList('IPPool', [])]), '{\n  "kind": "IPPoolList",\n  "apiVersion": "projectcalico.org/v3",\n  "metadata": {},\n  "items": []\n}')
})

test('no results: null', () => {
  assert.equal(renderJson([]), 'null')
})

test('metadata follows ObjectMeta order and drops zero values; labels sort', () => {
  const r = {
    spec: {selector: 'all()'},
    metadata: {labels: {b: '2', a: '1'}, resourceVersion: '5', creationTimestamp: null, name: 'x', namespace: 'ns', uid: 'u-1', generation: 0},
    kind: 'NetworkPolicy',
    apiVersion: 'projectcalico.org/v3',
  }
  assert.equal(
    renderJson([r]),
    '{\n  "kind": "NetworkPolicy",\n  "apiVersion": "projectcalico.org/v3",\n  "metadata": {\n    "name": "x",\n    "namespace": "ns",\n' +
      '    "uid": "u-1",\n    "resourceVersion": "5",\n    "labels": {\n      "a": "1",\n      "b": "2"\n    }\n  },\n  "spec": {\n    "selector": "all()"\n  }\n}',
  )
})

test("strings are escaped as Go's encoder does (HTML-safe)", () => {
  assert.equal(goQuote("a && b < c > d"), '"a \\u0026\\u0026 b \\u003c c \\u003e d"')
  assert.equal(goQuote('q"\\\n\t\r\b\f\x01'), '"q\\"\\\\\\n\\t\\r\\b\\f\\u0001"')
  assert.equal(goQuote('\u2028\u2029é😀'), '"\\u2028\\u2029é😀"')
  assert.equal(goQuote('\ud800x'), '"\ufffdx"')
  const gnp = res('GlobalNetworkPolicy', 'g', {selector: "has(a) && b == 'c'", order: 1000000, types: []})
  // The api layer's normaliseResource puts spec in Go field order and drops the empty types.
  assert.match(renderJson([gnp]), /"spec": \{\n {4}"order": 1000000,\n {4}"selector": "has\(a\) \\u0026\\u0026 b == 'c'"\n {2}\}/)
})
