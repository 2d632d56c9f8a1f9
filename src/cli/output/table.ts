/**
 * The ps / wide / custom-columns printer (calicoctl's ResourcePrinterTable). For every entry of
 * the result slice it prints one table through a fresh tabwriter (5, 1, 3, ' ', 0):
 * a heading line, one line per resource (every item of a list), each cell tab-terminated,
 * then a blank line. A list with no items still prints its heading line.
 */

import {type ColumnContext, kindColumns, resolveHeadings, UnknownHeadingError} from './columns.js'
import {OutputError} from './errors.js'
import type {Resource} from '../../api/resource.js'
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
    const table = new TableBuilder(itemKind(p), opts, ctx, out)
    table.add(isList(p) ? p.items : [p])
    out += table.finish()
  }
  return out
}

/**
 * One table: rows are turned into their tab-separated text as they are added (so a caller can
 * drop the resources page by page), and aligned at the end, since a column's width depends on
 * every row.
 */
export class TableBuilder {
  private readonly columns: NonNullable<ReturnType<typeof kindColumns>>
  private readonly headings: string[]
  private text: string

  /** `partial`: output already printed before this table, carried by a failure. */
  constructor(
    kind: string,
    opts: TableOptions,
    private readonly ctx: ColumnContext = cachedContext(opts.asNumber),
    partial = '',
  ) {
    const columns = kindColumns(kind)
    if (!columns) throw new OutputError(`no table format for resource kind ${kind}`, partial)
    this.columns = columns
    try {
      this.headings = resolveHeadings(columns, {wide: opts.wide, custom: opts.columns, namespaceColumn: opts.namespaceColumn})
    } catch (err) {
      if (err instanceof UnknownHeadingError) throw new OutputError(err.message, partial)
      throw err
    }
    this.text = this.headings.map((h) => `${h}\t`).join('') + '\n'
  }

  add(rows: readonly Resource[]): void {
    for (const r of rows) {
      const obj = asGoObject(r)
      this.text += this.headings.map((h) => `${this.columns.values.get(h)?.(obj, this.ctx) ?? ''}\t`).join('') + '\n'
    }
  }

  finish(): string {
    return tabwrite(this.text) + '\n'
  }
}

/** calicoctl's config() closure caches the answer for the whole print. */
function cachedContext(asNumber?: () => string): ColumnContext {
  let value: string | undefined
  return {
    asNumber: () => (value ??= asNumber ? asNumber() : '64512'),
  }
}
