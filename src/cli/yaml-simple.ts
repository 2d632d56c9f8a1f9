/**
 * A fast reader for the plain block YAML that resource files are made of (nested mappings and
 * sequences, plain and quoted one-line scalars, one-line flow sequences and mappings of scalars),
 * giving exactly what js-yaml gives for it. js-yaml spends most of a bulk apply's parse time on
 * generality; this reads a typical policy about five times faster.
 *
 * Anything outside that subset — comments, anchors, tags, block scalars, multi-line scalars,
 * quoted or complex keys, merge keys, duplicate keys, tabs, odd indentation, JSON documents,
 * control characters — is declined (undefined), and the caller parses the document with
 * js-yaml, which also produces every error message. Plain scalars are resolved with the very
 * types of the schema js-yaml uses (null, the YAML 1.1 booleans, int, float, timestamp), in its
 * order, so `yes`, `0x1F`, `1e3` or `2001-12-14` come out as they would from js-yaml.
 */

/** A js-yaml type as the loader uses it for implicit resolution. */
export interface ImplicitType {
  tag: string
  resolve(data: string): boolean
  construct(data: string): unknown
}

/** Thrown inside the reader when the document leaves the subset. */
class Declined extends Error {}

const DECLINE = new Declined()

interface Line {
  indent: number
  text: string
}

/** Characters that cannot start a plain scalar (or that start something this reader declines). */
const INDICATOR_START = new Set(['&', '*', '!', '|', '>', '%', '@', '`', '?', '{', '}', '[', ']', ',', '#', '"', "'", '-', ':'])

/**
 * Only printable ASCII and newlines: no tabs, carriage returns, control characters (js-yaml
 * reports those) or non-ASCII spaces, which YAML and String.prototype.trim disagree about.
 */
const OUTSIDE_ASCII = /[^\x20-\x7e\n]/

/** Distinct key texts remembered before starting over (see mappingKey). */
const KEY_CACHE_LIMIT = 4096

const ESCAPES: Record<string, string> = {n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0'}

export class SimpleYamlReader {
  /** The implicit types that can accept a word (null and bool), in the schema's order. */
  private readonly words: readonly ImplicitType[]
  /** Mapping keys by their text (see mappingKey). */
  private readonly keys = new Map<string, string>()

  /** `implicit`: js-yaml's default schema's implicit types (with YAML 1.1 booleans), in order. */
  constructor(private readonly implicit: readonly ImplicitType[]) {
    this.words = implicit.filter((type) => type.tag === 'tag:yaml.org,2002:null' || type.tag === 'tag:yaml.org,2002:bool')
  }

  /** The document's value, or undefined when it is not in the subset (then use js-yaml). */
  read(text: string): unknown {
    if (text.includes('#') || text.includes('\\u') || OUTSIDE_ASCII.test(text)) {
      return undefined
    }
    const lines: Line[] = []
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('\n', start)
      if (end < 0) end = text.length
      let first = start
      while (first < end && text.charCodeAt(first) === 0x20) first++
      let last = end
      while (last > first && text.charCodeAt(last - 1) === 0x20) last--
      if (last > first) {
        const body = text.slice(first, last)
        if (body.startsWith('...') || body.startsWith('---')) return undefined
        lines.push({indent: first - start, text: body})
      }
      start = end + 1
    }
    if (lines.length === 0) return undefined
    const first = lines[0]
    if (first.text.startsWith('{') || first.text.startsWith('[')) return undefined
    try {
      const state = {lines, at: 0}
      const value = this.block(state, first.indent)
      if (state.at !== lines.length) return undefined
      return value
    } catch (error) {
      if (error instanceof Declined) return undefined
      throw error
    }
  }

  private block(state: {lines: Line[]; at: number}, indent: number): unknown {
    const line = state.lines[state.at]
    if (isEntry(line.text)) return this.sequence(state, indent)
    if (keyEnd(line.text) >= 0) return this.mapping(state, indent)
    throw DECLINE
  }

  private mapping(state: {lines: Line[]; at: number}, indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    const {lines} = state
    while (state.at < lines.length) {
      const line = lines[state.at]
      if (line.indent < indent) break
      if (line.indent > indent || isEntry(line.text)) throw DECLINE
      const end = keyEnd(line.text)
      if (end < 0) throw DECLINE
      const keyText = line.text.slice(0, end)
      const key = this.mappingKey(keyText)
      if (out[key] !== undefined) throw DECLINE
      const rest = line.text.slice(end + 1).trimStart()
      state.at++
      out[key] = rest === '' ? this.nested(state, indent, true) : this.inline(rest, state, indent)
    }
    return out
  }

  private sequence(state: {lines: Line[]; at: number}, indent: number): unknown[] {
    const out: unknown[] = []
    const {lines} = state
    while (state.at < lines.length) {
      const line = lines[state.at]
      if (line.indent < indent) break
      if (line.indent > indent || !isEntry(line.text)) break
      const rest = line.text.slice(1).trimStart()
      if (rest === '') {
        state.at++
        out.push(this.nested(state, indent, false))
        continue
      }
      if (isEntry(rest)) throw DECLINE
      if (!'"\'[{'.includes(rest[0]) && keyEnd(rest) >= 0) {
        // `- key: value`: a mapping whose keys line up with this first one.
        lines[state.at] = {indent: line.indent + (line.text.length - rest.length), text: rest}
        out.push(this.mapping(state, lines[state.at].indent))
        continue
      }
      state.at++
      out.push(this.inline(rest, state, indent))
    }
    return out
  }

  /**
   * The value under `key:` or `-` with nothing after it: a more indented block, a sequence at the
   * same indentation (mapping values only), or null.
   */
  private nested(state: {lines: Line[]; at: number}, indent: number, inMapping: boolean): unknown {
    const next = state.lines[state.at]
    if (next === undefined || next.indent < indent) return null
    if (next.indent > indent) return this.block(state, next.indent)
    if (inMapping && isEntry(next.text)) return this.sequence(state, indent)
    return null
  }

  /** A value on the same line as its key or dash; the next line may not continue it. */
  private inline(text: string, state: {lines: Line[]; at: number}, indent: number): unknown {
    const next = state.lines[state.at]
    if (next !== undefined && next.indent > indent) throw DECLINE
    const first = text[0]
    if (first === '"' || first === "'") {
      const {value, end} = quoted(text, 0)
      if (end !== text.length) throw DECLINE
      return value
    }
    if (first === '[') return this.flow(text, ']')
    if (first === '{') return this.flow(text, '}')
    if (INDICATOR_START.has(first) || keyEnd(text) >= 0) throw DECLINE
    return this.plain(text)
  }

  /** A one-line flow sequence or mapping of scalars: `[80, "8000:8100"]`, `{a: b, c: "d"}`. */
  private flow(text: string, close: ']' | '}'): unknown {
    if (!text.endsWith(close)) throw DECLINE
    const inner = text.slice(1, -1)
    const items: unknown[] = []
    const keys: unknown[] = []
    let at = 0
    const skipSpaces = () => {
      while (inner[at] === ' ') at++
    }
    skipSpaces()
    if (at === inner.length) return close === ']' ? [] : {}
    for (;;) {
      skipSpaces()
      if (close === '}') {
        const colon = inner.indexOf(': ', at)
        if (colon < 0) throw DECLINE
        const keyText = inner.slice(at, colon).trim()
        if (keyText === '' || INDICATOR_START.has(keyText[0]) || /[,[\]{}:"']/.test(keyText) || keyText === '<<') throw DECLINE
        keys.push(this.plain(keyText))
        at = colon + 2
        skipSpaces()
      }
      if (inner[at] === '"' || inner[at] === "'") {
        const {value, end} = quoted(inner, at)
        items.push(value)
        at = end
      } else {
        const stop = inner.slice(at).search(/[,[\]{}]/)
        const plainText = (stop < 0 ? inner.slice(at) : inner.slice(at, at + stop)).trim()
        if (plainText === '' || INDICATOR_START.has(plainText[0]) || plainText.includes(':') || plainText.includes('"') || plainText.includes("'")) {
          throw DECLINE
        }
        items.push(this.plain(plainText))
        at = stop < 0 ? inner.length : at + stop
      }
      skipSpaces()
      if (at === inner.length) break
      if (inner[at] !== ',') throw DECLINE
      at++
      skipSpaces()
      if (at === inner.length) throw DECLINE
    }
    if (close === ']') return items
    const out: Record<string, unknown> = {}
    for (const [i, key] of keys.entries()) {
      if (typeof key !== 'string' || key === '__proto__' || Object.hasOwn(out, key)) throw DECLINE
      out[key] = items[i]
    }
    return out
  }

  /**
   * A block mapping's key: a plain scalar that resolves to a string other than `__proto__`, or
   * the document is declined. Resource files repeat a few dozen keys, so answers are kept.
   */
  private mappingKey(keyText: string): string {
    const known = this.keys.get(keyText)
    if (known !== undefined) return known
    // The text is printable ASCII (see read), so the only trailing white space is a space.
    if (INDICATOR_START.has(keyText[0]) || keyText.includes('"') || keyText.includes("'") || keyText.endsWith(' ') || keyText === '<<') {
      throw DECLINE
    }
    const key = this.plain(keyText)
    if (typeof key !== 'string' || key === '__proto__') throw DECLINE
    if (this.keys.size >= KEY_CACHE_LIMIT) this.keys.clear()
    this.keys.set(keyText, key)
    return key
  }

  /** A plain scalar resolved as js-yaml resolves it (first matching implicit type, else string). */
  private plain(text: string): unknown {
    // Of the schema's implicit types only null and the booleans accept a word that starts with a
    // letter, and none of their words is longer than five letters.
    const c = text.charCodeAt(0) | 0x20
    if (c >= 0x61 && c <= 0x7a) {
      if (text.length > 5) return text
      for (const type of this.words) if (type.resolve(text)) return type.construct(text)
      return text
    }
    for (const type of this.implicit) {
      if (type.resolve(text)) return type.construct(text)
    }
    return text
  }
}

function isEntry(text: string): boolean {
  return text[0] === '-' && (text.length === 1 || text[1] === ' ')
}

/** Where a `key:` ends (the colon's index), or -1 when the text is not a mapping entry. */
function keyEnd(text: string): number {
  const spaced = text.indexOf(': ')
  if (spaced >= 0) return spaced
  return text.endsWith(':') ? text.length - 1 : -1
}

/** A single- or double-quoted scalar that closes on this line; `end` is just past it. */
function quoted(text: string, start: number): {value: string; end: number} {
  const quote = text[start]
  const close = text.indexOf(quote, start + 1)
  if (close < 0) throw DECLINE
  // The common case, nothing to unescape: no backslash before the closing quote, no '' after it.
  const plainSpan = quote === '"' ? !text.slice(start + 1, close).includes('\\') : text[close + 1] !== "'"
  if (plainSpan) return {value: text.slice(start + 1, close), end: close + 1}
  let value = ''
  let at = start + 1
  while (at < text.length) {
    const c = text[at]
    if (quote === "'" && c === "'") {
      if (text[at + 1] === "'") {
        value += "'"
        at += 2
        continue
      }
      return {value, end: at + 1}
    }
    if (quote === '"' && c === '"') return {value, end: at + 1}
    if (quote === '"' && c === '\\') {
      const escaped = ESCAPES[text[at + 1]]
      if (escaped === undefined) throw DECLINE
      value += escaped
      at += 2
      continue
    }
    value += c
    at++
  }
  throw DECLINE
}
