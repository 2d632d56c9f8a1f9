import assert from 'node:assert/strict'
import {test} from 'node:test'

import {TabWriter, tabwrite} from '../../../src/cli/output/tabwriter.js'

const dots = (minwidth: number, padding: number) => ({minwidth, tabwidth: 0, padding, padchar: '.'})

test("calicoctl's settings: columns are widest cell + 3, at least 5, trailing cell padded too", () => {
  assert.equal(tabwrite('NAME\tCIDR\t\nx\t10.0.0.0/8\t\n'), 'NAME   CIDR         \nx      10.0.0.0/8   \n')
  assert.equal(tabwrite('A\tB\t\n'), 'A    B    \n')
})

test('text after the last tab is not a column and is never padded', () => {
  assert.equal(tabwrite('ab\tc\n', dots(6, 1)), 'ab....c\n')
  assert.equal(tabwrite('ab\tc', dots(6, 1)), 'ab....c')
  assert.equal(tabwrite('ab\tc\t', dots(6, 1)), 'ab....c')
})

test('an empty tab-terminated cell is padded to the column width', () => {
  assert.equal(tabwrite('\t\n', dots(6, 1)), '......\n')
  assert.equal(tabwrite('x\t\ty\n', dots(3, 0)), 'x.....y\n')
})

test('a column only spans consecutive lines that have a cell in it', () => {
  const src = 'a\tbbbb\tc\n' + 'aaaaaa\tb\n' + 'z\n' + 'a\tb\tc\n'
  // Column 0 spans lines 1-2 (width 6+1); "z" alone ends the block, so line 4 starts afresh.
  const out = 'a......bbbb.c\n' + 'aaaaaa.b\n' + 'z\n' + 'a.b.c\n'
  assert.equal(tabwrite(src, dots(1, 1)), out)
})

test('widths count code points, not UTF-16 units or bytes', () => {
  assert.equal(tabwrite('日本\tx\t\nab\ty\t\n', dots(1, 1)), '日本.x.\nab.y.\n')
  assert.equal(tabwrite('😀\tx\n', dots(1, 1)), '😀.x\n')
})

test('a form feed ends the line and starts new columns', () => {
  assert.equal(tabwrite('aaaa\tb\fc\td\n', dots(1, 0)), 'aaaab\ncd\n')
})

test('align-right pads before the text; discard-empty drops soft-tab columns', () => {
  assert.equal(tabwrite('x\ty\t\n', {...dots(4, 0), alignRight: true}), '...x...y\n')
  assert.equal(tabwrite('a\v\vb', {...dots(4, 0), discardEmptyColumns: true}), 'a...b')
  assert.equal(tabwrite('a\t\tb', {...dots(4, 0), discardEmptyColumns: true}), 'a.......b')
})

test('tab padding rounds cells up to tab stops', () => {
  assert.equal(tabwrite('a\tb\nlonger\tc\n', {minwidth: 0, tabwidth: 4, padding: 1, padchar: '\t'}), 'a\t\tb\nlonger\tc\n')
})

test('writes may arrive in pieces', () => {
  const w = new TabWriter()
  for (const piece of ['NA', 'ME\tCI', 'DR\t\nx', '\ty\t', '\n']) w.write(piece)
  assert.equal(w.flush(), 'NAME   CIDR   \nx      y      \n')
})
