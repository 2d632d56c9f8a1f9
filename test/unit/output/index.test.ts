import assert from 'node:assert/strict'
import {test} from 'node:test'

import {OutputError, outputNeedsAsNumber, parseOutputFormat, renderGetOutput} from '../../../src/cli/output/index.js'
import {pool1, pool2, res} from './fixtures.js'

const np = res('NetworkPolicy', 'default.p', {tier: 'default'}, {namespace: 'dev'})

test('each format ends as calicoctl prints it', () => {
  const results = [pool2]
  const get = (o: string) => renderGetOutput({format: parseOutputFormat(o), results})
  assert.ok(get('ps').endsWith('   \n\n'))
  assert.ok(get('yaml').endsWith('fd00:10::/64\n'))
  assert.ok(get('json').endsWith('}'))
  assert.equal(get('go-template={{range .}}{{.ObjectMeta.Name}}{{end}}'), 'pool-b')
})

test('isList wraps the items into one <Kind>List', () => {
  const req = {format: parseOutputFormat('yaml'), results: [pool2], isList: true, listResourceVersion: '3'}
  assert.match(renderGetOutput(req), /^apiVersion: projectcalico.org\/v3\nitems:\n- apiVersion/)
  assert.match(renderGetOutput(req), /kind: IPPoolList\nmetadata:\n {2}resourceVersion: "3"\n$/)
  const empty = {format: parseOutputFormat('ps'), results: [], isList: true, listKind: 'NetworkPolicy', namespaceColumn: true}
  assert.equal(renderGetOutput(empty), 'NAMESPACE   NAME   TIER   \n\n')
  assert.throws(() => renderGetOutput({format: parseOutputFormat('ps'), results: [], isList: true}), OutputError)
})

test('NAMESPACE is added for ps/wide only, never for custom-columns', () => {
  const base = {results: [np], isList: true, namespaceColumn: true}
  assert.match(renderGetOutput({...base, format: parseOutputFormat('wide')}), /^NAMESPACE   NAME        TIER      ORDER   SELECTOR   \n/)
  assert.equal(renderGetOutput({...base, format: parseOutputFormat('custom-columns=NAME')}), 'NAME        \ndefault.p   \n\n')
})

test('go-template-file uses the text the caller read; template errors become OutputError', () => {
  const format = parseOutputFormat('go-template-file=/x.tpl')
  assert.equal(renderGetOutput({format, results: [pool1], templateText: '{{len .}}'}), '1')
  assert.throws(() => renderGetOutput({format, results: [pool1]}), OutputError)
  assert.throws(
    () => renderGetOutput({format: parseOutputFormat('go-template={{.Items}}'), results: [pool1]}),
    (e: unknown) => e instanceof OutputError && e.partial === '' && e.message.includes("can't evaluate field Items"),
  )
})

test('the AS number may be a string or a lazy function', () => {
  const node = res('Node', 'n1', {bgp: {ipv4Address: '10.0.0.1/24'}})
  const format = parseOutputFormat('wide')
  assert.match(renderGetOutput({format, results: [node], asNumber: '64999'}), /\(64999\)/)
  assert.equal(outputNeedsAsNumber({format, results: [node]}), true)
  assert.equal(outputNeedsAsNumber({format: parseOutputFormat('ps'), results: [node]}), false)
  assert.equal(outputNeedsAsNumber({format, results: [res('Node', 'n2', {bgp: {asNumber: 1}})]}), false)
  assert.equal(outputNeedsAsNumber({format: parseOutputFormat('go-template={{config "asnumber"}}'), results: []}), true)
  assert.equal(outputNeedsAsNumber({format: parseOutputFormat('json'), results: [node]}), false)
})
