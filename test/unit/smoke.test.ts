import assert from 'node:assert/strict'
import {test} from 'node:test'

import {kindFromAlias} from '../../src/api/registry.js'

test('aliases resolve case-insensitively', () => {
  assert.equal(kindFromAlias('GNP')?.kind, 'GlobalNetworkPolicy')
})
