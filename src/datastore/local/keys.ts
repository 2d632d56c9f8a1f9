/**
 * Key-range helpers for the local backend.
 *
 * SQLite stores keys as UTF-8 TEXT with BINARY collation, so it orders them by their UTF-8 bytes,
 * which is the same as ordering by Unicode code point. A prefix query therefore becomes the
 * half-open range [prefix, prefixEnd(prefix)) and can be answered from the primary-key index
 * without scanning keys outside it. (JavaScript's own `<` compares UTF-16 code units, which
 * disagrees with code-point order for astral characters, so ordering is left to SQLite.)
 */

/** Largest Unicode code point. */
const MAX_CODE_POINT = 0x10ffff

/**
 * The smallest string that is greater than every string starting with `prefix`, or undefined when
 * no such bound exists (empty prefix, or a prefix made only of U+10FFFF): then the range is open.
 *
 * Works like etcd's "prefix end" (increment the last byte), but on code points so the result is
 * always valid UTF-8: drop trailing U+10FFFF characters, then replace the last code point c by the
 * next one (skipping the surrogate block, which cannot appear in UTF-8).
 */
export function prefixEnd(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (ch) => ch.codePointAt(0) ?? 0)
  while (codePoints.length > 0) {
    const last = codePoints.pop() ?? 0
    if (last < MAX_CODE_POINT) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1
      codePoints.push(next)
      return String.fromCodePoint(...codePoints)
    }
  }
  return undefined
}

/** Compiled form of a prefix used by queries: lower bound and (optional) exclusive upper bound. */
export interface KeyRange {
  prefix: string
  /** Exclusive upper bound; undefined means "no upper bound". */
  end: string | undefined
}

export function keyRange(prefix: string): KeyRange {
  return {prefix, end: prefixEnd(prefix)}
}
