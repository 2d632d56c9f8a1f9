import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {LabelIndex, restrictionOf} from '../../src/calc/label-index.js'
import {parseSelector} from '../../src/selector/index.js'

function recorder() {
  const events: string[] = []
  const index = new LabelIndex({
    onMatchStarted: (s, i) => events.push(`+${s}:${i}`),
    onMatchStopped: (s, i) => events.push(`-${s}:${i}`),
  })
  return {index, events, take: () => events.splice(0).sort()}
}

describe('label index', () => {
  it('evaluates new selectors at flush, then tracks label changes incrementally', () => {
    const {index, take} = recorder()
    index.updateItem('e1', {app: 'web'})
    index.updateItem('e2', {app: 'db'})
    index.updateSelector('web', parseSelector("app == 'web'"))
    index.updateSelector('any', parseSelector('has(app)'))
    index.updateSelector('not-db', parseSelector("app != 'db'"))
    assert.deepEqual(take(), [], 'nothing before flush')
    index.flush()
    assert.deepEqual(take(), ['+any:e1', '+any:e2', '+not-db:e1', '+web:e1'])
    index.updateItem('e2', {app: 'web'})
    assert.deepEqual(take(), ['+not-db:e2', '+web:e2'])
    index.updateItem('e1', {})
    assert.deepEqual(take(), ['-any:e1', '-web:e1'])
    index.deleteItem('e2')
    assert.deepEqual(take(), ['-any:e2', '-not-db:e2', '-web:e2'])
  })

  it('replacing a selector stops old matches now and starts new ones at flush; same text is a no-op', () => {
    const {index, take} = recorder()
    index.updateItem('e1', {app: 'web'})
    index.updateSelector('s', parseSelector("app == 'web'"))
    index.flush()
    take()
    index.updateSelector('s', parseSelector('app == "web"'))
    index.flush()
    assert.deepEqual(take(), [])
    index.updateSelector('s', parseSelector("app == 'db'"))
    assert.deepEqual(take(), ['-s:e1'])
    index.updateItem('e2', {app: 'db'})
    index.flush()
    assert.deepEqual(take(), ['+s:e2'])
    index.deleteSelector('s')
    assert.deepEqual(take(), ['-s:e2'])
  })

  it('files selectors under the restriction their AST guarantees', () => {
    assert.deepEqual(restrictionOf(parseSelector("a == 'x' && has(b)").ast), {key: 'a', values: ['x']})
    assert.deepEqual(restrictionOf(parseSelector("has(b) && a in {'y', 'x'}").ast), {key: 'a', values: ['x', 'y']})
    assert.deepEqual(restrictionOf(parseSelector("has(b) && a != 'x'").ast), {key: 'b', values: undefined})
    assert.equal(restrictionOf(parseSelector("a == 'x' || b == 'y'").ast), undefined)
    assert.equal(restrictionOf(parseSelector('!has(a)').ast), undefined)
  })

  for (const indexItems of [false, true]) it(`agrees with brute-force evaluation for random selectors and label churn (item index ${indexItems ? 'on' : 'off'})`, () => {
    const value = fc.constantFrom('x', 'y', 'z')
    const labels = fc.dictionary(fc.constantFrom('a', 'b', 'c'), value, {maxKeys: 3})
    const selectors = ["a == 'x'", "a in {'x', 'y'}", 'has(b)', "a == 'x' && b != 'y'", "a == 'x' || c == 'z'", '!has(a)', 'all()', "b contains 'y'", "a not in {'x'}", "has(c) && a == 'z'"]
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.tuple(fc.constantFrom('i1', 'i2', 'i3', 'i4'), fc.option(labels, {nil: undefined})), fc.tuple(fc.constantFrom(...selectors), fc.boolean())), {maxLength: 40}),
        (ops) => {
          const matches = new Set<string>()
          const index = new LabelIndex({
            onMatchStarted: (s, i) => {
              assert.ok(!matches.has(`${s}|${i}`), 'started twice')
              matches.add(`${s}|${i}`)
            },
            onMatchStopped: (s, i) => assert.ok(matches.delete(`${s}|${i}`)),
          }, {indexItems})
          const items = new Map<string, Record<string, string>>()
          const active = new Set<string>()
          for (const [id, arg] of ops) {
            if (typeof arg === 'boolean') {
              if (arg) {
                index.updateSelector(id, parseSelector(id))
                active.add(id)
              } else {
                index.deleteSelector(id)
                active.delete(id)
              }
            } else if (arg) {
              index.updateItem(id, arg)
              items.set(id, arg)
            } else {
              index.deleteItem(id)
              items.delete(id)
            }
          }
          index.flush()
          // And once more after further churn against the now-active selectors.
          for (const [id, l] of [...items].reverse()) {
            const changed = {...l, a: l.a === 'x' ? 'y' : 'x'}
            index.updateItem(id, changed)
            items.set(id, changed)
          }
          const expected = new Set<string>()
          for (const s of active) for (const [i, l] of items) if (parseSelector(s).evaluate(l)) expected.add(`${s}|${i}`)
          assert.deepEqual([...matches].sort(), [...expected].sort())
        },
      ),
      {numRuns: 500},
    )
  })
})
