import assert from 'node:assert/strict'
import {test} from 'node:test'

import {colours, useColour} from '../../../src/cli/output/colour.js'

test('colour only on a terminal, and never with NO_COLOR set', () => {
  assert.equal(useColour({isTTY: true}, {}), true)
  assert.equal(useColour({isTTY: false}, {}), false)
  assert.equal(useColour({}, {}), false)
  assert.equal(useColour({isTTY: true}, {NO_COLOR: '1'}), false)
  assert.equal(useColour({isTTY: true}, {NO_COLOR: ''}), true)
})

test('the chalk wrapper is plain text when colour is off', () => {
  assert.equal(colours({isTTY: false}, {}).red('x'), 'x')
  assert.equal(colours({isTTY: true}, {NO_COLOR: 'yes'}).bold('y'), 'y')
  assert.equal(colours({isTTY: true}, {}).red('x'), '\u001b[31mx\u001b[39m')
})
