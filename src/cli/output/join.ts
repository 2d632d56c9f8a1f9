/**
 * calicoctl's template helpers `join` and `joinAndTruncate` (commands/common/printer.go):
 * - nil gives "";
 * - a map becomes its "k=v" pairs, sorted as strings;
 * - anything else that is not a slice is treated as a one-element slice;
 * - items are printed with fmt's %v and joined; with maxLen > 0, as soon as the output passes
 *   maxLen bytes it is cut to maxLen-3 bytes and "..." appended.
 */

import {formatValue} from './gofmt.js'
import {compareGoStrings, type GoValue, isObject, kindOf, mapKeys} from './govalue.js'

export function joinAndTruncate(items: GoValue | undefined, separator: string, maxLen: number): string {
  const kind = kindOf(items)
  if (kind === 'nil' || kind === 'missing') return ''
  let list: readonly GoValue[]
  if (isObject(items)) {
    list = mapKeys(items)
      .map((k) => `${k}=${formatValue(items[k] ?? null)}`)
      .sort(compareGoStrings)
  } else if (Array.isArray(items)) list = items
  else list = [items as GoValue]

  let buf = Buffer.alloc(0)
  for (let i = 0; i < list.length; i++) {
    const piece = (i > 0 ? separator : '') + formatValue(list[i])
    buf = Buffer.concat([buf, Buffer.from(piece, 'utf8')])
    if (maxLen > 0 && buf.length > maxLen) {
      // Go's bytes.Buffer.Truncate panics below zero; text/template reports it as an error.
      if (maxLen - 3 < 0) throw new Error('bytes.Buffer: truncation out of range')
      return buf.subarray(0, maxLen - 3).toString('utf8') + '...'
    }
  }
  return buf.toString('utf8')
}

export function join(items: GoValue | undefined, separator: string): string {
  return joinAndTruncate(items, separator, 0)
}
