/**
 * sigs.k8s.io/yaml's Marshal, which is json.Marshal then go-yaml v2 (go.yaml.in/yaml/v2 v2.4.2)
 * encoding of the decoded JSON: every mapping's keys sorted by go-yaml's key order, block style,
 * sequences not indented under their key, empty collections as {} and [].
 *
 * The emitter is a port of go-yaml's emitterc.go for the events this produces (block mappings,
 * block sequences, empty flow collections, scalars), keeping its exact bookkeeping: column,
 * indent stack, best width 80 (long plain and quoted strings fold at spaces past column 80),
 * simple keys up to 128 bytes, and its choice among plain, single-quoted, double-quoted and
 * literal styles. Strings that would read back as another type (true, 123, 1.5, null, ~,
 * 2024-01-02, 1:20 …) are double-quoted, as go-yaml's encoder requests.
 */

import {formatFloat} from './gofloat.js'
import type {Json} from './goshape.js'
import {resolvesToNonString} from './goyaml-resolve.js'

type Style = 'plain' | 'single' | 'double' | 'literal'
type Node = {kind: 'scalar'; value: string; style: Style} | {kind: 'seq'; items: Node[]} | {kind: 'map'; entries: [Node, Node][]}

/** yaml.Marshal of a JSON value: the document text, ending in a newline. */
export function marshalYaml(value: Json): string {
  const e = new Emitter()
  e.emitNode(toNode(value), {root: true, sequence: false, mapping: false, simpleKey: false})
  e.writeIndent() // document end
  return e.text()
}

function toNode(v: Json): Node {
  if (v === null) return {kind: 'scalar', value: 'null', style: 'plain'}
  if (typeof v === 'boolean') return {kind: 'scalar', value: String(v), style: 'plain'}
  if (typeof v === 'number') return {kind: 'scalar', value: yamlNumber(v), style: 'plain'}
  if (typeof v === 'string') return stringNode(v)
  if (Array.isArray(v)) return {kind: 'seq', items: v.map(toNode)}
  const keys = Object.keys(v)
    .map((k) => ({k, cps: codePoints(k)}))
    .sort((a, b) => (cpsLess(a.cps, b.cps) ? -1 : cpsLess(b.cps, a.cps) ? 1 : 0))
    .map((e) => e.k)
  return {kind: 'map', entries: keys.map((k) => [stringNode(k), toNode(v[k])])}
}

/** JSON integers decode as ints (printed in full), everything else as float64 (%g shortest). */
function yamlNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString()
  if (n === Infinity) return '.inf'
  if (n === -Infinity) return '-.inf'
  if (Number.isNaN(n)) return '.nan'
  return formatFloat(n, 'g', -1)
}

/** go-yaml's encoder.stringv. */
function stringNode(raw: string): Node {
  const s = /[\ud800-\udfff]/.test(raw)
    ? raw.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    : raw
  const canUsePlain = !resolvesToNonString(s) && !isBase60Float(s)
  const style: Style = s.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double'
  return {kind: 'scalar', value: s, style}
}

function isBase60Float(s: string): boolean {
  if (s === '') return false
  const c = s[0]
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9')) || !s.includes(':')) return false
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)
}

/** go-yaml v2's keyList.Less for two string keys: letters after non-letters, digit runs numerically. */
export function keyLess(a: string, b: string): boolean {
  return cpsLess(codePoints(a), codePoints(b))
}

function cpsLess(ar: readonly number[], br: readonly number[]): boolean {
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetter(ar[i])
    const bl = isLetter(br[i])
    if (al && bl) return ar[i] < br[i]
    if (al || bl) return bl
    let an = 0n
    let bn = 0n
    if (ar[i] === 0x30 || br[i] === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          an = 1n
          bn = 1n
          break
        }
      }
    }
    let ai = i
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai] - 48))
    let bi = i
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi] - 48))
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i] < br[i]
  }
  return ar.length < br.length
}

function codePoints(s: string): number[] {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i) ?? 0
    out.push(c)
    if (c > 0xffff) i++
  }
  return out
}

/** unicode.IsLetter / unicode.IsDigit, with an ASCII fast path. */
function isLetter(c: number): boolean {
  if (c < 0x80) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
  return /^\p{L}$/u.test(String.fromCodePoint(c))
}

function isDigit(c: number): boolean {
  if (c < 0x80) return c >= 0x30 && c <= 0x39
  return /^\p{Nd}$/u.test(String.fromCodePoint(c))
}

// ---- character classes of yamlprivateh.go, per code point ----
const isBreak = (c: number): boolean => c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029
const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09
const isBlankz = (c: number | undefined): boolean => c === undefined || c === 0 || isBlank(c) || isBreak(c)
const isPrintable = (c: number): boolean =>
  c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)

const FIRST_CHAR_INDICATORS = new Set([...'#,[]{}&*!|>\'"%@`'].map((ch) => ch.charCodeAt(0)))

interface ScalarAnalysis {
  multiline: boolean
  blockPlainAllowed: boolean
  singleQuotedAllowed: boolean
  blockAllowed: boolean
}

/** yaml_emitter_analyze_scalar (flow-context flags are not needed: no scalar is in a flow collection). */
function analyzeScalar(value: string): ScalarAnalysis {
  if (value === '') return {multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false}
  const cs = codePoints(value)
  let blockIndicators = value.startsWith('---') || value.startsWith('...')
  let lineBreaks = false
  let special = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let precededByWhitespace = true
  let previousSpace = false
  let previousBreak = false
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]
    const followedByWhitespace = i + 1 >= cs.length || isBlank(cs[i + 1])
    if (i === 0) {
      if (FIRST_CHAR_INDICATORS.has(c)) blockIndicators = true
      else if ((c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace) blockIndicators = true // ? : -
    } else if (c === 0x3a && followedByWhitespace) blockIndicators = true // :
    else if (c === 0x23 && precededByWhitespace) blockIndicators = true // #
    if (!isPrintable(c)) special = true
    if (c === 0x20) {
      if (i === 0) leadingSpace = true
      if (i === cs.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(c)) {
      lineBreaks = true
      if (i === 0) leadingBreak = true
      if (i === cs.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = isBlankz(c)
  }
  const a: ScalarAnalysis = {multiline: lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true}
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlainAllowed = false
  if (trailingSpace) a.blockAllowed = false
  if (breakSpace) a.blockPlainAllowed = a.singleQuotedAllowed = false
  if (spaceBreak || special) a.blockPlainAllowed = a.singleQuotedAllowed = a.blockAllowed = false
  if (lineBreaks) a.blockPlainAllowed = false
  if (blockIndicators) a.blockPlainAllowed = false
  return a
}

interface Context {
  root: boolean
  sequence: boolean
  mapping: boolean
  simpleKey: boolean
}

const BEST_INDENT = 2
const BEST_WIDTH = 80

class Emitter {
  private out: string[] = []
  private column = 0
  private indent = -1
  private indents: number[] = []
  private whitespace = true
  private indention = true
  private ctx: Context = {root: false, sequence: false, mapping: false, simpleKey: false}

  text(): string {
    return this.out.join('')
  }

  emitNode(node: Node, ctx: Context): void {
    this.ctx = ctx
    if (node.kind === 'scalar') return this.emitScalar(node.value, node.style)
    if (node.kind === 'seq') {
      if (node.items.length === 0) return this.emptyFlow('[', ']')
      return this.blockSequence(node.items)
    }
    if (node.entries.length === 0) return this.emptyFlow('{', '}')
    return this.blockMapping(node.entries)
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false)
    this.writeIndicator(close, false, false, false)
  }

  private blockSequence(items: Node[]): void {
    this.increaseIndent(false, this.ctx.mapping && !this.indention)
    for (const item of items) {
      this.writeIndent()
      this.writeIndicator('-', true, false, true)
      this.emitNode(item, {root: false, sequence: true, mapping: false, simpleKey: false})
    }
    this.indent = this.indents.pop() ?? -1
  }

  private blockMapping(entries: [Node, Node][]): void {
    this.increaseIndent(false, false)
    for (const [key, value] of entries) {
      this.writeIndent()
      if (key.kind === 'scalar' && isSimpleKey(key.value)) {
        this.emitNode(key, {root: false, sequence: false, mapping: true, simpleKey: true})
        this.writeIndicator(':', false, false, false)
      } else {
        this.writeIndicator('?', true, false, true)
        this.emitNode(key, {root: false, sequence: false, mapping: true, simpleKey: false})
        this.writeIndent()
        this.writeIndicator(':', true, false, true)
      }
      this.emitNode(value, {root: false, sequence: false, mapping: true, simpleKey: false})
    }
    this.indent = this.indents.pop() ?? -1
  }

  private emitScalar(value: string, requested: Style): void {
    const style = this.selectStyle(value, requested)
    this.increaseIndent(true, false)
    const allowBreaks = !this.ctx.simpleKey
    if (style === 'plain') this.writePlain(value, allowBreaks)
    else if (style === 'single') this.writeSingleQuoted(value, allowBreaks)
    else if (style === 'double') this.writeDoubleQuoted(value, allowBreaks)
    else this.writeLiteral(value)
    this.indent = this.indents.pop() ?? -1
  }

  /** yaml_emitter_select_scalar_style, in block context (flow level 0). */
  private selectStyle(value: string, requested: Style): Style {
    const a = analyzeScalar(value)
    let style = requested
    if (this.ctx.simpleKey && a.multiline) style = 'double'
    if (style === 'plain') {
      if (!a.blockPlainAllowed) style = 'single'
      if (value === '' && this.ctx.simpleKey) style = 'single'
    }
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double'
    if (style === 'literal' && (!a.blockAllowed || this.ctx.simpleKey)) style = 'double'
    return style
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent)
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0
    else if (!indentless) this.indent += BEST_INDENT
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0)
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak()
    if (this.column < indent) this.putRun(' '.repeat(indent - this.column), indent - this.column)
    this.whitespace = true
    this.indention = true
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ')
    this.putRun(indicator, indicator.length) // indicators are ASCII
    this.whitespace = isWhitespace
    this.indention = this.indention && isIndention
  }

  private put(ch: string): void {
    this.out.push(ch)
    this.column++
  }

  private putBreak(): void {
    this.out.push('\n')
    this.column = 0
  }

  /** write_break: '\n' is a line break; other break characters are copied and reset the column. */
  private writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak()
    else {
      this.out.push(String.fromCodePoint(c))
      this.column = 0
    }
  }

  /** Writes text that holds no break and no fold point; the column advances by its code points. */
  private putRun(text: string, width: number): void {
    this.out.push(text)
    this.column += width
  }

  /**
   * True when go-yaml's writers would copy `cs` verbatim: no line breaks, and no space at which
   * the column could pass the best width (a fold point).
   */
  private copiesVerbatim(cs: readonly number[], width = cs.length): boolean {
    if (cs.some(isBreak)) return false
    return this.column + width <= BEST_WIDTH || !cs.includes(0x20)
  }

  private writePlain(value: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ')
    const cs = codePoints(value)
    if (this.copiesVerbatim(cs)) this.putRun(value, cs.length)
    else {
      let spaces = false
      let breaks = false
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]
        if (c === 0x20) {
          if (allowBreaks && !spaces && this.column > BEST_WIDTH && cs[i + 1] !== 0x20) this.writeIndent()
          else this.put(' ')
          spaces = true
        } else if (isBreak(c)) {
          if (!breaks && c === 0x0a) this.putBreak()
          this.writeBreak(c)
          this.indention = true
          breaks = true
        } else {
          if (breaks) this.writeIndent()
          this.put(String.fromCodePoint(c))
          this.indention = false
          spaces = false
          breaks = false
        }
      }
    }
    this.whitespace = false
    this.indention = false
  }

  private writeSingleQuoted(value: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false)
    const cs = codePoints(value)
    const width = cs.length + value.split("'").length - 1 // each quote is written twice
    if (this.copiesVerbatim(cs, width)) this.putRun(value.replaceAll("'", "''"), width)
    else {
      let spaces = false
      let breaks = false
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]
        if (c === 0x20) {
          const fold = allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cs.length - 1 && cs[i + 1] !== 0x20
          if (fold) this.writeIndent()
          else this.put(' ')
          spaces = true
        } else if (isBreak(c)) {
          if (!breaks && c === 0x0a) this.putBreak()
          this.writeBreak(c)
          this.indention = true
          breaks = true
        } else {
          if (breaks) this.writeIndent()
          if (c === 0x27) this.put("'")
          this.put(String.fromCodePoint(c))
          this.indention = false
          spaces = false
          breaks = false
        }
      }
    }
    this.writeIndicator("'", false, false, false)
    this.whitespace = false
    this.indention = false
  }

  private writeDoubleQuoted(value: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false)
    const cs = codePoints(value)
    // go-yaml's is_bom looks at the start of the value, not at i: a leading BOM escapes everything.
    const bom = cs[0] === 0xfeff
    const escaped = (c: number): boolean => !isPrintable(c) || bom || isBreak(c) || c === 0x22 || c === 0x5c
    if (!cs.some(escaped) && this.copiesVerbatim(cs)) this.putRun(value, cs.length)
    else {
      let spaces = false
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]
        if (escaped(c)) {
          this.put('\\')
          for (const ch of escapeDoubleQuoted(c)) this.put(ch)
          spaces = false
        } else if (c === 0x20) {
          if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cs.length - 1) {
            this.writeIndent()
            if (cs[i + 1] === 0x20) this.put('\\')
          } else this.put(' ')
          spaces = true
        } else {
          this.put(String.fromCodePoint(c))
          spaces = false
        }
      }
    }
    this.writeIndicator('"', false, false, false)
    this.whitespace = false
    this.indention = false
  }

  private writeLiteral(value: string): void {
    this.writeIndicator('|', true, false, false)
    const cs = codePoints(value)
    if (cs.length > 0 && (cs[0] === 0x20 || isBreak(cs[0]))) this.writeIndicator(String(BEST_INDENT), false, false, false)
    const chomp = chompHint(cs)
    if (chomp !== '') this.writeIndicator(chomp, false, false, false)
    this.putBreak()
    this.indention = true
    this.whitespace = true
    let breaks = true
    for (const c of cs) {
      if (isBreak(c)) {
        this.writeBreak(c)
        this.indention = true
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        this.put(String.fromCodePoint(c))
        this.indention = false
        breaks = false
      }
    }
  }
}

/** yaml_emitter_check_simple_key for a scalar key: one line, at most 128 bytes. */
function isSimpleKey(key: string): boolean {
  if (codePoints(key).some(isBreak)) return false
  return Buffer.byteLength(key, 'utf8') <= 128
}

/** Block scalar chomping: "-" without a final break, "+" with more than one, none for exactly one. */
function chompHint(cs: readonly number[]): string {
  if (cs.length === 0) return '-'
  const last = cs.length - 1
  if (!isBreak(cs[last])) return '-'
  if (last === 0) return '+'
  return isBreak(cs[last - 1]) ? '+' : ''
}

function escapeDoubleQuoted(c: number): string {
  const named: Record<number, string> = {
    0x00: '0',
    0x07: 'a',
    0x08: 'b',
    0x09: 't',
    0x0a: 'n',
    0x0b: 'v',
    0x0c: 'f',
    0x0d: 'r',
    0x1b: 'e',
    0x22: '"',
    0x5c: '\\',
    0x85: 'N',
    0xa0: '_',
    0x2028: 'L',
    0x2029: 'P',
  }
  if (named[c] !== undefined) return named[c]
  const hex = c.toString(16).toUpperCase()
  if (c <= 0xff) return 'x' + hex.padStart(2, '0')
  if (c <= 0xffff) return 'u' + hex.padStart(4, '0')
  return 'U' + hex.padStart(8, '0')
}
