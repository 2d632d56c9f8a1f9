/**
 * JSON handled as text, so IPAM values travel through an export file byte for byte: Calico stores
 * them as compact JSON written by Go, and a JSON.parse/stringify round trip could change them
 * (integers above 2^53, escapes such as \u003c). These mirror Go's encoding/json Compact and
 * Indent, plus a parser that remembers each value's source text.
 *
 * Every function here expects text that JSON.parse has already accepted; callers validate first.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

/** Go's json.Compact: the same value with insignificant whitespace removed. */
export function compactJson(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      out += c
      if (c === '\\') out += text[++i]
      else if (c === '"') inString = false
    } else if (!WHITESPACE.has(c)) {
      out += c
      if (c === '"') inString = true
    }
  }
  return out
}

/**
 * Go's json.Indent with an empty prefix (what MarshalIndent produces): a newline and one indent
 * per depth after `{`, `[` and `,`, `": "` after keys, and `{}` / `[]` for empty containers.
 */
export function indentJson(text: string, indent = '  '): string {
  let out = ''
  let depth = 0
  let needIndent = false
  let inString = false
  const newline = () => `\n${indent.repeat(depth)}`
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      out += c
      if (c === '\\') out += text[++i]
      else if (c === '"') inString = false
      continue
    }
    if (WHITESPACE.has(c)) continue
    if (needIndent && c !== '}' && c !== ']') {
      needIndent = false
      depth++
      out += newline()
    }
    switch (c) {
      case '{':
      case '[':
        needIndent = true
        out += c
        break
      case ',':
        out += c + newline()
        break
      case ':':
        out += ': '
        break
      case '}':
      case ']':
        if (needIndent) needIndent = false
        else {
          depth--
          out += newline()
        }
        out += c
        break
      default:
        out += c
        if (c === '"') inString = true
    }
  }
  return out
}

/** A parsed JSON value together with the exact text it was parsed from. */
export type JsonNode =
  | {type: 'object'; raw: string; entries: Array<[string, JsonNode]>}
  | {type: 'array'; raw: string; items: JsonNode[]}
  | {type: 'scalar'; raw: string; value: string | number | boolean | null}

/** Parses JSON that JSON.parse accepts, keeping every value's source text. */
export function parseJsonWithSource(text: string): JsonNode {
  JSON.parse(text)
  let pos = 0
  const skip = () => {
    while (pos < text.length && WHITESPACE.has(text[pos])) pos++
  }
  const stringEnd = (start: number): number => {
    let i = start + 1
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    return i + 1
  }
  const value = (): JsonNode => {
    skip()
    const start = pos
    const c = text[pos]
    if (c === '{' || c === '[') {
      pos++
      const entries: Array<[string, JsonNode]> = []
      const items: JsonNode[] = []
      skip()
      while (text[pos] !== '}' && text[pos] !== ']') {
        if (c === '{') {
          skip()
          const keyEnd = stringEnd(pos)
          const key = JSON.parse(text.slice(pos, keyEnd)) as string
          pos = keyEnd
          skip()
          pos++ // ':'
          entries.push([key, value()])
        } else {
          items.push(value())
        }
        skip()
        if (text[pos] === ',') pos++
        skip()
      }
      pos++
      const raw = text.slice(start, pos)
      return c === '{' ? {type: 'object', raw, entries} : {type: 'array', raw, items}
    }
    if (c === '"') pos = stringEnd(pos)
    else while (pos < text.length && !WHITESPACE.has(text[pos]) && !',}]'.includes(text[pos])) pos++
    const raw = text.slice(start, pos)
    return {type: 'scalar', raw, value: JSON.parse(raw) as string | number | boolean | null}
  }
  return value()
}
