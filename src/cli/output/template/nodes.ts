/** text/template/parse's node types (the ones this interpreter runs) and their String() forms. */

export interface ListNode {
  type: 'list'
  pos: number
  nodes: Node[]
}
export interface TextNode {
  type: 'text'
  pos: number
  text: string
}
export interface ActionNode {
  type: 'action'
  pos: number
  pipe: PipeNode
}
export interface PipeNode {
  type: 'pipe'
  pos: number
  isAssign: boolean
  decl: VariableNode[]
  cmds: CommandNode[]
}
export interface CommandNode {
  type: 'command'
  pos: number
  args: ArgNode[]
}
export interface IdentifierNode {
  type: 'identifier'
  pos: number
  ident: string
}
/** `$x` or `$x.Field.Chain`: ident[0] is the variable name. */
export interface VariableNode {
  type: 'variable'
  pos: number
  ident: string[]
}
export interface DotNode {
  type: 'dot'
  pos: number
}
export interface NilNode {
  type: 'nil'
  pos: number
}
/** `.A.B`: ident holds ["A", "B"]. */
export interface FieldNode {
  type: 'field'
  pos: number
  ident: string[]
}
/** `(pipeline).A.B`. */
export interface ChainNode {
  type: 'chain'
  pos: number
  node: ArgNode
  field: string[]
}
export interface BoolNode {
  type: 'bool'
  pos: number
  value: boolean
}
/** A numeric constant; `isFloat` when Go's idealConstant would make it a float64. */
export interface NumberNode {
  type: 'number'
  pos: number
  text: string
  value: number
  isFloat: boolean
}
export interface StringNode {
  type: 'string'
  pos: number
  quoted: string
  text: string
}
export interface BranchNode {
  pos: number
  pipe: PipeNode
  list: ListNode
  elseList?: ListNode
}
export interface IfNode extends BranchNode {
  type: 'if'
}
export interface RangeNode extends BranchNode {
  type: 'range'
}
export interface WithNode extends BranchNode {
  type: 'with'
}
export interface BreakNode {
  type: 'break'
  pos: number
}
export interface ContinueNode {
  type: 'continue'
  pos: number
}
/** Parser-internal markers for {{end}} and {{else}}. */
export interface EndNode {
  type: 'end'
  pos: number
}
export interface ElseNode {
  type: 'else'
  pos: number
}

export type ArgNode =
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode
export type Node = ListNode | TextNode | ActionNode | IfNode | RangeNode | WithNode | BreakNode | ContinueNode
export type AnyNode = Node | ArgNode | CommandNode | EndNode | ElseNode

export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case 'list':
      return n.nodes.map(nodeString).join('')
    case 'text':
      return JSON.stringify(n.text)
    case 'action':
      return `{{${nodeString(n.pipe)}}}`
    case 'pipe': {
      let s = n.decl.length > 0 ? `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} ` : ''
      s += n.cmds.map(nodeString).join(' | ')
      return s
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ')
    case 'identifier':
      return n.ident
    case 'variable':
      return n.ident.join('.')
    case 'dot':
      return '.'
    case 'nil':
      return 'nil'
    case 'field':
      return n.ident.map((f) => `.${f}`).join('')
    case 'chain': {
      const base = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)
      return base + n.field.map((f) => `.${f}`).join('')
    }
    case 'bool':
      return String(n.value)
    case 'number':
      return n.text
    case 'string':
      return n.quoted
    case 'if':
    case 'range':
    case 'with': {
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`
    }
    case 'break':
      return '{{break}}'
    case 'continue':
      return '{{continue}}'
    case 'end':
      return '{{end}}'
    case 'else':
      return '{{else}}'
  }
}
