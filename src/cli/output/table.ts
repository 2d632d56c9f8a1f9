/**
 * The ps / wide / custom-columns printer (calicoctl's ResourcePrinterTable). For every entry of
 * the result slice it prints one table through a fresh tabwriter (5, 1, 3, ' ', 0):
 * a heading line, one line per resource (every item of a list), each cell tab-terminated,
 * then a blank line. A list with no items still prints its heading line.
 */

import {type ColumnContext, kindColumns, resolveHeadings, UnknownHeadingError} from './columns.js'
import {OutputError} from './errors.js'
import {type Printable, asGoObject, isList, itemKind} from './printable.js'
import {tabwrite} from './tabwriter.js'

export interface TableOptions {
  wide?: boolean
  /** custom-columns: these headings instead of the kind's defaults. */
  columns?: readonly string[]
  /** Prepend NAMESPACE for namespaced kinds (calicoctl: -A or -n given; never for custom-columns). */
  namespaceColumn?: boolean
  /** The global AS number for Node's ASN column; asked at most once. Default "64512". */
  asNumber?: () => string
}

export function renderTables(results: readonly Printable[], opts: TableOptions = {}): string {
  let out = ''
  const ctx = cachedContext(opts.asNumber)
  for (const p of results) {
    const kind = itemKind(p)
    const columns = kindColumns(kind)
    if (!columns) throw new OutputError(`no table format for resource kind ${kind}`, out)
    let headings: string[]
    try {
      headings = resolveHeadings(columns, {wide: opts.wide, custom: opts.columns, namespaceColumn: opts.namespaceColumn})
    } catch (err) {
      if (err instanceof UnknownHeadingError) throw new OutputError(err.message, out)
      throw err
    }
    const rows = isList(p) ? p.items : [p]
    let text = headings.map((h) => `${h}\t`).join('') + '\n'
    for (const r of rows) {
      const obj = asGoObject(r)
      text += headings.map((h) => `${columns.values.get(h)?.(obj, ctx) ?? ''}\t`).join('') + '\n'
    }
    out += tabwrite(text) + '\n'
  }
  return out
}

/** calicoctl's config() closure caches the answer for the whole print. */
function cachedContext(asNumber?: () => string): ColumnContext {
  let value: string | undefined
  return {
    asNumber: () => (value ??= asNumber ? asNumber() : '64512'),
  }
}
