// Selector syntax tree. The node kinds mirror libcalico-go's parser/ast.go one for one, because the
// canonical text (and so the UniqueID that names ipsets) is printed straight from the tree's shape.
// Nodes are plain immutable data; printing, evaluation and rewriting live in their own modules.

export interface AllNode {
  readonly kind: 'all'
}

/** `global()`: matches everything when evaluated; only meaningful in an EntityRule namespaceSelector. */
export interface GlobalNode {
  readonly kind: 'global'
}

export interface HasNode {
  readonly kind: 'has'
  readonly label: string
}

export type ValueOperator = 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'

/** `label <op> "value"`. */
export interface LabelValueNode {
  readonly kind: ValueOperator
  readonly label: string
  readonly value: string
}

export type SetOperator = 'in' | 'notIn'

/** `label in {...}` / `label not in {...}`. `values` is sorted in Go byte order and has no duplicates. */
export interface LabelSetNode {
  readonly kind: SetOperator
  readonly label: string
  readonly values: readonly string[]
}

export interface NotNode {
  readonly kind: 'not'
  readonly operand: SelectorNode
}

/** `operands` has at least two entries (the parser never builds a one-operand AND/OR). */
export interface AndNode {
  readonly kind: 'and'
  readonly operands: readonly SelectorNode[]
}

/** `operands` has at least two entries (the parser never builds a one-operand AND/OR). */
export interface OrNode {
  readonly kind: 'or'
  readonly operands: readonly SelectorNode[]
}

export type LabelNode = HasNode | LabelValueNode | LabelSetNode

export type SelectorNode = AllNode | GlobalNode | LabelNode | NotNode | AndNode | OrNode

/**
 * Orders strings as Go compares them (byte-wise on UTF-8), which is code-point order. JavaScript's
 * default `<` compares UTF-16 code units and disagrees for characters above U+FFFF versus
 * U+E000..U+FFFF, so set literals would otherwise print (and hash) differently from Calico.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i)
    let cb = b.charCodeAt(i)
    if (ca === cb) continue
    if (ca >= 0xd800 && cb >= 0xd800) {
      // Surrogates (astral code points) sort after U+E000..U+FFFF in code-point order.
      ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000
      cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000
    }
    return ca - cb
  }
  return a.length - b.length
}

/** Sorts and de-duplicates set-literal values the way Calico's ConvertToStringSetInPlace does. */
export function toValueSet(values: readonly string[]): readonly string[] {
  const sorted = [...values].sort(compareGoStrings)
  const out: string[] = []
  for (const value of sorted) {
    if (out.length === 0 || out[out.length - 1] !== value) out.push(value)
  }
  return out
}

/**
 * Returns a copy of the tree with every label name passed through `rename` (Calico's PrefixVisitor
 * is `rename = (l) => prefix + l`). Nodes without labels are shared, not copied.
 */
export function renameLabels(node: SelectorNode, rename: (label: string) => string): SelectorNode {
  switch (node.kind) {
    case 'all':
    case 'global':
      return node
    case 'not':
      return {kind: 'not', operand: renameLabels(node.operand, rename)}
    case 'and':
    case 'or':
      return {kind: node.kind, operands: node.operands.map((op) => renameLabels(op, rename))}
    default:
      return {...node, label: rename(node.label)}
  }
}

/** Label names the tree reads, de-duplicated, in the order they appear in the canonical text. */
export function collectLabelKeys(node: SelectorNode): string[] {
  const seen = new Set<string>()
  const visit = (n: SelectorNode): void => {
    switch (n.kind) {
      case 'all':
      case 'global':
        return
      case 'not':
        visit(n.operand)
        return
      case 'and':
      case 'or':
        for (const op of n.operands) visit(op)
        return
      default:
        seen.add(n.label)
    }
  }
  visit(node)
  return [...seen]
}
