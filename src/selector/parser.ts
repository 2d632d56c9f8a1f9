// Recursive-descent parser following libcalico-go/lib/selector/parser/parser.go (v3.32): the same
// grammar, the same tree shapes and the same error texts, checked in the same order.
//
//   selector  := ε | or
//   or        := and ("||" and)*
//   and       := operation ("&&" operation)*
//   operation := "!"* ( has(l) | all() | global() | "(" or ")" | label op string | label in-op set )
import type {LabelSetNode, LabelValueNode, SelectorNode, SetOperator, ValueOperator} from './ast.js'
import {toValueSet} from './ast.js'
import {SelectorParseError} from './errors.js'
import {type Token, type TokenKind, formatToken, tokenize} from './lexer.js'

/**
 * Deepest parenthesis nesting accepted. Go has no limit (its stacks grow); ours keeps parsing,
 * printing and evaluation clear of the JavaScript stack limit, so hostile input gets a
 * SelectorParseError instead of a RangeError. Real selectors nest a handful of levels.
 */
export const MAX_NESTING_DEPTH = 500

const VALUE_OPERATORS: ReadonlySet<TokenKind> = new Set<TokenKind>(['eq', 'ne', 'contains', 'startsWith', 'endsWith'])

/** Token kinds of the `label <op> "value"` operators are named like the node kinds they build. */
function isValueOperator(kind: TokenKind): kind is TokenKind & ValueOperator {
  return VALUE_OPERATORS.has(kind)
}

/**
 * Parses selector text into a tree. Empty (or whitespace-only) text is `all()`.
 * @throws SelectorParseError carrying Go's message for the same input.
 */
export function parseToAst(text: string): SelectorNode {
  const tokens = tokenize(text)
  if (tokens[0].kind === 'eof') return {kind: 'all'}
  const parser = new TokenParser(text, tokens)
  const root = parser.parseOr()
  parser.expectEnd()
  return root
}

class TokenParser {
  private index = 0
  private depth = 0

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  private fail(message: string, token: Token): never {
    throw new SelectorParseError(message, token.position, this.text)
  }

  /** Tokens are always terminated by `eof`, so reading at or before it is safe. */
  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]
  }

  expectEnd(): void {
    if (this.index === this.tokens.length - 1) return
    const rest = this.tokens.slice(this.index).map(formatToken).join(' ')
    this.fail(`unexpected content at end of selector [${rest}]`, this.peek())
  }

  parseOr(): SelectorNode {
    const first = this.parseAnd()
    if (this.peek().kind !== 'or') return first
    const operands = [first]
    while (this.peek().kind === 'or') {
      this.index++
      operands.push(this.parseAnd())
    }
    return {kind: 'or', operands}
  }

  private parseAnd(): SelectorNode {
    const first = this.parseOperation()
    if (this.peek().kind !== 'and') return first
    const operands = [first]
    while (this.peek().kind === 'and') {
      this.index++
      operands.push(this.parseOperation())
    }
    return {kind: 'and', operands}
  }

  /** One operation with any leading `!`s collapsed into a single optional negation. */
  private parseOperation(): SelectorNode {
    let negated = false
    while (this.peek().kind === 'not') {
      negated = !negated
      this.index++
    }
    const node = this.parsePrimary()
    return negated ? {kind: 'not', operand: node} : node
  }

  private parsePrimary(): SelectorNode {
    const token = this.peek()
    switch (token.kind) {
      case 'has':
        this.index++
        return {kind: 'has', label: token.value}
      case 'all':
        this.index++
        return {kind: 'all'}
      case 'global':
        this.index++
        return {kind: 'global'}
      case 'label':
        return this.parseLabelOperation()
      case 'lparen':
        return this.parseParenthesised(token)
      default:
        return this.fail(`unexpected token: ${formatToken(token)}`, token)
    }
  }

  private parseParenthesised(open: Token): SelectorNode {
    if (this.depth >= MAX_NESTING_DEPTH) {
      this.fail(`selector nested too deeply (more than ${MAX_NESTING_DEPTH} levels of parentheses)`, open)
    }
    this.depth++
    this.index++
    const inner = this.parseOr()
    if (this.peek().kind !== 'rparen') this.fail('expected )', this.peek())
    this.index++
    this.depth--
    return inner
  }

  private parseLabelOperation(): SelectorNode {
    // Go checks that a label, an operator and an operand are left before looking at any of them;
    // since `eof` is always the last token, only "label then eof" is short.
    if (this.index + 2 >= this.tokens.length) this.fail('unexpected end of string looking for op', this.peek(1))
    const label = this.peek().value
    const operator = this.peek(1)
    const operand = this.peek(2)
    if (isValueOperator(operator.kind)) {
      if (operand.kind !== 'string') this.fail('expected string', operand)
      this.index += 3
      const node: LabelValueNode = {kind: operator.kind, label, value: operand.value}
      return node
    }
    if (operator.kind === 'in' || operator.kind === 'notIn') {
      if (operand.kind !== 'lbrace') this.fail('expected set literal', operand)
      this.index += 3
      return this.parseSetLiteral(operator.kind, label)
    }
    return this.fail(`expected == or != not: ${formatToken(operator)}`, operator)
  }

  /** After `{`: strings separated by commas; a trailing comma before `}` is accepted, as in Go. */
  private parseSetLiteral(kind: SetOperator, label: string): LabelSetNode {
    const values: string[] = []
    while (this.peek().kind === 'string') {
      values.push(this.peek().value)
      this.index++
      if (this.peek().kind !== 'comma') break
      this.index++
    }
    if (this.peek().kind !== 'rbrace') this.fail('expected }', this.peek())
    this.index++
    return {kind, label, values: toValueSet(values)}
  }
}
