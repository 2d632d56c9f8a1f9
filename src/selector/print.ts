// Canonical text of a selector tree, character for character what libcalico-go's Selector.String()
// gives, since Calico hashes that text into UniqueIDs (and so ipset names).
//
// Quirks kept on purpose: every AND/OR prints its own parentheses (even at the top), `!` is put
// straight before its operand (`!(a == "x")` prints `!a == "x"`), and a double negation written
// as `!(!x)` prints `!!x`, which re-parses to plain `x`.
import type {SelectorNode, ValueOperator} from './ast.js'

const VALUE_OPERATOR_TEXT: Readonly<Record<ValueOperator, string>> = {
  eq: ' == ',
  ne: ' != ',
  contains: ' contains ',
  startsWith: ' starts with ',
  endsWith: ' ends with ',
}

/** Double quotes unless the value contains one; values never contain both (there are no escapes). */
function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`
}

export function printSelector(node: SelectorNode): string {
  switch (node.kind) {
    case 'all':
      return 'all()'
    case 'global':
      return 'global()'
    case 'has':
      return `has(${node.label})`
    case 'in':
    case 'notIn':
      return `${node.label} ${node.kind === 'in' ? 'in' : 'not in'} {${node.values.map(quote).join(', ')}}`
    case 'not':
      return `!${printSelector(node.operand)}`
    case 'and':
      return `(${node.operands.map(printSelector).join(' && ')})`
    case 'or':
      return `(${node.operands.map(printSelector).join(' || ')})`
    default:
      return node.label + VALUE_OPERATOR_TEXT[node.kind] + quote(node.value)
  }
}
