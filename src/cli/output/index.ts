/**
 * The one door to `get` output. The CLI parses `-o` with parseOutputFormat (before querying, as
 * calicoctl does), runs the query, then calls renderGetOutput and writes the string to stdout
 * verbatim. Exact endings, as calicoctl prints them:
 *   ps / wide / custom-columns  each table followed by a blank line
 *   yaml                        ends with one newline
 *   json                        no trailing newline
 *   go-template(-file)          exactly what the template produces
 * Failures throw OutputError; its `partial` is output calicoctl had already printed (tables
 * before the failing one), to be written before the message goes to stderr.
 */

import type {Resource} from '../../api/resource.js'
import {kindColumns, needsAsNumber, resolveHeadings} from './columns.js'
import {OutputError} from './errors.js'
import type {OutputFormat} from './format.js'
import {renderGoTemplate, templateUsesConfig, TemplateError} from './go-template.js'
import {renderJson} from './json.js'
import {asGoObject, isList, itemKind, makeList, type Printable} from './printable.js'
import {renderTables} from './table.js'
import {renderYaml} from './yaml.js'

export {colours, useColour} from './colour.js'
export {OutputError} from './errors.js'
export {type OutputFormat, OutputFormatError, parseOutputFormat} from './format.js'
export {makeList, type Printable} from './printable.js'
export {streamList, type ListPage, type StreamFormat} from './stream.js'
/** sigs.k8s.io/yaml-style YAML and Go MarshalIndent JSON of plain values, for other commands' output. */
export {marshalYaml} from './goyaml.js'
export {marshalIndent as marshalJsonIndent} from './json.js'

export interface GetOutputRequest {
  format: OutputFormat
  /** calicoctl's results.Resources: each entry one resource or one `<Kind>List`. */
  results: readonly Printable[]
  /**
   * Shorthand for `get <KIND>` without names: `results` are the items of one LIST, printed as a
   * single `<Kind>List` (kind from listKind, else from the first item).
   */
  isList?: boolean
  listKind?: string
  listResourceVersion?: string
  /** `-A` or `-n` was given: ps and wide put NAMESPACE first for namespaced kinds. */
  namespaceColumn?: boolean
  /** go-template-file: the file's contents, read by the caller. */
  templateText?: string
  /** The global AS number (Node's ASN column, `config "asnumber"`); looked up at most once. */
  asNumber?: string | (() => string)
}

export function renderGetOutput(req: GetOutputRequest): string {
  const results = printables(req)
  const asNumber = typeof req.asNumber === 'string' ? () => req.asNumber as string : req.asNumber
  const f = req.format
  switch (f.kind) {
    case 'ps':
    case 'wide':
      return renderTables(results, {wide: f.kind === 'wide', namespaceColumn: req.namespaceColumn, asNumber})
    case 'custom-columns':
      // calicoctl's custom-columns printer never adds the NAMESPACE column.
      return renderTables(results, {columns: f.columns, asNumber})
    case 'yaml':
      return renderYaml(results)
    case 'json':
      return renderJson(results)
    case 'go-template':
    case 'go-template-file': {
      const text = f.kind === 'go-template' ? f.template : req.templateText
      if (text === undefined) throw new OutputError('go-template-file: the caller must supply the template text')
      try {
        return renderGoTemplate(text, results, {asNumber})
      } catch (err) {
        if (err instanceof TemplateError) throw new OutputError(err.message)
        throw err
      }
    }
  }
}

/**
 * Whether rendering would ask for the global AS number, so the caller can skip the
 * BGPConfiguration lookup otherwise (calicoctl makes it lazily, only when needed).
 */
export function outputNeedsAsNumber(req: GetOutputRequest): boolean {
  const f = req.format
  if (f.kind === 'go-template') return templateUsesConfig(f.template)
  if (f.kind === 'go-template-file') return templateUsesConfig(req.templateText ?? '')
  if (f.kind !== 'ps' && f.kind !== 'wide' && f.kind !== 'custom-columns') return false
  return printables(req).some((p) => {
    const kind = itemKind(p)
    const columns = kindColumns(kind)
    if (!columns) return false
    let headings: string[]
    try {
      headings = resolveHeadings(columns, {wide: f.kind === 'wide', custom: f.kind === 'custom-columns' ? f.columns : undefined})
    } catch {
      return false
    }
    const rows: readonly Resource[] = isList(p) ? p.items : [p]
    return rows.some((r) => needsAsNumber(kind, headings, asGoObject(r)))
  })
}

function printables(req: GetOutputRequest): readonly Printable[] {
  if (!req.isList) return req.results
  const items = req.results.filter((r): r is Resource => !isList(r))
  const kind = req.listKind ?? items[0]?.kind
  if (kind === undefined) throw new OutputError('a list with no items needs listKind')
  return [makeList(kind, items, req.listResourceVersion)]
}
