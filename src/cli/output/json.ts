/**
 * `get -o json`: Go's json.MarshalIndent(rs, "", "  ") written with no trailing newline.
 * One result prints bare, several as an array, none as `null` (calicoctl's result slice is nil).
 *
 * Go's encoder differs from JSON.stringify in string escaping only: it escapes <, > and & as
 * \u003c \u003e \u0026 (HTML-safe by default), U+2028/U+2029, and invalid UTF-16 becomes
 * U+FFFD. Number text is the same for every float64 (both switch to exponent form below 1e-6
 * and from 1e21).
 */

import {goShape, type Json} from './goshape.js'
import type {Printable} from './printable.js'

export function renderJson(results: readonly Printable[]): string {
  if (results.length === 0) return 'null'
  const value: Json = results.length === 1 ? goShape(results[0]) : results.map(goShape)
  return marshalIndent(value, '')
}

/** Go's MarshalIndent layout: two-space indent, `"key": value`, empty containers as {} and []. */
export function marshalIndent(v: Json, indent: string): string {
  if (v === null) return 'null'
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null'
  if (typeof v === 'string') return goQuote(v)
  const inner = indent + '  '
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    return `[\n${v.map((e) => inner + marshalIndent(e, inner)).join(',\n')}\n${indent}]`
  }
  const keys = Object.keys(v)
  if (keys.length === 0) return '{}'
  return `{\n${keys.map((k) => `${inner}${goQuote(k)}: ${marshalIndent(v[k], inner)}`).join(',\n')}\n${indent}}`
}

/** encoding/json's string encoder with HTML escaping on. */
export function goQuote(s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1]
        i++
        continue
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      out += '\ufffd'
      continue
    }
    switch (c) {
      case 0x22:
        out += '\\"'
        continue
      case 0x5c:
        out += '\\\\'
        continue
      case 0x08:
        out += '\\b'
        continue
      case 0x0c:
        out += '\\f'
        continue
      case 0x0a:
        out += '\\n'
        continue
      case 0x0d:
        out += '\\r'
        continue
      case 0x09:
        out += '\\t'
        continue
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0')
      continue
    }
    out += s[i]
  }
  return out + '"'
}
