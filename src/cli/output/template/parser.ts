/**
 * text/template/parse's parser, ported for the template language without {{define}},
 * {{template}} and {{block}} (calicoctl parses one template and users have no way to supply
 * others). Errors read as Go's do: `template: get:<line>: <message>`. Constructs outside the
 * supported subset fail with `go-template: <construct> is not supported`.
 */

import {type Item, type ItemType, itemString, Lexer} from './lexer.js'
import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ElseNode,
  EndNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  StringNode,
  VariableNode,
} from './nodes.js'
import {nodeString} from './nodes.js'

/** A template the parser rejects: its message is complete and printable. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

export function unsupported(construct: string): TemplateError {
  return new TemplateError(`go-template: ${construct} is not supported`)
}

export interface ParseOptions {
  /** The template's name in messages; calicoctl names it "get". */
  name: string
  /** Functions the template may call. */
  functions: ReadonlySet<string>
  /** Go builtins this interpreter does not implement (reported as unsupported, not undefined). */
  unsupportedFunctions: ReadonlySet<string>
}

export function parseTemplate(text: string, opts: ParseOptions): ListNode {
  return new Parser(text, opts).parse()
}

const OPERAND_START: ReadonlySet<ItemType> = new Set<ItemType>([
  'bool',
  'charConstant',
  'complex',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
])

class Parser {
  private readonly lex: Lexer
  private token: Item[] = []
  private peekCount = 0
  private vars: string[] = ['$']
  private rangeDepth = 0

  constructor(
    text: string,
    private readonly opts: ParseOptions,
  ) {
    this.lex = new Lexer(text)
  }

  parse(): ListNode {
    const root: ListNode = {type: 'list', pos: this.peek().pos, nodes: []}
    while (this.peek().typ !== 'eof') {
      const n = this.textOrAction()
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`)
      root.nodes.push(n as Node)
    }
    return root
  }

  // ---- token stream (three-token lookahead, as Go's) ----
  private next(): Item {
    if (this.peekCount > 0) this.peekCount--
    else this.token[0] = this.lex.nextItem()
    return this.token[this.peekCount]
  }

  private backup(): void {
    this.peekCount++
  }

  private backup2(t1: Item): void {
    this.token[1] = t1
    this.peekCount = 2
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1
    this.token[2] = t2
    this.peekCount = 3
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]
    this.peekCount = 1
    this.token[0] = this.lex.nextItem()
    return this.token[0]
  }

  private nextNonSpace(): Item {
    let t: Item
    do t = this.next()
    while (t.typ === 'space')
    return t
  }

  private peekNonSpace(): Item {
    const t = this.nextNonSpace()
    this.backup()
    return t
  }

  private errorf(message: string): never {
    throw new TemplateError(`template: ${this.opts.name}:${this.token[0]?.line ?? 1}: ${message}`)
  }

  private expect(typ: ItemType, context: string): Item {
    const t = this.nextNonSpace()
    if (t.typ !== typ) this.unexpected(t, context)
    return t
  }

  private unexpected(t: Item, context: string): never {
    if (t.typ === 'error') this.errorf(t.val)
    this.errorf(`unexpected ${itemString(t)} in ${context}`)
  }

  // ---- grammar ----
  private itemList(): [ListNode, EndNode | ElseNode] {
    const list: ListNode = {type: 'list', pos: this.peekNonSpace().pos, nodes: []}
    while (this.peekNonSpace().typ !== 'eof') {
      const n = this.textOrAction()
      if (n.type === 'end' || n.type === 'else') return [list, n]
      list.nodes.push(n)
    }
    this.errorf('unexpected EOF')
  }

  private textOrAction(): Node | EndNode | ElseNode {
    const t = this.nextNonSpace()
    if (t.typ === 'text') return {type: 'text', pos: t.pos, text: t.val}
    if (t.typ === 'leftDelim') return this.action()
    this.unexpected(t, 'input')
  }

  private action(): Node | EndNode | ElseNode {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case 'block':
      case 'define':
      case 'template':
        throw unsupported(`{{${t.typ}}}`)
      case 'break':
      case 'continue':
        return this.loopControl(t)
      case 'else':
        return this.elseControl()
      case 'end':
        return {type: 'end', pos: this.expect('rightDelim', 'end').pos}
      case 'if':
      case 'range':
      case 'with':
        return this.control(t.typ)
    }
    this.backup()
    const pos = this.peek().pos
    return {type: 'action', pos, pipe: this.pipeline('command', 'rightDelim')}
  }

  private loopControl(t: Item): Node {
    const name = t.typ === 'break' ? 'break' : 'continue'
    const close = this.nextNonSpace()
    if (close.typ !== 'rightDelim') this.unexpected(close, `{{${name}}}`)
    if (this.rangeDepth === 0) this.errorf(`{{${name}}} outside {{range}}`)
    return {type: name, pos: t.pos}
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace()
    if (peek.typ === 'if' || peek.typ === 'with') return {type: 'else', pos: peek.pos}
    return {type: 'else', pos: this.expect('rightDelim', 'else').pos}
  }

  private control(context: 'if' | 'range' | 'with'): Node {
    const mark = this.vars.length
    try {
      const pipe = this.pipeline(context, 'rightDelim')
      if (context === 'range') this.rangeDepth++
      const [list, next] = this.itemList()
      if (context === 'range') this.rangeDepth--
      const branch: BranchNode = {pos: pipe.pos, pipe, list}
      if (next.type === 'else') {
        const chained = this.peek().typ
        if ((context === 'if' && chained === 'if') || (context === 'with' && chained === 'with')) {
          this.next()
          branch.elseList = {type: 'list', pos: next.pos, nodes: [this.control(context)]}
        } else {
          const [elseList, end] = this.itemList()
          if (end.type !== 'end') this.errorf(`expected end; found ${nodeString(end)}`)
          branch.elseList = elseList
        }
      }
      return {type: context, ...branch}
    } finally {
      this.vars.length = mark
    }
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const start = this.peekNonSpace()
    const pipe: PipeNode = {type: 'pipe', pos: start.pos, isAssign: false, decl: [], cmds: []}
    for (let again = true; again; ) {
      again = false
      const v = this.peekNonSpace()
      if (v.typ !== 'variable') break
      this.next()
      const tokenAfterVariable = this.peek()
      const nxt = this.peekNonSpace()
      if (nxt.typ === 'assign' || nxt.typ === 'declare') {
        pipe.isAssign = nxt.typ === 'assign'
        this.nextNonSpace()
        pipe.decl.push(variable(v.pos, v.val))
        this.vars.push(v.val)
      } else if (nxt.typ === 'char' && nxt.val === ',') {
        this.nextNonSpace()
        pipe.decl.push(variable(v.pos, v.val))
        this.vars.push(v.val)
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().typ
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') {
            again = true
            continue
          }
          this.errorf('range can only initialize variables')
        }
        this.errorf(`too many declarations in ${context}`)
      } else if (tokenAfterVariable.typ === 'space') this.backup3(v, tokenAfterVariable)
      else this.backup2(v)
    }
    for (;;) {
      const t = this.nextNonSpace()
      if (t.typ === end) {
        this.checkPipeline(pipe, context)
        return pipe
      }
      if (!OPERAND_START.has(t.typ)) this.unexpected(t, context)
      this.backup()
      pipe.cmds.push(this.command())
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`)
    pipe.cmds.slice(1).forEach((c, i) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0].type)) {
        this.errorf(`non executable command in pipeline stage ${i + 2}`)
      }
    })
  }

  private command(): CommandNode {
    const cmd: CommandNode = {type: 'command', pos: this.peekNonSpace().pos, args: []}
    for (;;) {
      this.peekNonSpace()
      const operand = this.operand()
      if (operand) cmd.args.push(operand)
      const t = this.next()
      if (t.typ === 'space') continue
      if (t.typ === 'rightDelim' || t.typ === 'rightParen') this.backup()
      else if (t.typ !== 'pipe') this.unexpected(t, 'operand')
      break
    }
    if (cmd.args.length === 0) this.errorf('empty command')
    return cmd
  }

  private operand(): ArgNode | undefined {
    const node = this.term()
    if (!node || this.peek().typ !== 'field') return node
    const pos = this.peek().pos
    const fields: string[] = []
    while (this.peek().typ === 'field') fields.push(this.next().val.slice(1))
    switch (node.type) {
      case 'field':
        return {type: 'field', pos, ident: [...node.ident, ...fields]}
      case 'variable':
        return {type: 'variable', pos, ident: [...node.ident, ...fields]}
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`)
      // falls through (errorf never returns)
      default:
        return {type: 'chain', pos, node, field: fields}
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace()
    switch (t.typ) {
      case 'identifier':
        if (this.opts.unsupportedFunctions.has(t.val)) throw unsupported(`function "${t.val}"`)
        if (!this.opts.functions.has(t.val)) this.errorf(`function "${t.val}" not defined`)
        return {type: 'identifier', pos: t.pos, ident: t.val}
      case 'dot':
        return {type: 'dot', pos: t.pos}
      case 'nil':
        return {type: 'nil', pos: t.pos}
      case 'variable':
        if (!this.vars.includes(t.val.split('.')[0])) this.errorf(`undefined variable "${t.val}"`)
        return variable(t.pos, t.val)
      case 'field':
        return {type: 'field', pos: t.pos, ident: t.val.slice(1).split('.')}
      case 'bool':
        return {type: 'bool', pos: t.pos, value: t.val === 'true'}
      case 'complex':
        throw unsupported('complex number constants')
      case 'charConstant':
      case 'number':
        return this.number(t)
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen')
      case 'string':
      case 'rawString':
        return this.string(t)
    }
    this.backup()
    return undefined
  }

  private number(t: Item): NumberNode {
    const node = (value: number, isFloat: boolean): NumberNode => ({type: 'number', pos: t.pos, text: t.val, value, isFloat})
    if (t.typ === 'charConstant') {
      const [r, tail] = unquoteChar(t.val.slice(1), "'", (m) => this.errorf(m))
      if (tail !== "'") this.errorf(`malformed character constant: ${t.val}`)
      return node(r, false)
    }
    const text = t.val
    if (text.endsWith('i')) throw unsupported('complex number constants')
    const clean = text.replaceAll('_', '')
    const unsigned = clean.replace(/^[+-]/, '')
    const neg = clean.startsWith('-')
    const prefix = unsigned.slice(0, 2).toLowerCase()
    if (prefix === '0x' && /[pP.]/.test(unsigned)) throw unsupported('hexadecimal floating-point constants')
    let value: number
    let isFloat = false
    if (prefix === '0x' || prefix === '0b' || prefix === '0o') value = Number(unsigned.slice(0, 1) + prefix[1] + unsigned.slice(2))
    else if (/^0[0-7]+$/.test(unsigned)) value = parseInt(unsigned, 8)
    else {
      value = Number(unsigned)
      isFloat = /[.eE]/.test(unsigned)
    }
    if (!Number.isFinite(value) || unsigned === '') {
      this.errorf(`illegal number syntax: ${JSON.stringify(text)}`)
    }
    return node(neg ? -value : value, isFloat)
  }

  private string(t: Item): StringNode {
    let text: string
    if (t.typ === 'rawString') text = t.val.slice(1, -1).replaceAll('\r', '')
    else {
      text = ''
      let rest = t.val.slice(1, -1)
      while (rest.length > 0) {
        const [r, tail] = unquoteChar(rest, '"', () => this.errorf('invalid syntax'))
        text += String.fromCodePoint(r)
        rest = tail
      }
    }
    return {type: 'string', pos: t.pos, quoted: t.val, text}
  }
}

function variable(pos: number, name: string): VariableNode {
  return {type: 'variable', pos, ident: name.split('.')}
}

/** strconv.UnquoteChar: the first (possibly escaped) character of s and the rest. */
function unquoteChar(s: string, quote: string, fail: (message: string) => never): [number, string] {
  const c = s.codePointAt(0)
  if (c === undefined) fail('invalid syntax')
  const ch = String.fromCodePoint(c)
  if (ch === quote && quote !== '"') fail('invalid syntax')
  if (ch !== '\\') return [c, s.slice(ch.length)]
  const e = s[1]
  const simple: Record<string, number> = {a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92}
  if (e !== undefined && simple[e] !== undefined) return [simple[e], s.slice(2)]
  if (e === quote) return [quote.charCodeAt(0), s.slice(2)]
  const hex = (n: number): [number, string] => {
    const digits = s.slice(2, 2 + n)
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) fail('invalid syntax')
    return [parseInt(digits, 16), s.slice(2 + n)]
  }
  if (e === 'x') return hex(2)
  if (e === 'u') return hex(4)
  if (e === 'U') return hex(8)
  if (e !== undefined && e >= '0' && e <= '7') {
    const digits = s.slice(1, 4)
    if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) fail('invalid syntax')
    return [parseInt(digits, 8), s.slice(4)]
  }
  fail('invalid syntax')
}
