// Tokenizer for the Calico selector language, following libcalico-go/lib/selector/tokenizer (v3.32):
// the same token boundaries, the same context rule for word operators and the same error texts.
import {SelectorParseError} from './errors.js'

export type TokenKind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'ne'
  | 'in'
  | 'not'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'all'
  | 'has'
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'global'
  | 'eof'

export interface Token {
  readonly kind: TokenKind
  /** Label name for `label` and `has`, literal contents for `string`, otherwise ''. */
  readonly value: string
  /** 0-based index of the token's first character in the input (input length for `eof`). */
  readonly position: number
}

/** Longest label name the tokenizer accepts (tokenizer.MaxLabelLength). */
export const MAX_LABEL_LENGTH = 512

// Go's stringer names for tokenizer.Kind; they appear verbatim in some Go error messages.
const GO_KIND_NAMES: Readonly<Record<TokenKind, string>> = {
  label: 'TokLabel',
  string: 'TokStringLiteral',
  lbrace: 'TokLBrace',
  rbrace: 'TokRBrace',
  comma: 'TokComma',
  eq: 'TokEq',
  ne: 'TokNe',
  in: 'TokIn',
  not: 'TokNot',
  notIn: 'TokNotIn',
  contains: 'TokContains',
  startsWith: 'TokStartsWith',
  endsWith: 'TokEndsWith',
  all: 'TokAll',
  has: 'TokHas',
  lparen: 'TokLParen',
  rparen: 'TokRParen',
  and: 'TokAnd',
  or: 'TokOr',
  global: 'TokGlobal',
  eof: 'TokEOF',
}

/** A token as Go's Token.String() renders it, e.g. `TokLabel(app)`, `TokRParen()`. */
export function formatToken(token: Token): string {
  return `${GO_KIND_NAMES[token.kind]}(${token.value})`
}

const SPACE = 0x20
const TAB = 0x09

/** Only space and tab separate tokens; a newline is not whitespace in Calico selectors. */
function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length) {
    const c = text.charCodeAt(pos)
    if (c !== SPACE && c !== TAB) break
    pos++
  }
  return pos
}

/** `[A-Za-z0-9_./-]`, the characters of a label name. */
export function isIdentifierChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  )
}

/** End of input or any non-identifier character ends a word operator. */
function isWordBoundary(text: string, pos: number): boolean {
  return pos >= text.length || !isIdentifierChar(text.charCodeAt(pos))
}

function identifierEnd(text: string, pos: number): number {
  while (pos < text.length && isIdentifierChar(text.charCodeAt(pos))) pos++
  return pos
}

/** True when `key` is a complete, valid label name (tokenizer.ValidLabel). */
export function isValidLabelKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_LABEL_LENGTH && identifierEnd(key, 0) === key.length
}

/** A single-word operator: the word followed by a word boundary. Returns the end, or -1. */
function matchWord(text: string, pos: number, word: string): number {
  if (!text.startsWith(word, pos)) return -1
  const end = pos + word.length
  return isWordBoundary(text, end) ? end : -1
}

/**
 * A two-word operator such as `starts with`. Any amount of whitespace (including none, so `notin`)
 * may follow each word; only the text after the trailing whitespace is checked for a word boundary,
 * exactly as Go does (so `a not in x` is rejected while `a in x` tokenizes).
 */
function matchWordPair(text: string, pos: number, first: string, second: string): number {
  if (!text.startsWith(first, pos)) return -1
  let end = skipWhitespace(text, pos + first.length)
  if (!text.startsWith(second, end)) return -1
  end = skipWhitespace(text, end + second.length)
  return isWordBoundary(text, end) ? end : -1
}

/**
 * Splits `text` into tokens, always ending with one `eof` token.
 * @throws SelectorParseError with Go's tokenizer message.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  const fail = (message: string, position: number): never => {
    throw new SelectorParseError(message, position, text)
  }
  const push = (kind: TokenKind, value: string, position: number): void => {
    tokens.push({kind, value, position})
  }

  /** Reads a label name at `pos`; returns its end. */
  const readIdentifier = (pos: number): number => {
    const end = identifierEnd(text, pos)
    if (end === pos) fail('expected identifier', pos)
    if (end - pos > MAX_LABEL_LENGTH) fail(`label too long: ${text.slice(pos, end)}`, pos)
    return end
  }

  /** `all(` / `global(` already matched up to `pos`: only whitespace may precede `)`. */
  const closeEmptyCall = (pos: number, name: string): number => {
    const close = skipWhitespace(text, pos)
    if (text.charCodeAt(close) !== 0x29) fail(`no closing ')' after ${name}(`, close)
    return close + 1
  }

  let pos = 0
  for (;;) {
    pos = skipWhitespace(text, pos)
    if (pos >= text.length) {
      push('eof', '', text.length)
      return tokens
    }
    const start = pos
    const c = text[pos]
    switch (c) {
      case '(':
        push('lparen', '', start)
        pos++
        break
      case ')':
        push('rparen', '', start)
        pos++
        break
      case '{':
        push('lbrace', '', start)
        pos++
        break
      case '}':
        push('rbrace', '', start)
        pos++
        break
      case ',':
        push('comma', '', start)
        pos++
        break
      case '"':
      case "'": {
        // No escapes: the literal runs to the next quote of the same kind.
        const close = text.indexOf(c, pos + 1)
        if (close < 0) fail('unterminated string', start)
        push('string', text.slice(pos + 1, close), start)
        pos = close + 1
        break
      }
      case '=':
        if (text.charCodeAt(pos + 1) !== 0x3d) fail('expected ==', start)
        push('eq', '', start)
        pos += 2
        break
      case '!':
        if (text.charCodeAt(pos + 1) === 0x3d) {
          push('ne', '', start)
          pos += 2
        } else {
          push('not', '', start)
          pos++
        }
        break
      case '&':
        if (text.charCodeAt(pos + 1) !== 0x26) fail('expected &&', start)
        push('and', '', start)
        pos += 2
        break
      case '|':
        if (text.charCodeAt(pos + 1) !== 0x7c) fail('expected ||', start)
        push('or', '', start)
        pos += 2
        break
      default:
        pos = readWordToken(start)
    }
  }

  /** Word operators (only straight after a label), has(), all(), global() or a label. */
  function readWordToken(start: number): number {
    const previous = tokens.length > 0 ? tokens[tokens.length - 1] : undefined
    if (previous?.kind === 'label') {
      let end: number
      if ((end = matchWord(text, start, 'contains')) >= 0) push('contains', '', start)
      else if ((end = matchWordPair(text, start, 'starts', 'with')) >= 0) push('startsWith', '', start)
      else if ((end = matchWordPair(text, start, 'ends', 'with')) >= 0) push('endsWith', '', start)
      else if ((end = matchWordPair(text, start, 'not', 'in')) >= 0) push('notIn', '', start)
      else if ((end = matchWord(text, start, 'in')) >= 0) push('in', '', start)
      else return fail(`expected operator after label "${previous.value}"`, start)
      return end
    }
    if (text.startsWith('has(', start)) {
      const nameStart = skipWhitespace(text, start + 4)
      const nameEnd = readIdentifier(nameStart)
      const close = skipWhitespace(text, nameEnd)
      if (text.charCodeAt(close) !== 0x29) fail("no closing ')' after has(", close)
      push('has', text.slice(nameStart, nameEnd), start)
      return close + 1
    }
    if (text.startsWith('all(', start)) {
      const end = closeEmptyCall(start + 4, 'all')
      push('all', '', start)
      return end
    }
    if (text.startsWith('global(', start)) {
      const end = closeEmptyCall(start + 7, 'global')
      push('global', '', start)
      return end
    }
    const end = readIdentifier(start)
    push('label', text.slice(start, end), start)
    return end
  }
}
