import assert from 'node:assert/strict'
import {test} from 'node:test'

import {OutputFormatError, parseOutputFormat} from '../../../src/cli/output/format.js'

test('bare formats are matched exactly, yml is yaml', () => {
  assert.deepEqual(parseOutputFormat('ps'), {kind: 'ps'})
  assert.deepEqual(parseOutputFormat('wide'), {kind: 'wide'})
  assert.deepEqual(parseOutputFormat('yaml'), {kind: 'yaml'})
  assert.deepEqual(parseOutputFormat('yml'), {kind: 'yaml'})
  assert.deepEqual(parseOutputFormat('json'), {kind: 'json'})
})

test('custom-columns splits on commas without trimming', () => {
  assert.deepEqual(parseOutputFormat('custom-columns=NAME,CIDR'), {kind: 'custom-columns', columns: ['NAME', 'CIDR']})
  assert.deepEqual(parseOutputFormat('custom-columns=NAME,,CIDR'), {kind: 'custom-columns', columns: ['NAME', '', 'CIDR']})
  assert.deepEqual(parseOutputFormat('custom-columns=NAME, CIDR'), {kind: 'custom-columns', columns: ['NAME', ' CIDR']})
})

test('templates keep everything after the first "="', () => {
  assert.deepEqual(parseOutputFormat('go-template={{if eq .A "x=y"}}{{end}}'), {
    kind: 'go-template',
    template: '{{if eq .A "x=y"}}{{end}}',
  })
  assert.deepEqual(parseOutputFormat('go-template-file=/tmp/t.tpl'), {kind: 'go-template-file', path: '/tmp/t.tpl'})
})

test('calicoctl error texts', () => {
  const cases: [string, string][] = [
    ['custom-columns', 'need to specify at least one column'],
    ['custom-columns=', 'need to specify at least one column'],
    ['go-template', 'need to specify a template'],
    ['go-template=', 'need to specify a template'],
    ['go-template-file=', 'need to specify a template file'],
    ['YAML', "unrecognized output format 'YAML'"],
    ['table', "unrecognized output format 'table'"],
    ['wide=1', "unrecognized output format 'wide=1'"],
    ['', "unrecognized output format ''"],
  ]
  for (const [raw, message] of cases) {
    assert.throws(() => parseOutputFormat(raw), (e: unknown) => e instanceof OutputFormatError && e.message === message, raw)
  }
})
