import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {
  SelectorParseError,
  type Labels,
  evaluateAst,
  normaliseSelector,
  parseSelector,
  selectorUniqueId,
  validateSelector,
} from '../../../src/selector/index.js'
import {type LabelSet, errorCases, parseCases} from './cases.js'

const show = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s)

/** The same labels as a record and as a Map, so both reading paths are exercised. */
function labelForms(labels: LabelSet): Labels[] {
  return [labels, new Map(Object.entries(labels))]
}

test('the table has at least 150 cases', () => {
  assert.ok(parseCases.length + errorCases.length >= 150, `${parseCases.length} + ${errorCases.length}`)
})

describe('parse and print (table)', () => {
  for (const c of parseCases) {
    test(show(c.input), () => {
      const sel = parseSelector(c.input)
      assert.equal(sel.toString(), c.canonical)
      assert.equal(String(sel), c.canonical)
      assert.equal(sel.uniqueId(), selectorUniqueId(c.canonical))
      assert.equal(normaliseSelector(c.input), c.canonical)
      assert.equal(validateSelector(c.input), undefined)

      const reparsed = parseSelector(c.canonical)
      assert.equal(reparsed.toString(), c.reprints ?? c.canonical)

      for (const labels of c.matches ?? []) {
        for (const form of labelForms(labels)) {
          assert.equal(sel.evaluate(form), true, `should match ${JSON.stringify(labels)}`)
          assert.equal(reparsed.evaluate(form), true, `canonical form should match ${JSON.stringify(labels)}`)
          assert.equal(evaluateAst(sel.ast, form), true)
        }
      }
      for (const labels of c.nonMatches ?? []) {
        for (const form of labelForms(labels)) {
          assert.equal(sel.evaluate(form), false, `should not match ${JSON.stringify(labels)}`)
          assert.equal(reparsed.evaluate(form), false, `canonical form should not match ${JSON.stringify(labels)}`)
          assert.equal(evaluateAst(sel.ast, form), false)
        }
      }
    })
  }
})

describe('parse errors (table)', () => {
  for (const c of errorCases) {
    test(show(c.input), () => {
      assert.throws(
        () => parseSelector(c.input),
        (err: unknown) => {
          assert.ok(err instanceof SelectorParseError, `not a SelectorParseError: ${String(err)}`)
          assert.equal(err.message, c.message)
          assert.equal(err.position, c.position)
          assert.equal(err.selector, c.input)
          assert.equal(err.name, 'SelectorParseError')
          return true
        },
      )
      const err = validateSelector(c.input)
      assert.ok(err instanceof SelectorParseError)
      assert.equal(err.message, c.message)
    })
  }
})

describe('UniqueID', () => {
  // Vectors from libcalico-go parser_test.go canonicalisationTests.
  const vectors: ReadonlyArray<readonly [string, string]> = [
    ['', 's:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug'],
    [' all() ', 's:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug'],
    [' (all() )', 's:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug'],
    ['! (has( b)||! has(a ))', 's:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q'],
    ['! (a == "b"&&! c != "d")', 's:lh3haoY1ikTRkd4UZu0nWSaIBknYLPJLX16d-w'],
  ]
  for (const [input, id] of vectors) {
    test(show(input), () => {
      const sel = parseSelector(input)
      assert.equal(sel.uniqueId(), id)
      assert.equal(sel.uniqueId(), id, 'stable across calls')
    })
  }

  test('equal canonical forms give equal ids; different ones differ', () => {
    assert.equal(parseSelector(`a=='b'`).uniqueId(), parseSelector(`a == "b"`).uniqueId())
    assert.notEqual(parseSelector(`a == "b"`).uniqueId(), parseSelector(`a == "c"`).uniqueId())
  })
})

describe('labelKeys', () => {
  test('de-duplicated, in canonical order, including has() and set labels', () => {
    const sel = parseSelector(`b == "x" && (has(a) || c in {"1"}) && !b != "y" && d not in {} && e contains "" && all()`)
    assert.deepEqual(sel.labelKeys(), ['b', 'a', 'c', 'd', 'e'])
  })

  test('none for all() and global()', () => {
    assert.deepEqual(parseSelector('').labelKeys(), [])
    assert.deepEqual(parseSelector('global() || all()').labelKeys(), [])
  })

  test('returns a fresh array each call', () => {
    const sel = parseSelector('has(a)')
    sel.labelKeys().push('mutated')
    assert.deepEqual(sel.labelKeys(), ['a'])
  })
})

describe('normaliseSelector', () => {
  test('trims with Go TrimSpace (newlines, NEL; not BOM) before parsing', () => {
    assert.equal(normaliseSelector('\n a == "b" \r\n'), 'a == "b"')
    assert.equal(normaliseSelector('\u0085a == "b"\u00a0'), 'a == "b"')
    assert.equal(normaliseSelector('\ufeffa == "b"'), '\ufeffa == "b"')
  })

  test('returns unparseable text trimmed but otherwise unchanged, like Go', () => {
    assert.equal(normaliseSelector('  a == b  '), 'a == b')
    assert.equal(normaliseSelector('a ==\n"b"'), 'a ==\n"b"')
  })

  test('empty means all()', () => {
    assert.equal(normaliseSelector(''), 'all()')
    assert.equal(normaliseSelector(' \t\n'), 'all()')
  })
})

describe('evaluation details', () => {
  test('a map-like object is read only through get()', () => {
    const sel = parseSelector('a == "x" && has(b) && c not in {"z"}')
    const base = new Map([['a', 'x']])
    const view: ReadonlyMap<string, string> = Object.assign(Object.create(null) as object, {
      get: (k: string) => (k === 'b' ? 'from-parent' : base.get(k)),
    }) as ReadonlyMap<string, string>
    assert.equal(sel.evaluate(view), true)
  })

  test('records whose keys shadow Map method names are still records', () => {
    const sel = parseSelector('get == "x" && has == "y"')
    assert.equal(sel.evaluate({get: 'x', has: 'y'}), true)
    assert.equal(sel.evaluate({get: 'x'}), false)
  })

  test('prototype-less records work', () => {
    const labels = Object.assign(Object.create(null) as Record<string, string>, {a: 'b'})
    assert.equal(parseSelector('a == "b" && !has(constructor)').evaluate(labels), true)
  })

  test('evaluating many times gives the same answer', () => {
    const sel = parseSelector('a in {"1", "2", "3", "4", "5", "6"} || b starts with "x"')
    for (let i = 0; i < 1000; i++) {
      assert.equal(sel.evaluate({a: String(i % 10)}), i % 10 >= 1 && i % 10 <= 6)
    }
  })
})
