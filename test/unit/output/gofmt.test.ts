import assert from 'node:assert/strict'
import {test} from 'node:test'

import {formatFloat} from '../../../src/cli/output/gofloat.js'
import {formatValue, sprintf} from '../../../src/cli/output/gofmt.js'
import {GoFloat, MISSING} from '../../../src/cli/output/govalue.js'

test('%v of a float64 is the shortest %g, with exponents from 1e+06 and below 1e-04', () => {
  const cases: [number, string][] = [
    [100, '100'],
    [123456, '123456'],
    [1000000, '1e+06'],
    [123456789, '1.23456789e+08'],
    [0.5, '0.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
    [0, '0'],
  ]
  for (const [x, want] of cases) assert.equal(formatFloat(x, 'g', -1), want, String(x))
})

test('fixed precision rounds the exact binary value, ties to even', () => {
  assert.equal(formatFloat(0.125, 'f', 2), '0.12')
  assert.equal(formatFloat(0.375, 'f', 2), '0.38')
  assert.equal(formatFloat(1.005, 'f', 2), '1.00')
  assert.equal(formatFloat(2.5, 'f', 0), '2')
  assert.equal(formatFloat(9.999, 'f', 2), '10.00')
  assert.equal(formatFloat(0.0009, 'f', 2), '0.00')
  assert.equal(formatFloat(3.14159, 'e', 3), '3.142e+00')
  assert.equal(formatFloat(0, 'e', 2), '0.00e+00')
  assert.equal(formatFloat(123.456, 'g', 4), '123.5')
  assert.equal(formatFloat(1234567, 'g', 3), '1.23e+06')
  assert.equal(formatFloat(-0, 'g', -1), '-0')
})

test('formatValue prints Go %v: maps sorted, slices spaced, nil and missing', () => {
  assert.equal(formatValue({b: [1, 'x'], a: {z: true}}), 'map[a:map[z:true] b:[1 x]]')
  assert.equal(formatValue(null), '<nil>')
  assert.equal(formatValue(MISSING), '<no value>')
  assert.equal(formatValue(new GoFloat(2)), '2')
  assert.equal(formatValue(new GoFloat(3e6)), '3e+06')
})

test('sprintf verbs, flags and width', () => {
  assert.equal(sprintf('%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c|%U', [42, 42, -42, 7, 255, 255, 8, 5, 65, 0x1f600]), '   42|42   |-0042|+7|ff|FF|10|101|A|U+1F600')
  assert.equal(sprintf('%s|%10s|%-4s|%.2s|%q|%x', ['go', 'right', 'l', 'abc', 'a"b\n', 'hi']), 'go|     right|l   |ab|"a\\"b\\n"|6869')
  assert.equal(sprintf('%f|%.1f|%e|%g|%8.3f|%t|%v', [1.5, 0.25, 1234.5, 0.1, Math.PI, false, [1, 2]]), '1.500000|0.2|1.234500e+03|0.1|   3.142|false|[1 2]')
  assert.equal(sprintf('%*d|%-*d|%.*f', [4, 1, 3, 2, 1, 0.56]), '   1|2  |0.6')
  assert.equal(sprintf('100%%', []), '100%')
})

test("sprintf reports mistakes in-band, as Go's fmt does", () => {
  assert.equal(sprintf('%d', ['x']), '%!d(string=x)')
  assert.equal(sprintf('%s', [3]), '%!s(int=3)')
  assert.equal(sprintf('%d', [1.5]), '%!d(float64=1.5)')
  assert.equal(sprintf('%d', [null]), '%!d(<nil>)')
  assert.equal(sprintf('%s %s', ['a']), 'a %!s(MISSING)')
  assert.equal(sprintf('%s', ['a', 1, null]), 'a%!(EXTRA int=1, <nil>)')
  assert.equal(sprintf('%', []), '%!(NOVERB)')
  assert.equal(sprintf('%z', [1]), '%!z(int=1)')
  assert.equal(sprintf('%T %T %T', ['s', 1, {a: 1}]), 'string int map[string]interface {}')
})
