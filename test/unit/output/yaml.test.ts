import assert from 'node:assert/strict'
import {test} from 'node:test'

import {marshalYaml, keyLess} from '../../../src/cli/output/goyaml.js'
import {makeList} from '../../../src/cli/output/printable.js'
import {renderYaml} from '../../../src/cli/output/yaml.js'
import {pool1, pool2, res} from './fixtures.js'

const POOL1_BODY =
  'apiVersion: projectcalico.org/v3\n' +
  'kind: IPPool\n' +
  'metadata:\n' +
  '  name: ippool-name1\n' +
  '  resourceVersion: "42"\n' +
  'spec:\n' +
  '  allowedUses:\n' +
  '  - Workload\n' +
  '  - Tunnel\n' +
  '  assignmentMode: Automatic\n' +
  '  blockSize: 27\n' +
  '  cidr: 10.0.1.0/24\n' +
  '  ipipMode: Always\n' +
  "  nodeSelector: foo == 'bar'\n" +
  '  vxlanMode: Never\n'

const withRV = {...pool1, metadata: {...pool1.metadata, resourceVersion: '42'}}

test('one result prints as a bare object with sorted keys', () => {
  assert.equal(renderYaml([withRV]), POOL1_BODY)
})

test('several results print as a sequence, items not indented', () => {
  const out = renderYaml([withRV, pool2])
  const indented = POOL1_BODY.split('\n')
    .filter((l) => l !== '')
    .map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
    .join('\n')
  assert.equal(
    out,
    indented +
      '\n- apiVersion: projectcalico.org/v3\n  kind: IPPool\n  metadata:\n    name: pool-b\n  spec:\n    cidr: fd00:10::/64\n',
  )
})

test('a list prints as one <Kind>List; an empty one has items: []', () => {
  assert.equal(
    renderYaml([makeList('Profile', [], '1234')]),
    'apiVersion: projectcalico.org/v3\nitems: []\nkind: ProfileList\nmetadata:\n  resourceVersion: "1234"\n',
  )
  const out = renderYaml([makeList('IPPool', [pool2], '9')])
  assert.equal(
    out,
    'apiVersion: projectcalico.org/v3\n' +
      'items:\n' +
      '- apiVersion: projectcalico.org/v3\n' +
      '  kind: IPPool\n' +
      '  metadata:\n' +
      '    name: pool-b\n' +
      '  spec:\n' +
      '    cidr: fd00:10::/64\n' +
      'kind: IPPoolList\n' +
      'metadata:\n' +
      '  resourceVersion: "9"\n',
  )
})

test('no results print null; a struct spec is always present; zero metadata is omitted', () => {
  assert.equal(renderYaml([]), 'null\n')
  const bare = {apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: {name: 't', creationTimestamp: null, uid: ''}}
  assert.equal(renderYaml([bare]), 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: t\nspec: {}\nstatus: {}\n')
})

test('strings that would read back as another type are double-quoted', () => {
  const quoted = ['true', 'False', 'yes', 'n', 'on', 'null', '~', '', '123', '-7', '0x1F', '0o17', '1_000', '1.5', '.5', '1e3', '.inf', '2024-01-02', '2024-01-02T03:04:05Z', '1:20']
  for (const s of quoted) assert.equal(marshalYaml({k: s}), `k: ${JSON.stringify(s)}\n`, s)
  const plain = ['10.0.0.0/8', 'fd00::/64', '2001:db8::1', '1.2.3', 'hello world', 'a-b', 'all()', '0x', '08x', 'yes!', '2024-13-01', '2023-02-29', 'ünï']
  for (const s of plain) assert.equal(marshalYaml({k: s}), `k: ${s}\n`, s)
})

test('strings with YAML indicators are single-quoted, quotes doubled', () => {
  const cases: [string, string][] = [
    ['x: y', "'x: y'"],
    ['- item', "'- item'"],
    ['-', "'-'"],
    ['#c', "'#c'"],
    ['a #c', "'a #c'"],
    ['!has(x)', "'!has(x)'"],
    ['*', "'*'"],
    ["'q'", "'''q'''"],
    [' lead', "' lead'"],
    ['trail ', "'trail '"],
    ['---', "'---'"],
    ['a:b', 'a:b'],
    ['a#b', 'a#b'],
    ["it's", "it's"],
  ]
  for (const [s, want] of cases) assert.equal(marshalYaml({k: s}), `k: ${want}\n`, s)
})

test('control and astral characters force double quotes with Go escapes', () => {
  assert.equal(marshalYaml({k: 'a\tb'}), 'k: "a\\tb"\n')
  assert.equal(marshalYaml({k: 'bell\x07'}), 'k: "bell\\a"\n')
  assert.equal(marshalYaml({k: 'cr\r'}), 'k: "cr\\r"\n')
  assert.equal(marshalYaml({k: 'smile 😀'}), 'k: "smile \\U0001F600"\n')
})

test('multi-line strings are literal blocks with go-yaml chomping and indent hints', () => {
  assert.equal(marshalYaml({k: 'a\nb'}), 'k: |-\n  a\n  b\n')
  assert.equal(marshalYaml({k: 'a\nb\n'}), 'k: |\n  a\n  b\n')
  assert.equal(marshalYaml({k: 'a\n\n'}), 'k: |+\n  a\n\n')
  assert.equal(marshalYaml({k: '  x\ny'}), 'k: |2-\n    x\n  y\n')
  assert.equal(marshalYaml({k: 'a \nb'}), 'k: "a \\nb"\n')
  assert.equal(marshalYaml({outer: {k: 'a\nb'}}), 'outer:\n  k: |-\n    a\n    b\n')
})

test('long strings fold at a space past column 80', () => {
  const selector = "a == 'b' && c == 'd' && has(x) && some.long/label.key in {'aaaaa', 'bbbbb', 'ccccc'} && !has(yyyyy)"
  assert.equal(
    marshalYaml({spec: {selector}}),
    "spec:\n  selector: a == 'b' && c == 'd' && has(x) && some.long/label.key in {'aaaaa', 'bbbbb',\n" +
      "    'ccccc'} && !has(yyyyy)\n",
  )
  const quoted = "'" + 'x'.repeat(10) + ' y'.repeat(50)
  const out = marshalYaml({k: quoted})
  assert.ok(out.startsWith("k: '''xxxxxxxxxx y"), out)
  assert.ok(out.split('\n').length > 2, out)
})

test('numbers: ints in full, floats as Go %g, collections nest go-yaml style', () => {
  assert.equal(marshalYaml({a: 1000000, b: 1.5, c: 1e21, d: 0.000001, e: -3, f: null, g: true}), 'a: 1000000\nb: 1.5\nc: 1e+21\nd: 1e-06\ne: -3\nf: null\ng: true\n')
  assert.equal(marshalYaml([[1, 2], {k: 'v', l: []}, {}]), '- - 1\n  - 2\n- k: v\n  l: []\n- {}\n')
})

test("keys sort in go-yaml's order: non-letters before letters, digit runs by value", () => {
  assert.equal(marshalYaml({ab: 1, aB: 2, a10: 3, a9: 4, a_b: 5}), 'a_b: 5\na9: 4\na10: 3\naB: 2\nab: 1\n')
  assert.ok(keyLess('ipv4', 'ipv6'))
  assert.ok(keyLess('x2', 'x10'))
  assert.ok(!keyLess('x10', 'x2'))
  assert.ok(keyLess('a', 'ab'))
})

test('keys that look like other types are quoted too', () => {
  assert.equal(marshalYaml({y: 1, n: 2, yes: 3, '1': 4}), '"1": 4\n"n": 2\n"y": 1\n"yes": 3\n')
})

test('labels and annotations keep their content; sorting applies to every map', () => {
  const r = res('NetworkSet', 'ns', {nets: ['10.0.0.0/8']}, {namespace: 'default', labels: {'role': 'db', 'app.kubernetes.io/name': 'x'}})
  assert.equal(
    renderYaml([r]),
    'apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  labels:\n    app.kubernetes.io/name: x\n    role: db\n  name: ns\n  namespace: default\nspec:\n  nets:\n  - 10.0.0.0/8\n',
  )
})
