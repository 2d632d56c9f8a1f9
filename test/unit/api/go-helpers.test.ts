// The Go-emulation helpers: float and duration text, IP/CIDR parsing with net.ParseIP's rules,
// error rendering and massaging.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import fc from 'fast-check'
import ipaddr from 'ipaddr.js'

import {
  formatGoDuration,
  ipString,
  massageError,
  netsOverlap,
  netString,
  parseCIDR,
  parseCIDROrIP,
  parseGoDuration,
  parseIP,
  renderValidation,
} from '../../../src/api/index.js'
import {formatFloatG} from '../../../src/api/go/format.js'

test('formatFloatG matches Go %v', () => {
  const cases: Array<[number, string]> = [
    [1000000, '1e+06'],
    [1000, '1000'],
    [10000000, '1e+07'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5, '1.5'],
    [-2.5e-7, '-2.5e-07'],
    [0, '0'],
  ]
  for (const [n, want] of cases) assert.equal(formatFloatG(n), want, String(n))
  assert.equal(formatFloatG(1.1, 32), '1.1')
  assert.equal(formatFloatG(3.14159265358979, 32), '3.1415927')
})

test('Go durations', () => {
  const cases: Array<[string, string]> = [
    ['90s', '1m30s'],
    ['1h', '1h0m0s'],
    ['1.5h', '1h30m0s'],
    ['500ms', '500ms'],
    ['1500us', '1.5ms'],
    ['2µs', '2µs'],
    ['10ns', '10ns'],
    ['0', '0s'],
    ['-1m', '-1m0s'],
    ['1h2m3.5s', '1h2m3.5s'],
    ['+3s', '3s'],
  ]
  for (const [input, want] of cases) assert.equal(formatGoDuration(parseGoDuration(input)), want, input)
  assert.throws(() => parseGoDuration(''), /^Error: time: invalid duration ""$/)
  assert.throws(() => parseGoDuration('.s'), /time: invalid duration "\.s"/)
  assert.throws(() => parseGoDuration('1'), /time: missing unit in duration "1"/)
  assert.throws(() => parseGoDuration('1d'), /time: unknown unit "d" in duration "1d"/)
})

test('durations round-trip through their Go text', () => {
  fc.assert(
    fc.property(fc.bigInt({min: -(10n ** 15n), max: 10n ** 15n}), (ns) => {
      assert.equal(parseGoDuration(formatGoDuration(ns)), ns)
    }),
  )
})

test('net.ParseIP acceptance', () => {
  const good = ['0.0.0.0', '10.0.0.1', '255.255.255.255', '::', '::1', 'fd00::1', '1:2:3:4:5:6:7:8', '1::', '::ffff:1.2.3.4', '64:ff9b::10.0.0.1']
  const bad = ['', '10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '12345::', 'g::1', '1:2:3:4:5:6:7::8']
  for (const s of good) assert.ok(parseIP(s), `should parse ${s}`)
  for (const s of bad) assert.equal(parseIP(s), undefined, `should reject ${s}`)
  assert.equal(parseIP('::ffff:1.2.3.4')?.bytes.length, 4)
})

test('IPv6 printing follows Go', () => {
  const cases: Array<[string, string]> = [
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['FD00:0:0:0::', 'fd00::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
  ]
  for (const [input, want] of cases) assert.equal(ipString(parseIP(input)!), want)
})

test('IPv4 parsing agrees with ipaddr.js four-part decimal rules', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({min: 0, max: 300}), {minLength: 4, maxLength: 4}), (octets) => {
      const text = octets.join('.')
      const ours = parseIP(text) !== undefined
      assert.equal(ours, ipaddr.IPv4.isValidFourPartDecimal(text))
    }),
  )
})

test('IPv6 canonical text agrees with ipaddr.js RFC 5952 printing', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({min: 0, max: 0xffff}).map((n) => (n % 3 === 0 ? 0 : n)), {minLength: 8, maxLength: 8}), (groups) => {
      const text = groups.map((g) => g.toString(16)).join(':')
      const ip = parseIP(text)!
      if (ip.bytes.length === 4) return
      assert.equal(ipString(ip), ipaddr.IPv6.parse(text).toRFC5952String())
    }),
  )
})

test('CIDR parsing and printing', () => {
  const {ip, net} = parseCIDR('10.0.0.1/8')
  assert.equal(ipString(ip), '10.0.0.1')
  assert.equal(netString(net), '10.0.0.0/8')
  assert.equal(netString(parseCIDR('fd00:0:0::1/64').net), 'fd00::/64')
  assert.throws(() => parseCIDR('10.0.0.0'), /invalid CIDR address: 10.0.0.0/)
  assert.throws(() => parseCIDR('10.0.0.0/33'))
  assert.throws(() => parseCIDR('fd00::/129'))
  assert.equal(netString(parseCIDROrIP('10.0.0.1').net), '10.0.0.1/32')
  assert.equal(netString(parseCIDROrIP('fd00::1').net), 'fd00::1/128')
  assert.equal(netString(parseCIDROrIP('').net), '<nil>')
  assert.throws(() => parseCIDROrIP('nonsense'))
})

test('network overlap', () => {
  const n = (s: string): ReturnType<typeof parseCIDR>['net'] => parseCIDR(s).net
  assert.ok(netsOverlap(n('10.0.0.0/8'), n('10.1.0.0/16')))
  assert.ok(netsOverlap(n('10.1.0.0/16'), n('10.0.0.0/8')))
  assert.ok(!netsOverlap(n('10.0.0.0/16'), n('10.1.0.0/16')))
  assert.ok(!netsOverlap(n('10.0.0.0/8'), n('fd00::/8')))
  assert.ok(netsOverlap(n('169.254.1.0/24'), n('169.254.0.0/16')))
})

test('massageError', () => {
  assert.equal(massageError('error unmarshaling JSON: while decoding JSON: json: unknown field "x"'), 'field in document is not recognized or is in the wrong location: x')
  assert.equal(massageError('failed to execute command: error unmarshaling JSON: while decoding JSON: json: unknown field "spec2"'), 'field in document is not recognized or is in the wrong location: spec2')
  assert.equal(massageError('error unmarshaling JSON: while decoding JSON: json: cannot unmarshal'), 'cannot unmarshal')
  assert.equal(
    massageError('failed to execute command: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal'),
    'failed to execute command: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal',
  )
})

test('ErrorValidation rendering', () => {
  assert.equal(renderValidation([]), 'unknown validation error')
  assert.equal(renderValidation([{field: 'F', value: 'v', reason: 'r'}]), "error with field F = 'v' (r)")
  assert.equal(renderValidation([{field: 'F', reason: 'r'}]), 'error with field F (r)')
  assert.equal(renderValidation([{field: 'F', value: '', reason: ''}]), "error with field F = ''")
  assert.equal(renderValidation([{field: 'A', value: '1', reason: 'x'}, {field: 'B', reason: 'y'}]), "error with the following fields:\n-  A = '1' (x)\n-  B (y)\n")
})
