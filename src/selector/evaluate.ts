// Evaluation: a tree is compiled once into nested closures, so matching does no dispatch on node
// kinds, no allocation and no regex. There is one compilation per way of reading labels (plain
// record or map-like), chosen once per call rather than once per label read.
//
// Missing-label semantics are Calico's: ==, contains, starts/ends with, in and has() are false for
// an absent label; != and not in are true.
import type {LabelSetNode, LabelValueNode, SelectorNode} from './ast.js'

export type LabelRecord = Readonly<Record<string, string>>
/** Anything with Map's `get`; only `get` is ever called, so a view over several maps works too. */
export type LabelMap = ReadonlyMap<string, string>
export type Labels = LabelRecord | LabelMap

export type Matcher<L> = (labels: L) => boolean

/** How leaf matchers read one label from a particular label container. */
interface LabelReader<L> {
  has(label: string): Matcher<L>
  value(node: LabelValueNode): Matcher<L>
  set(node: LabelSetNode): Matcher<L>
}

const always: Matcher<unknown> = () => true
const never: Matcher<unknown> = () => false

/** Small sets are scanned; larger ones hashed. Both are allocation-free per call. */
function membership(values: readonly string[]): (value: string) => boolean {
  if (values.length <= 4) {
    const [a, b, c, d] = values
    return (v) => v === a || v === b || v === c || v === d
  }
  const set = new Set(values)
  return (v) => set.has(v)
}

// Record values are read with `r[k]` and accepted only when they are strings: an absent key gives
// undefined and an inherited Object.prototype member (label `constructor`, say) is not a string.
type AnyRecord = Readonly<Record<string, unknown>>

const recordReader: LabelReader<AnyRecord> = {
  has: (k) => (r) => typeof r[k] === 'string',
  value(node) {
    const k = node.label
    const v = node.value
    switch (node.kind) {
      case 'eq':
        return (r) => r[k] === v
      case 'ne':
        return (r) => r[k] !== v
      case 'contains':
        return (r) => {
          const x = r[k]
          return typeof x === 'string' && x.includes(v)
        }
      case 'startsWith':
        return (r) => {
          const x = r[k]
          return typeof x === 'string' && x.startsWith(v)
        }
      case 'endsWith':
        return (r) => {
          const x = r[k]
          return typeof x === 'string' && x.endsWith(v)
        }
    }
  },
  set(node) {
    const k = node.label
    const inSet = membership(node.values)
    if (node.kind === 'in') {
      if (node.values.length === 0) return never
      return (r) => {
        const x = r[k]
        return typeof x === 'string' && inSet(x)
      }
    }
    if (node.values.length === 0) return always
    return (r) => {
      const x = r[k]
      return typeof x !== 'string' || !inSet(x)
    }
  },
}

const mapReader: LabelReader<LabelMap> = {
  has: (k) => (m) => m.get(k) !== undefined,
  value(node) {
    const k = node.label
    const v = node.value
    switch (node.kind) {
      case 'eq':
        return (m) => m.get(k) === v
      case 'ne':
        return (m) => m.get(k) !== v
      case 'contains':
        return (m) => {
          const x = m.get(k)
          return x !== undefined && x.includes(v)
        }
      case 'startsWith':
        return (m) => {
          const x = m.get(k)
          return x !== undefined && x.startsWith(v)
        }
      case 'endsWith':
        return (m) => {
          const x = m.get(k)
          return x !== undefined && x.endsWith(v)
        }
    }
  },
  set(node) {
    const k = node.label
    const inSet = membership(node.values)
    if (node.kind === 'in') {
      if (node.values.length === 0) return never
      return (m) => {
        const x = m.get(k)
        return x !== undefined && inSet(x)
      }
    }
    if (node.values.length === 0) return always
    return (m) => {
      const x = m.get(k)
      return x === undefined || !inSet(x)
    }
  },
}

function compile<L>(node: SelectorNode, reader: LabelReader<L>): Matcher<L> {
  switch (node.kind) {
    case 'all':
    case 'global':
      return always
    case 'has':
      return reader.has(node.label)
    case 'in':
    case 'notIn':
      return reader.set(node)
    case 'not': {
      const operand = compile(node.operand, reader)
      return (l) => !operand(l)
    }
    case 'and': {
      const ops = node.operands.map((op) => compile(op, reader))
      if (ops.length === 1) return ops[0]
      if (ops.length === 2) {
        const [a, b] = ops
        return (l) => a(l) && b(l)
      }
      return (l) => {
        for (let i = 0; i < ops.length; i++) if (!ops[i](l)) return false
        return true
      }
    }
    case 'or': {
      const ops = node.operands.map((op) => compile(op, reader))
      if (ops.length === 1) return ops[0]
      if (ops.length === 2) {
        const [a, b] = ops
        return (l) => a(l) || b(l)
      }
      return (l) => {
        for (let i = 0; i < ops.length; i++) if (ops[i](l)) return true
        return false
      }
    }
    default:
      return reader.value(node)
  }
}

export function compileForRecord(node: SelectorNode): Matcher<LabelRecord> {
  return compile<AnyRecord>(node, recordReader)
}

export function compileForMap(node: SelectorNode): Matcher<LabelMap> {
  return compile(node, mapReader)
}

/**
 * True when `labels` should be read with `get`. A record can't be mistaken for a map: its label
 * values are strings, never functions.
 */
export function isLabelMap(labels: Labels): labels is LabelMap {
  return typeof (labels as {readonly get?: unknown}).get === 'function'
}

/** One-off evaluation without keeping compiled matchers (a Selector caches them instead). */
export function evaluateAst(node: SelectorNode, labels: Labels): boolean {
  return isLabelMap(labels) ? compileForMap(node)(labels) : compileForRecord(node)(labels)
}
