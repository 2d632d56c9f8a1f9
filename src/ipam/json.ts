/**
 * JSON with 64-bit integers. Calico's block sequence numbers are uint64 seeded from the Unix time in
 * nanoseconds (~1.7e18), beyond the 2^53 a JS number holds exactly. parseJSONBig turns every
 * integer literal too long to be exact into a string before JSON.parse, so readers can take it as
 * a bigint; strings inside the document are skipped, so their contents are never touched.
 */

/** Integers with more digits than this may not be exact as a JS number. */
const SAFE_DIGITS = 15

export function parseJSONBig(text: string): unknown {
  if (!needsQuoting(text)) return JSON.parse(text)
  let out = ''
  let start = 0
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // Skip a string, honouring escapes.
      i++
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1
      i++
      continue
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1
      while (j < text.length && isNumberChar(text.charCodeAt(j))) j++
      const literal = text.slice(i, j)
      if (/^-?\d+$/.test(literal) && literal.replace('-', '').length > SAFE_DIGITS) {
        out += `${text.slice(start, i)}"${literal}"`
        start = j
      }
      i = j
      continue
    }
    i++
  }
  return JSON.parse(out + text.slice(start))
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
}

/** A cheap pre-check: any run of more than SAFE_DIGITS digits at all. */
function needsQuoting(text: string): boolean {
  let run = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) {
      if (++run > SAFE_DIGITS) return true
    } else run = 0
  }
  return false
}

/** A uint64 read back from parseJSONBig (a number or a quoted long integer). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value))
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value)
  return 0n
}
