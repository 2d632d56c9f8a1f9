/**
 * `get <KIND>` (a LIST) printed page by page, with exactly the bytes renderGetOutput would give
 * for the whole list at once. Pages arrive in datastore key order, which is the list's order.
 *
 *  yaml / json  The `<Kind>List` envelope is rendered once around a placeholder item; the text
 *               before and after it frames the items, and each page's items are rendered and
 *               written as the page arrives (a list that fits one page is rendered whole).
 *  ps / wide    Column widths depend on every row (calicoctl's tabwriter), so rows are turned
 *               into their short tab-separated text page by page and the resources dropped; the
 *               table is aligned and written at the end.
 */
import type {Resource} from '../../api/resource.js'
import {marshalYaml} from './goyaml.js'
import {goShape, type Json} from './goshape.js'
import {marshalIndent, renderJson} from './json.js'
import {makeList} from './printable.js'
import {TableBuilder} from './table.js'
import {renderYaml} from './yaml.js'

export type StreamFormat = 'yaml' | 'json' | 'ps' | 'wide'

export interface ListPage {
  items: Resource[]
  /** The list's snapshot revision (the same for every page). */
  revision: number
}

export interface StreamOptions {
  format: StreamFormat
  kind: string
  namespaceColumn?: boolean
  write: (text: string) => void
}

const PLACEHOLDER = 'zz-list-item-placeholder-zz'

/** Writes the list as it is paged in; returns how many resources it printed. */
export async function streamList(pages: AsyncIterable<ListPage>, options: StreamOptions): Promise<number> {
  const {format, kind, write} = options
  let count = 0
  if (format === 'ps' || format === 'wide') {
    const table = new TableBuilder(kind, {wide: format === 'wide', namespaceColumn: options.namespaceColumn})
    for await (const page of pages) {
      table.add(page.items)
      count += page.items.length
    }
    write(table.finish())
    return count
  }
  const iterator = pages[Symbol.asyncIterator]()
  const first = await iterator.next()
  const firstPage: ListPage = first.done ? {items: [], revision: 0} : first.value
  const second = first.done ? first : await iterator.next()
  if (second.done) {
    // One page: nothing to gain from framing; render it exactly as a whole list.
    const results = [makeList(kind, firstPage.items, first.done ? undefined : String(firstPage.revision))]
    write(format === 'json' ? renderJson(results) : renderYaml(results))
    return firstPage.items.length
  }
  const frame = format === 'json' ? jsonFrame(kind, firstPage.revision) : yamlFrame(kind, firstPage.revision)
  write(frame.before)
  let wrote = false
  const emit = (items: readonly Resource[]) => {
    if (items.length === 0) return
    write(frame.items(items, wrote))
    wrote = true
    count += items.length
  }
  emit(firstPage.items)
  emit(second.value.items)
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) emit(next.value.items)
  write(frame.after)
  return count
}

interface Frame {
  before: string
  after: string
  /** The text of some items; `more`: items were written before (JSON needs a separator). */
  items(items: readonly Resource[], more: boolean): string
}

/** The list's shape with one placeholder string where the items go. */
function placeholderList(kind: string, revision: number): Json {
  const shaped = goShape(makeList(kind, [], String(revision))) as {[key: string]: Json}
  return {...shaped, items: [PLACEHOLDER]}
}

function jsonFrame(kind: string, revision: number): Frame {
  const text = marshalIndent(placeholderList(kind, revision), '')
  const at = text.indexOf(`"${PLACEHOLDER}"`)
  const lineStart = text.lastIndexOf('\n', at) + 1
  const indent = text.slice(lineStart, at)
  return {
    before: text.slice(0, lineStart),
    after: text.slice(at + PLACEHOLDER.length + 2),
    items: (items, more) => (more ? ',\n' : '') + items.map((item) => indent + marshalIndent(goShape(item), indent)).join(',\n'),
  }
}

function yamlFrame(kind: string, revision: number): Frame {
  const text = marshalYaml(placeholderList(kind, revision))
  const at = text.indexOf(`- ${PLACEHOLDER}\n`)
  const lineStart = text.lastIndexOf('\n', at) + 1
  const indent = text.slice(lineStart, at)
  return {
    before: text.slice(0, lineStart),
    after: text.slice(at + PLACEHOLDER.length + 3),
    items: (items) => {
      const sequence = marshalYaml(items.map((item) => goShape(item)))
      return indent === '' ? sequence : sequence.replace(/^(?=.)/gm, indent)
    },
  }
}
