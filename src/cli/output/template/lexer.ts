/**
 * text/template/parse's lexer, ported state for state: delimiters "{{" "}}", trim markers
 * "{{- " / " -}}" (the space is required, so "{{-3}}" is a number), comments ("{{/*" … "*" + "/}}"),
 * and inside actions: spaces (newlines included), fields, variables, identifiers, keywords,
 * strings, raw strings, character constants, numbers, ( ) | := = and punctuation.
 * Positions are string indices; `line` counts newlines before the item.
 */

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with'

export interface Item {
  typ: ItemType
  pos: number
  val: string
  line: number
}

const KEYWORDS: Record<string, ItemType> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
}

export function isKeyword(t: ItemType): boolean {
  return Object.values(KEYWORDS).includes(t)
}

/** The item as the parser names it in "unexpected X in Y" messages. */
export function itemString(i: Item): string {
  if (i.typ === 'eof') return 'EOF'
  if (i.typ === 'error') return i.val
  if (isKeyword(i.typ)) return `<${i.val}>`
  if ([...i.val].length > 10) return `${goQuoteShort([...i.val].slice(0, 10).join(''))}...`
  return goQuoteShort(i.val)
}

function goQuoteShort(s: string): string {
  return JSON.stringify(s)
}

const LEFT = '{{'
const RIGHT = '}}'
const SPACE_CHARS = ' \t\r\n'
const EOF = ''

const isSpace = (r: string): boolean => r === ' ' || r === '\t' || r === '\r' || r === '\n'
const isAlphaNumeric = (r: string): boolean => r === '_' || /^[\p{L}\p{Nd}]$/u.test(r)
const hasLeftTrimMarker = (s: string): boolean => s.length >= 2 && s[0] === '-' && isSpace(s[1])
const hasRightTrimMarker = (s: string): boolean => s.length >= 2 && isSpace(s[0]) && s[1] === '-'

type StateFn = ((l: Lexer) => StateFn) | null

export class Lexer {
  pos = 0
  private start = 0
  private atEOF = false
  private parenDepth = 0
  private line = 1
  private startLine = 1
  private item: Item = {typ: 'eof', pos: 0, val: 'EOF', line: 1}
  private insideAction = false
  breakOK = true
  continueOK = true

  constructor(private input: string) {}

  nextItem(): Item {
    this.item = {typ: 'eof', pos: this.pos, val: 'EOF', line: this.startLine}
    let state: StateFn = this.insideAction ? lexInsideAction : lexText
    while (state) state = state(this)
    return this.item
  }

  next(): string {
    if (this.pos >= this.input.length) {
      this.atEOF = true
      return EOF
    }
    const r = String.fromCodePoint(this.input.codePointAt(this.pos) ?? 0)
    this.pos += r.length
    if (r === '\n') this.line++
    return r
  }

  peek(): string {
    const r = this.next()
    this.backup()
    return r
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const prev = this.input.codePointAt(this.pos - 1) ?? 0
      const w = prev >= 0xdc00 && prev <= 0xdfff && this.pos >= 2 ? 2 : 1
      this.pos -= w
      if (this.input[this.pos] === '\n') this.line--
    }
  }

  rest(from = this.pos): string {
    return this.input.slice(from)
  }

  private thisItem(typ: ItemType): Item {
    const i = {typ, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine}
    this.start = this.pos
    this.startLine = this.line
    return i
  }

  emit(typ: ItemType): StateFn {
    return this.emitItem(this.thisItem(typ))
  }

  emitItem(i: Item): StateFn {
    this.item = i
    return null
  }

  ignore(): void {
    this.line += count(this.input.slice(this.start, this.pos), '\n')
    this.start = this.pos
    this.startLine = this.line
  }

  accept(valid: string): boolean {
    const r = this.next()
    if (r !== EOF && valid.includes(r)) return true
    this.backup()
    return false
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next()
      if (r === EOF || !valid.includes(r)) break
    }
    this.backup()
  }

  errorf(message: string): StateFn {
    this.item = {typ: 'error', pos: this.start, val: message, line: this.startLine}
    this.start = 0
    this.pos = 0
    this.input = ''
    return null
  }

  atRightDelim(): {delim: boolean; trim: boolean} {
    const rest = this.rest()
    if (hasRightTrimMarker(rest) && rest.slice(2).startsWith(RIGHT)) return {delim: true, trim: true}
    return {delim: rest.startsWith(RIGHT), trim: false}
  }

  atTerminator(): boolean {
    const r = this.peek()
    if (isSpace(r)) return true
    if (r === EOF || '.,|:)('.includes(r)) return true
    return this.rest().startsWith(RIGHT)
  }

  // Text-state helpers, kept on the class because they touch private position state.
  lexText(): StateFn {
    const x = this.input.indexOf(LEFT, this.pos)
    if (x >= 0) {
      if (x > this.pos) {
        this.pos = x
        let trim = 0
        if (hasLeftTrimMarker(this.input.slice(x + LEFT.length))) {
          const before = this.input.slice(this.start, this.pos)
          trim = before.length - trimRight(before).length
        }
        this.pos -= trim
        this.line += count(this.input.slice(this.start, this.pos), '\n')
        const i = this.thisItem('text')
        this.pos += trim
        this.ignore()
        if (i.val.length > 0) return this.emitItem(i)
      }
      return lexLeftDelim
    }
    this.pos = this.input.length
    if (this.pos > this.start) {
      this.line += count(this.input.slice(this.start, this.pos), '\n')
      return this.emit('text')
    }
    return this.emit('eof')
  }

  lexLeftDelim(): StateFn {
    this.pos += LEFT.length
    const trim = hasLeftTrimMarker(this.rest())
    const after = trim ? 2 : 0
    if (this.rest(this.pos + after).startsWith('/*')) {
      this.pos += after
      this.ignore()
      return lexComment
    }
    const i = this.thisItem('leftDelim')
    this.insideAction = true
    this.pos += after
    this.ignore()
    this.parenDepth = 0
    return this.emitItem(i)
  }

  lexComment(): StateFn {
    this.pos += 2
    const x = this.input.indexOf('*/', this.pos)
    if (x < 0) return this.errorf('unclosed comment')
    this.pos = x + 2
    const {delim, trim} = this.atRightDelim()
    if (!delim) return this.errorf('comment ends before closing delimiter')
    this.line += count(this.input.slice(this.start, this.pos), '\n')
    this.thisItem('text')
    if (trim) this.pos += 2
    this.pos += RIGHT.length
    if (trim) this.pos += this.rest().length - trimLeft(this.rest()).length
    this.ignore()
    return lexText
  }

  lexRightDelim(): StateFn {
    const {trim} = this.atRightDelim()
    if (trim) {
      this.pos += 2
      this.ignore()
    }
    this.pos += RIGHT.length
    const i = this.thisItem('rightDelim')
    if (trim) {
      this.pos += this.rest().length - trimLeft(this.rest()).length
      this.ignore()
    }
    this.insideAction = false
    return this.emitItem(i)
  }

  incParen(): void {
    this.parenDepth++
  }

  decParen(): number {
    return --this.parenDepth
  }

  get depth(): number {
    return this.parenDepth
  }

  spaceBeforeTrimmedDelim(): boolean {
    const rest = this.input.slice(this.pos - 1)
    return hasRightTrimMarker(rest) && rest.slice(2).startsWith(RIGHT)
  }

  word(): string {
    return this.input.slice(this.start, this.pos)
  }

  lastChar(): string {
    return this.input[this.pos - 1] ?? ''
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1
}

function trimRight(s: string): string {
  let end = s.length
  while (end > 0 && SPACE_CHARS.includes(s[end - 1])) end--
  return s.slice(0, end)
}

function trimLeft(s: string): string {
  let i = 0
  while (i < s.length && SPACE_CHARS.includes(s[i])) i++
  return s.slice(i)
}

const lexText = (l: Lexer): StateFn => l.lexText()
const lexLeftDelim = (l: Lexer): StateFn => l.lexLeftDelim()
const lexComment = (l: Lexer): StateFn => l.lexComment()
const lexRightDelim = (l: Lexer): StateFn => l.lexRightDelim()

function lexInsideAction(l: Lexer): StateFn {
  const {delim} = l.atRightDelim()
  if (delim) {
    if (l.depth === 0) return lexRightDelim
    return l.errorf('unclosed left paren')
  }
  const r = l.next()
  if (r === EOF) return l.errorf('unclosed action')
  if (isSpace(r)) {
    l.backup()
    return lexSpace
  }
  switch (r) {
    case '=':
      return l.emit('assign')
    case ':':
      if (l.next() !== '=') return l.errorf('expected :=')
      return l.emit('declare')
    case '|':
      return l.emit('pipe')
    case '"':
      return lexQuote
    case '`':
      return lexRawQuote
    case '$':
      return lexVariable
    case "'":
      return lexChar
    case '(':
      l.incParen()
      return l.emit('leftParen')
    case ')':
      if (l.decParen() < 0) return l.errorf('unexpected right paren')
      return l.emit('rightParen')
  }
  if (r === '.') {
    const n = l.rest()[0]
    if (n === undefined || n < '0' || n > '9') return lexField
  }
  if (r === '.' || r === '+' || r === '-' || (r >= '0' && r <= '9')) {
    l.backup()
    return lexNumber
  }
  if (isAlphaNumeric(r)) {
    l.backup()
    return lexIdentifier
  }
  const c = r.codePointAt(0) ?? 0
  if (c <= 0x7f && c >= 0x20 && c !== 0x7f) return l.emit('char')
  return l.errorf(`unrecognized character in action: ${formatU(r)}`)
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0
  while (isSpace(l.peek())) {
    l.next()
    numSpaces++
  }
  if (l.spaceBeforeTrimmedDelim()) {
    l.backup()
    if (numSpaces === 1) return lexRightDelim
  }
  return l.emit('space')
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next()
    if (r !== EOF && isAlphaNumeric(r)) continue
    l.backup()
    const word = l.word()
    if (!l.atTerminator()) return l.errorf(`bad character ${formatU(r)}`)
    const kw = KEYWORDS[word]
    if (kw && kw !== 'dot') {
      if ((kw === 'break' && !l.breakOK) || (kw === 'continue' && !l.continueOK)) return l.emit('identifier')
      return l.emit(kw)
    }
    if (word[0] === '.') return l.emit('field')
    if (word === 'true' || word === 'false') return l.emit('bool')
    return l.emit('identifier')
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, 'field')
}

function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) return l.emit('variable')
  return lexFieldOrVariable(l, 'variable')
}

function lexFieldOrVariable(l: Lexer, typ: 'field' | 'variable'): StateFn {
  if (l.atTerminator()) return l.emit(typ === 'variable' ? 'variable' : 'dot')
  let r: string
  for (;;) {
    r = l.next()
    if (r === EOF || !isAlphaNumeric(r)) {
      l.backup()
      break
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${formatU(r)}`)
  return l.emit(typ)
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    const r = l.next()
    if (r === '\\') {
      const e = l.next()
      if (e !== EOF && e !== '\n') continue
      return l.errorf('unterminated character constant')
    }
    if (r === EOF || r === '\n') return l.errorf('unterminated character constant')
    if (r === "'") return l.emit('charConstant')
  }
}

function lexNumber(l: Lexer): StateFn {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${JSON.stringify(l.word())}`)
  const sign = l.peek()
  if (sign === '+' || sign === '-') {
    if (!scanNumber(l) || l.lastChar() !== 'i') return l.errorf(`bad number syntax: ${JSON.stringify(l.word())}`)
    return l.emit('complex')
  }
  return l.emit('number')
}

function scanNumber(l: Lexer): boolean {
  l.accept('+-')
  let digits = '0123456789_'
  if (l.accept('0')) {
    if (l.accept('xX')) digits = '0123456789abcdefABCDEF_'
    else if (l.accept('oO')) digits = '01234567_'
    else if (l.accept('bB')) digits = '01_'
  }
  l.acceptRun(digits)
  if (l.accept('.')) l.acceptRun(digits)
  if (digits.length === 11 && l.accept('eE')) {
    l.accept('+-')
    l.acceptRun('0123456789_')
  }
  if (digits.length === 23 && l.accept('pP')) {
    l.accept('+-')
    l.acceptRun('0123456789_')
  }
  l.accept('i')
  const p = l.peek()
  if (p !== EOF && isAlphaNumeric(p)) {
    l.next()
    return false
  }
  return true
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next()
    if (r === '\\') {
      const e = l.next()
      if (e !== EOF && e !== '\n') continue
      return l.errorf('unterminated quoted string')
    }
    if (r === EOF || r === '\n') return l.errorf('unterminated quoted string')
    if (r === '"') return l.emit('string')
  }
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next()
    if (r === EOF) return l.errorf('unterminated raw quoted string')
    if (r === '`') return l.emit('rawString')
  }
}

/** Go's %#U: U+0041 'A'. */
export function formatU(r: string): string {
  const c = r.codePointAt(0)
  if (c === undefined) return 'U+FFFFFFFF'
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(r) ? `${hex} '${r}'` : hex
}
