import assert from 'node:assert/strict'
import {test} from 'node:test'

import {renderGoTemplate, TemplateError} from '../../../src/cli/output/go-template.js'
import {makeList} from '../../../src/cli/output/printable.js'
import {pool1, pool2, res} from './fixtures.js'

const list = makeList('IPPool', [pool1, pool2], '77')
const run = (tpl: string, results: Parameters<typeof renderGoTemplate>[1] = [list], asNumber?: () => string) =>
  renderGoTemplate(tpl, results, {asNumber})
const fails = (tpl: string, message: string | RegExp, results: Parameters<typeof renderGoTemplate>[1] = [list]) =>
  assert.throws(
    () => run(tpl, results),
    (e: unknown) => e instanceof TemplateError && (typeof message === 'string' ? e.message === message : message.test(e.message)),
    tpl,
  )

test('the template runs against the result slice; a LIST is one element with .Items', () => {
  assert.equal(run('{{range .}}{{range .Items}}{{.ObjectMeta.Name}},{{end}}{{end}}'), 'ippool-name1,pool-b,')
  assert.equal(run('{{len .}} {{range .}}{{.Kind}} {{.APIVersion}} {{.ListMeta.ResourceVersion}}{{end}}'), '1 IPPoolList projectcalico.org/v3 77')
  assert.equal(run('{{range .}}{{.ObjectMeta.Name}}|{{end}}', [pool1, pool2]), 'ippool-name1|pool-b|')
})

test('Go field names map onto JSON keys', () => {
  const tpl = '{{range .}}{{.Spec.CIDR}} {{.Spec.IPIPMode}} {{.Spec.NodeSelector}} {{.TypeMeta.Kind}} {{.Name}}{{end}}'
  assert.equal(run(tpl, [pool1]), "10.0.1.0/24 Always foo == 'bar' IPPool ippool-name1")
})

test('range with index and element variables, and range/else', () => {
  assert.equal(run('{{range $i, $p := (index . 0).Items}}{{$i}}:{{$p.Spec.CIDR}} {{end}}'), '0:10.0.1.0/24 1:fd00:10::/64 ')
  assert.equal(run('{{range $p := (index . 0).Items}}{{$p.Metadata.Name}};{{end}}'), 'ippool-name1;pool-b;')
  assert.equal(run('{{range .}}{{range .Items}}x{{else}}empty{{end}}{{end}}', [makeList('IPPool', [])]), 'empty')
  assert.equal(run('{{range $k, $v := (index (index . 0).Items 0).Spec}}{{$k}} {{end}}'), 'allowedUses assignmentMode blockSize cidr ipipMode nodeSelector vxlanMode ')
  assert.equal(run('{{range 3}}{{.}}{{end}}'), '012')
})

test('if / else if / else, with, and comparisons', () => {
  const tpl =
    '{{range (index . 0).Items}}{{if eq .Spec.IPIPMode "Always"}}A{{else if .Spec.VXLANMode}}V{{else}}-{{end}}{{end}}'
  assert.equal(run(tpl), 'A-')
  assert.equal(run('{{with (index . 0).Items}}{{len .}}{{else}}none{{end}}'), '2')
  assert.equal(run('{{range .}}{{with .Nope}}x{{else}}none{{end}}{{end}}', [pool1]), 'none')
  assert.equal(run('{{if and (gt 2 1) (lt 1.5 2) (ne "a" "b") (le 2 2) (ge 3 3)}}ok{{end}}'), 'ok')
  assert.equal(run('{{if or 0 "" nil}}x{{else}}y{{end}} {{not 0}} {{and 1 "" 2}} {{or 0 "z"}}'), 'y true  z')
  assert.equal(run('{{eq 3 1 2 3}} {{eq "a" "b"}}'), 'true false')
})

test('variables, assignment, pipelines and parentheses', () => {
  assert.equal(run('{{$n := 0}}{{range (index . 0).Items}}{{$n = .Spec.CIDR}}{{end}}{{$n}}'), 'fd00:10::/64')
  assert.equal(run('{{(index . 0).Items | len | printf "%03d"}}'), '002')
  assert.equal(run('{{$}}', []), '[]')
  assert.equal(run('{{range .}}{{.Missing}}|{{$x := .Name}}{{$x}}{{end}}', [pool1]), '<no value>|ippool-name1')
})

test('printf, print, println and Go value formatting', () => {
  assert.equal(run('{{printf "%-6s|%5.2f|%q|%d|%v|%x" "ab" 3.14159 "c" 42 true 255}}'), 'ab    | 3.14|"c"|42|true|ff')
  assert.equal(run('{{print 1 2 "a" "b" 3}}|{{println "x" 1}}'), '1 2ab3|x 1\n')
  assert.equal(run('{{printf "%d %s"  "x"}}'), '%!d(string=x) %!s(MISSING)')
  assert.equal(run('{{printf "%s" 1 2}}'), '%!s(int=1)%!(EXTRA int=2)')
  const p = res('IPPool', 'p', {cidr: '1.0.0.0/8', allowedUses: ['Workload', 'Tunnel'], x: {b: 2, a: 1}, n: null})
  assert.equal(run('{{range .}}{{.Spec.AllowedUses}} {{.Spec.X}} {{.Spec.N}} {{.Spec.Absent}}{{end}}', [p]), '[Workload Tunnel] map[a:1 b:2] <no value> <no value>')
  assert.equal(run('{{printf "%v %v" (index . 0).Spec.N 1.0}}', [p]), '<nil> 1')
})

test('policy and tier order is a float64; timestamps print like Go times', () => {
  const tier = res('Tier', 'default', {order: 1000000}, {creationTimestamp: '2024-05-06T07:08:09Z'})
  assert.equal(run('{{range .}}{{.Spec.Order}} {{.ObjectMeta.CreationTimestamp}}{{end}}', [tier]), '1e+06 2024-05-06 07:08:09 +0000 UTC')
})

test('index, len and slice', () => {
  const p = res('IPPool', 'p', {cidr: '10.0.0.0/8'}, {labels: {app: 'web'}})
  assert.equal(run('{{range .}}{{index .ObjectMeta.Labels "app"}}|{{index .ObjectMeta.Labels "nope"}}|{{len .ObjectMeta.Labels}}{{end}}', [p]), 'web||1')
  assert.equal(run('{{len "héllo"}} {{index "abc" 1}} {{slice "abcdef" 1 3}} {{range .}}{{len .Missing}}{{end}}', [p]), '6 98 bc 0')
  fails('{{index (index . 0).Items 5}}', 'template: get:1:2: executing "get" at <index (index . 0).Items 5>: error calling index: index out of range: 5')
})

test('join, joinAndTruncate and config "asnumber"', () => {
  assert.equal(run('{{range .}}{{join .Spec.AllowedUses ", "}}{{end}}', [pool1]), 'Workload, Tunnel')
  assert.equal(run('{{range .}}{{joinAndTruncate .Spec.AllowedUses "," 10}}{{end}}', [pool1]), 'Workloa...')
  assert.equal(run('{{range .}}{{join .Spec.Missing ","}}{{end}}', [pool1]), '')
  assert.equal(run('{{config "asnumber"}}/{{config "ASNumber"}}', [], () => '65001'), '65001/65001')
  assert.equal(run('{{config "asnumber"}}', []), '64512')
  fails('{{config "other"}}', 'template: get:1:2: executing "get" at <config "other">: error calling config: unhandled config type')
  fails('{{join "a" 5}}', 'template: get:1:11: executing "get" at <5>: expected string; found 5')
})

test('trim markers and comments', () => {
  assert.equal(run('a  {{- "b" -}}  c {{/* note */}}d{{- /* x */ -}}  e'), 'abc de')
  assert.equal(run('{{range (index . 0).Items -}}\n  {{ .Spec.CIDR }}\n{{ end -}}'), '10.0.1.0/24\nfd00:10::/64\n')
  assert.equal(run('{{-3}}'), '-3')
})

test('break and continue inside range', () => {
  const tpl = '{{range (index . 0).Items}}{{if eq .Name "pool-b"}}{{break}}{{end}}{{.Name}}{{end}}'
  assert.equal(run(tpl), 'ippool-name1')
  assert.equal(run('{{range (index . 0).Items}}{{if eq .Name "ippool-name1"}}{{continue}}{{end}}{{.Name}}{{end}}'), 'pool-b')
})

test('parse errors read as Go reports them, one line', () => {
  fails('{{.Foo', 'template: get:1: unclosed action')
  fails('{{range .}}', 'template: get:1: unexpected EOF')
  fails('{{end}}', 'template: get:1: unexpected {{end}}')
  fails('{{if}}{{end}}', 'template: get:1: missing value for if')
  fails('{{foo}}', 'template: get:1: function "foo" not defined')
  fails('{{$x}}', 'template: get:1: undefined variable "$x"')
  fails('a\n{{.A | "x"}}', 'template: get:2: non executable command in pipeline stage 2')
  fails('{{break}}', 'template: get:1: {{break}} outside {{range}}')
  fails('{{"abc}}', 'template: get:1: unterminated quoted string')
  fails('{{.A}', "template: get:1: bad character U+007D '}'")
  fails('{{/* x', 'template: get:1: unclosed comment')
  fails('{{range $a, $b, $c := .}}{{end}}', 'template: get:1: too many declarations in range')
})

test('execution errors name the place and the node', () => {
  fails('{{.Items}}', 'template: get:1:2: executing "get" at <.Items>: can\'t evaluate field Items in type []runtime.Object')
  fails('x\n {{range .}}{{.Kind.Foo}}{{end}}', 'template: get:2:19: executing "get" at <.Kind.Foo>: can\'t evaluate field Foo in type string')
  fails('{{len 1 2}}', 'template: get:1:2: executing "get" at <len>: wrong number of args for len: want 1 got 2')
  fails('{{eq "a" 1}}', 'template: get:1:2: executing "get" at <eq "a" 1>: error calling eq: incompatible types for comparison')
  fails('{{lt true false}}', /error calling lt: invalid type for comparison$/)
  fails('{{range "abc"}}{{end}}', /range can't iterate over abc$/)
  fails('{{nil}}', /nil is not a command$/)
  fails('{{1 2}}', /can't give argument to non-function 1$/)
})

test('constructs outside the supported subset say so', () => {
  fails('{{define "x"}}y{{end}}', 'go-template: {{define}} is not supported')
  fails('{{template "x"}}', 'go-template: {{template}} is not supported')
  fails('{{block "x" .}}y{{end}}', 'go-template: {{block}} is not supported')
  fails('{{html "<"}}', 'go-template: function "html" is not supported')
  fails('{{call .F}}', 'go-template: function "call" is not supported')
  fails('{{urlquery "a"}}', 'go-template: function "urlquery" is not supported')
  fails('{{1i}}', 'go-template: complex number constants is not supported')
})
