// Property tests: the parser never fails in any way but SelectorParseError, canonical printing
// round-trips, and compiled evaluation agrees with a plain reference interpreter.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import fc from 'fast-check'

import {SelectorParseError, type SelectorNode, parseSelector, selectorFromAst} from '../../../src/selector/index.js'

type LabelSet = Record<string, string>

// ---------- reference semantics, written independently of src/selector/evaluate.ts ----------

function referenceEvaluate(node: SelectorNode, labels: LabelSet): boolean {
  const present = (k: string): boolean => Object.hasOwn(labels, k)
  switch (node.kind) {
    case 'all':
    case 'global':
      return true
    case 'has':
      return present(node.label)
    case 'eq':
      return present(node.label) && labels[node.label] === node.value
    case 'ne':
      return !present(node.label) || labels[node.label] !== node.value
    case 'contains':
      return present(node.label) && labels[node.label].includes(node.value)
    case 'startsWith':
      return present(node.label) && labels[node.label].startsWith(node.value)
    case 'endsWith':
      return present(node.label) && labels[node.label].endsWith(node.value)
    case 'in':
      return present(node.label) && node.values.includes(labels[node.label])
    case 'notIn':
      return !present(node.label) || !node.values.includes(labels[node.label])
    case 'not':
      return !referenceEvaluate(node.operand, labels)
    case 'and':
      return node.operands.every((op) => referenceEvaluate(op, labels))
    case 'or':
      return node.operands.some((op) => referenceEvaluate(op, labels))
  }
}

/** Go sorts set values by UTF-8 bytes; Buffer.compare gives that order independently of the code under test. */
function goSortedUnique(values: readonly string[]): string[] {
  const sorted = [...values].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')))
  return sorted.filter((v, i) => i === 0 || sorted[i - 1] !== v)
}

// ---------- generators ----------

const labelArb = fc.constantFrom('a', 'b', 'c', 'k8s.io/app', 'get', 'in', 'has', 'all', 'constructor', 'x_y-z.0')
const valueArb = fc
  .oneof(
    fc.constantFrom('', 'x', 'y', 'xy', 'a b', '"', "it's", 'all()', '&&', '\u{1F600}', '\uFFFD', 'é'),
    fc.string({maxLength: 4, unit: fc.constantFrom('x', 'y', '"', "'", ' ')}),
  )
  // A literal has no escapes, so no value can hold both quote characters.
  .filter((v) => !(v.includes('"') && v.includes("'")))

/** Trees in the shape the parser builds: sets normalised, AND/OR of 2+ operands, no `!!`. */
const astArb: fc.Arbitrary<SelectorNode> = fc.letrec<{node: SelectorNode; leaf: SelectorNode}>((tie) => ({
  leaf: fc.oneof(
    fc.constant<SelectorNode>({kind: 'all'}),
    fc.constant<SelectorNode>({kind: 'global'}),
    labelArb.map((label): SelectorNode => ({kind: 'has', label})),
    fc
      .tuple(fc.constantFrom('eq', 'ne', 'contains', 'startsWith', 'endsWith' as const), labelArb, valueArb)
      .map(([kind, label, value]): SelectorNode => ({kind, label, value})),
    fc
      .tuple(fc.constantFrom('in', 'notIn' as const), labelArb, fc.array(valueArb, {maxLength: 6}))
      .map(([kind, label, values]): SelectorNode => ({kind, label, values: goSortedUnique(values)})),
  ),
  node: fc.oneof(
    {maxDepth: 4, depthIdentifier: 'selector'},
    tie('leaf'),
    tie('node')
      .filter((n) => n.kind !== 'not')
      .map((operand): SelectorNode => ({kind: 'not', operand})),
    fc
      .tuple(fc.constantFrom('and', 'or' as const), fc.array(tie('node'), {minLength: 2, maxLength: 4}))
      .map(([kind, operands]): SelectorNode => ({kind, operands})),
  ),
})).node

const space = fc.constantFrom('', ' ', '\t', '  ')
const someSpace = fc.constantFrom(' ', '\t', '  ')

/**
 * Prints a tree as messily as the grammar allows while still meaning exactly that tree: random
 * whitespace, quote styles, `notin`/`startswith`, redundant parentheses and `!!`, shuffled and
 * repeated set members, trailing commas, and parentheses left off where precedence allows.
 */
function noisyText(node: SelectorNode): fc.Arbitrary<string> {
  const quoted = (v: string): fc.Arbitrary<string> =>
    v.includes('"') ? fc.constant(`'${v}'`) : v.includes("'") ? fc.constant(`"${v}"`) : fc.constantFrom(`"${v}"`, `'${v}'`)
  const withExtras = (inner: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    fc
      .tuple(inner, fc.boolean(), fc.boolean(), space)
      .map(([text, doubleNot, parens, ws]) => `${doubleNot ? `!!${ws}` : ''}${parens ? `(${ws}${text}${ws})` : text}`)

  switch (node.kind) {
    case 'all':
      return withExtras(fc.tuple(space).map(([ws]) => `all(${ws})`))
    case 'global':
      return withExtras(fc.tuple(space).map(([ws]) => `global(${ws})`))
    case 'has':
      return withExtras(fc.tuple(space, space).map(([w1, w2]) => `has(${w1}${node.label}${w2})`))
    case 'in':
    case 'notIn': {
      const op = node.kind === 'in' ? fc.constant('in') : fc.constantFrom('not in', 'notin', 'not\t in')
      const members = fc
        .shuffledSubarray([...node.values, ...node.values], {minLength: node.values.length * 2})
        .chain((vs) => fc.tuple(...vs.map(quoted)))
      return withExtras(
        fc
          .tuple(someSpace, op, space, members, fc.boolean(), space)
          .map(([w1, o, w2, ms, trailingComma, w3]) => {
            const body = ms.join(`,${w3}`) + (trailingComma && ms.length > 0 ? ',' : '')
            return `${node.label}${w1}${o}${w2}{${w3}${body}${w3}}`
          }),
      )
    }
    case 'not': {
      // `!` binds to one operation, so an AND/OR operand needs its parentheses.
      const grouped = node.operand.kind === 'and' || node.operand.kind === 'or'
      return fc
        .tuple(noisyText(node.operand), space)
        .map(([inner, ws]) => `!${ws}${grouped ? `(${inner})` : inner}`)
    }
    case 'and':
    case 'or': {
      const joiner = node.kind === 'and' ? '&&' : '||'
      // Children that would merge into this node (same kind), or an OR under an AND, need parentheses.
      const operandTexts = node.operands.map((op) => {
        const needsParens = op.kind === node.kind || (node.kind === 'and' && op.kind === 'or')
        return noisyText(op).map((t) => (needsParens ? `(${t})` : t))
      })
      return fc
        .tuple(fc.tuple(...operandTexts), space, fc.boolean())
        .map(([texts, ws, parens]) => {
          const joined = texts.join(`${ws}${joiner}${ws === '' ? ' ' : ws}`)
          return parens ? `(${joined})` : joined
        })
    }
    default: {
      const ops: Record<string, readonly string[]> = {
        eq: ['=='],
        ne: ['!='],
        contains: ['contains'],
        startsWith: ['starts with', 'startswith', 'starts  with'],
        endsWith: ['ends with', 'endswith'],
      }
      const isWord = node.kind !== 'eq' && node.kind !== 'ne'
      return withExtras(
        fc
          .tuple(isWord ? someSpace : space, fc.constantFrom(...ops[node.kind]), space, quoted(node.value))
          .map(([w1, op, w2, q]) => `${node.label}${w1}${op}${w2}${q}`),
      )
    }
  }
}

const labelSetArb: fc.Arbitrary<LabelSet> = fc.dictionary(labelArb, valueArb, {maxKeys: 5})

/** Random token soup: mostly grammar fragments, so the parser's deeper error paths get exercised. */
const tokenSoupArb = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'b', 'k8s.io/x', '==', '!=', '!', '&&', '||', '(', ')', '{', '}', ',', 'in', 'not', 'notin', 'not in'),
      fc.constantFrom('contains', 'starts', 'with', 'ends', 'has(', 'has(a)', 'all()', 'global()', 'all(', '"x"', "'y'", '"', "'"),
      fc.constantFrom(' ', '\t', '\n', '=', '&', '|', '%', 'é', ''),
    ),
    {maxLength: 14},
  )
  .map((parts) => parts.join(''))

// ---------- properties ----------

/** Parses, insisting that the only possible failure is a well-formed SelectorParseError. */
function parseOrNull(text: string): ReturnType<typeof parseSelector> | null {
  try {
    return parseSelector(text)
  } catch (err) {
    assert.ok(err instanceof SelectorParseError, `threw ${String(err)} for ${JSON.stringify(text)}`)
    assert.equal(err.selector, text)
    assert.ok(Number.isInteger(err.position) && err.position >= 0 && err.position <= text.length, `position ${err.position}`)
    assert.ok(err.message.length > 0)
    return null
  }
}

/** For text that parsed: canonical printing settles within two rounds and keeps the meaning. */
function checkCanonicalStability(text: string, labelSets: readonly LabelSet[]): void {
  const first = parseOrNull(text)
  if (first === null) return
  const second = parseSelector(first.toString())
  const third = parseSelector(second.toString())
  assert.equal(third.toString(), second.toString(), `not a fixed point: ${JSON.stringify(text)}`)
  assert.equal(third.uniqueId(), second.uniqueId())
  for (const labels of labelSets) {
    const expected = first.evaluate(labels)
    assert.equal(second.evaluate(labels), expected)
    assert.equal(third.evaluate(new Map(Object.entries(labels))), expected)
  }
}

describe('parseSelector on arbitrary input', () => {
  test('printable ASCII strings: returns or throws SelectorParseError', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 40}), fc.array(labelSetArb, {maxLength: 3}), (text, labelSets) => {
        checkCanonicalStability(text, labelSets)
      }),
      {numRuns: 2000},
    )
  })

  test('any code points: returns or throws SelectorParseError', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 40, unit: 'binary'}), (text) => {
        parseOrNull(text)
      }),
      {numRuns: 2000},
    )
  })

  test('grammar-shaped token soup: returns or throws SelectorParseError', () => {
    fc.assert(
      fc.property(tokenSoupArb, fc.array(labelSetArb, {maxLength: 3}), (text, labelSets) => {
        checkCanonicalStability(text, labelSets)
      }),
      {numRuns: 3000},
    )
  })

  test('deep nesting and long input never overflow the stack', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 3000}), fc.constantFrom('(', '!(', '!'), (depth, open) => {
        const close = open === '!' ? '' : ')'
        parseOrNull(`${open.repeat(depth)}a == "b"${close.repeat(depth)}`)
      }),
      {numRuns: 200},
    )
  })
})

describe('canonical form', () => {
  test('parse(print(tree)) is the tree, and print is then a fixed point', () => {
    fc.assert(
      fc.property(astArb, (ast) => {
        const printed = canonicalText(ast)
        assert.equal(selectorFromAst(ast).toString(), printed)
        const reparsed = parseSelector(printed)
        assert.deepEqual(reparsed.ast, ast)
        assert.equal(reparsed.toString(), printed)
      }),
      {numRuns: 1000},
    )
  })

  test('messy but equivalent text parses to the same tree', () => {
    fc.assert(
      fc.property(
        astArb.chain((ast) => fc.tuple(fc.constant(ast), noisyText(ast))),
        ([ast, text]) => {
          const sel = parseSelector(text)
          assert.deepEqual(sel.ast, ast, `text: ${text}`)
          assert.equal(sel.toString(), canonicalText(ast))
        },
      ),
      {numRuns: 1000},
    )
  })

  test('compiled evaluation agrees with the reference interpreter, before and after printing', () => {
    fc.assert(
      fc.property(astArb, fc.array(labelSetArb, {minLength: 1, maxLength: 6}), (ast, labelSets) => {
        const sel = parseSelector(canonicalText(ast))
        for (const labels of labelSets) {
          const expected = referenceEvaluate(ast, labels)
          assert.equal(sel.evaluate(labels), expected, `${sel.toString()} on ${JSON.stringify(labels)}`)
          assert.equal(sel.evaluate(new Map(Object.entries(labels))), expected)
          assert.equal(parseSelector(sel.toString()).evaluate(labels), expected)
        }
      }),
      {numRuns: 1000},
    )
  })
})

/** An independent canonical printer (mirrors Go's collectFragments), so print.ts is checked too. */
function canonicalText(node: SelectorNode): string {
  const q = (v: string): string => (v.includes('"') ? `'${v}'` : `"${v}"`)
  switch (node.kind) {
    case 'all':
      return 'all()'
    case 'global':
      return 'global()'
    case 'has':
      return `has(${node.label})`
    case 'eq':
      return `${node.label} == ${q(node.value)}`
    case 'ne':
      return `${node.label} != ${q(node.value)}`
    case 'contains':
      return `${node.label} contains ${q(node.value)}`
    case 'startsWith':
      return `${node.label} starts with ${q(node.value)}`
    case 'endsWith':
      return `${node.label} ends with ${q(node.value)}`
    case 'in':
      return `${node.label} in {${node.values.map(q).join(', ')}}`
    case 'notIn':
      return `${node.label} not in {${node.values.map(q).join(', ')}}`
    case 'not':
      return `!${canonicalText(node.operand)}`
    case 'and':
      return `(${node.operands.map(canonicalText).join(' && ')})`
    case 'or':
      return `(${node.operands.map(canonicalText).join(' || ')})`
  }
}
