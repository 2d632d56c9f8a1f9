import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {MAX_LABEL_LENGTH, isValidLabelKey, tokenizeSelector} from '../../../src/selector/index.js'

/** Tokens as `kind` or `kind:value`, for compact expectations. */
function kinds(text: string): string[] {
  return tokenizeSelector(text).map((t) => (t.value === '' ? t.kind : `${t.kind}:${t.value}`))
}

describe('tokenizer', () => {
  // Token streams from libcalico-go tokenizer_test.go.
  const streams: ReadonlyArray<readonly [string, readonly string[]]> = [
    [`a=="b"`, ['label:a', 'eq', 'string:b', 'eof']],
    [`a!="b"`, ['label:a', 'ne', 'string:b', 'eof']],
    [`(a=="b")`, ['lparen', 'label:a', 'eq', 'string:b', 'rparen', 'eof']],
    [`contains contains "contains"`, ['label:contains', 'contains', 'string:contains', 'eof']],
    [`startswith starts with "value"`, ['label:startswith', 'startsWith', 'string:value', 'eof']],
    [`label endswith "value"`, ['label:label', 'endsWith', 'string:value', 'eof']],
    [
      `a not in "bar" && !has(foo) || b in c`,
      ['label:a', 'notIn', 'string:bar', 'and', 'not', 'has:foo', 'or', 'label:b', 'in', 'label:c', 'eof'],
    ],
    [
      `a notin"bar"&&!has(foo)||b in"c"`,
      ['label:a', 'notIn', 'string:bar', 'and', 'not', 'has:foo', 'or', 'label:b', 'in', 'string:c', 'eof'],
    ],
    [`a not in {"a","B"}`, ['label:a', 'notIn', 'lbrace', 'string:a', 'comma', 'string:B', 'rbrace', 'eof']],
    [`has(calico/k8s_NS-.1/role)`, ['has:calico/k8s_NS-.1/role', 'eof']],
    [`global( )`, ['global', 'eof']],
    [`all( )`, ['all', 'eof']],
    [``, ['eof']],
    [` \t `, ['eof']],
  ]
  for (const [text, expected] of streams) {
    test(JSON.stringify(text), () => assert.deepEqual(kinds(text), expected))
  }

  test('records token positions', () => {
    const tokens = tokenizeSelector(`  has(x) && k in {'v'}`)
    assert.deepEqual(
      tokens.map((t) => t.position),
      [2, 9, 12, 14, 17, 18, 21, 22],
    )
  })

  test('word operators are only recognised straight after a label', () => {
    assert.deepEqual(kinds(`in in {}`), ['label:in', 'in', 'lbrace', 'rbrace', 'eof'])
    assert.deepEqual(kinds(`has(a) && contains == "x"`), ['has:a', 'and', 'label:contains', 'eq', 'string:x', 'eof'])
  })
})

describe('isValidLabelKey', () => {
  test('accepts label-name characters up to the limit', () => {
    for (const key of ['a', 'k8s.io/app', 'projectcalico.org/namespace', 'A_b-c.d/e', '0', 'a'.repeat(MAX_LABEL_LENGTH)]) {
      assert.equal(isValidLabelKey(key), true, key)
    }
  })

  test('rejects empty, too long and other characters', () => {
    for (const key of ['', 'a'.repeat(MAX_LABEL_LENGTH + 1), 'a b', 'a:b', 'é', 'a==', '"a"']) {
      assert.equal(isValidLabelKey(key), false, key)
    }
  })
})
