import assert from 'node:assert/strict'
import {test} from 'node:test'

import {join, joinAndTruncate} from '../../../src/cli/output/join.js'

test('join handles nil, slices, maps and single values', () => {
  assert.equal(join(null, ','), '')
  assert.equal(join([], ','), '')
  assert.equal(join(['x', 'y', 'z'], '; '), 'x; y; z')
  assert.equal(join([3, 'a', true], '-'), '3-a-true')
  assert.equal(join({zeta: 'z', alpha: 1}, ','), 'alpha=1,zeta=z')
  assert.equal(join('solo', ','), 'solo')
})

test('joinAndTruncate cuts once the output passes maxLen, keeping maxLen characters', () => {
  assert.equal(joinAndTruncate(['abcdef'], ',', 6), 'abcdef')
  assert.equal(joinAndTruncate(['abcdefg'], ',', 6), 'abc...')
  assert.equal(joinAndTruncate(['ab', 'cd'], ',', 5), 'ab,cd')
  assert.equal(joinAndTruncate(['ab', 'cd', 'e'], ',', 5), 'ab...')
  assert.equal(joinAndTruncate({k1: 'v1', k2: 'v2'}, ',', 4), 'k...')
  assert.equal(joinAndTruncate(['abcd'], ',', 3), '...')
  assert.throws(() => joinAndTruncate(['abc'], ',', 2), /truncation out of range/)
})
