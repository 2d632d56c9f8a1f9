/**
 * go-yaml v2's resolve() for an untagged plain scalar, reduced to the question its encoder asks:
 * would this string read back as something other than a string (null, bool, int, float,
 * timestamp)? If so the encoder double-quotes it. Ported from resolve.go, with the strconv
 * parsers it relies on (ParseInt/ParseUint base 0, ParseFloat) and its timestamp layouts.
 */

const RESOLVE_MAP = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'],
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'],
  ...['', '~', 'null', 'Null', 'NULL'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
])

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/

export function resolvesToNonString(s: string): boolean {
  if (s === '') return true
  const c = s[0]
  let hint: 'S' | 'D' | 'M' | '.'
  if (c === '+' || c === '-') hint = 'S'
  else if (c >= '0' && c <= '9') hint = 'D'
  else if ('yYnNtTfFoO~'.includes(c)) hint = 'M'
  else if (c === '.') hint = '.'
  else return false
  if (RESOLVE_MAP.has(s)) return true
  switch (hint) {
    case 'M':
      return false
    case '.':
      return /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s) && Number.isFinite(Number(s.replaceAll('_', '')))
    default: {
      if (isTimestamp(s)) return true
      const plain = s.replaceAll('_', '')
      if (parsesAsInt(plain, true) || parsesAsInt(plain, false)) return true
      return YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))
    }
  }
}

/** strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64) succeeds. */
function parsesAsInt(s: string, signed: boolean): boolean {
  let body = s
  let neg = false
  if (signed && (body[0] === '+' || body[0] === '-')) {
    neg = body[0] === '-'
    body = body.slice(1)
  }
  if (body === '') return false
  let base = 10
  if (body[0] === '0') {
    const p = body.length >= 3 ? body[1].toLowerCase() : ''
    if (p === 'b' || p === 'o' || p === 'x') {
      base = p === 'b' ? 2 : p === 'o' ? 8 : 16
      body = body.slice(2)
    } else {
      base = 8
      body = body.slice(1)
      if (body === '') return true
    }
  }
  const digits = {2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/}[base]
  if (!digits?.test(body)) return false
  const prefix = {2: '0b', 8: '0o', 10: '', 16: '0x'}[base] ?? ''
  const v = BigInt(prefix + body)
  if (!signed) return v <= 2n ** 64n - 1n
  return neg ? v <= 2n ** 63n : v <= 2n ** 63n - 1n
}

const TIMESTAMP_LAYOUTS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})([.,]\d+)?(Z|[-+]\d\d:\d\d)$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})t(\d{1,2}):(\d{1,2}):(\d{1,2})([.,]\d+)?(Z|[-+]\d\d:\d\d)$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})([.,]\d+)?$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
]

/** go-yaml's parseTimestamp: YYYY- then one of its time.Parse layouts, with Go's range checks. */
function isTimestamp(s: string): boolean {
  if (!/^\d{4}-/.test(s)) return false
  for (const layout of TIMESTAMP_LAYOUTS) {
    const m = layout.exec(s)
    if (!m) continue
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (month < 1 || month > 12) continue
    if (day < 1 || day > daysIn(year, month)) continue
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) continue
    return true
  }
  return false
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
}
