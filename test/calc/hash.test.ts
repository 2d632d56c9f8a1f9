import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {makeUniqueId, sha224} from '../../src/calc/hash.js'
import {selectorUniqueId} from '../../src/selector/index.js'

describe('calc hash', () => {
  it('sha224 matches node:crypto for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 300}), (bytes) => {
        assert.deepEqual(Buffer.from(sha224(bytes)), createHash('sha224').update(bytes).digest())
      }),
    )
  })

  it('makeUniqueId("s", …) equals the selector module’s uniqueId', () => {
    assert.equal(makeUniqueId('s', "app == \"web\""), selectorUniqueId('app == "web"'))
    assert.equal(makeUniqueId('n', 'x'), 'n:' + createHash('sha224').update('n:x').digest('base64url'))
  })
})
