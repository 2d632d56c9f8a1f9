/**
 * `get -o go-template=…` / `go-template-file=…`: runs a Go text/template against calicoctl's
 * result slice (so `{{range .}}` walks the results and a LIST is one element holding `.Items`).
 * The function map is calicoctl's: text/template builtins plus join, joinAndTruncate and
 * `config "asnumber"`. Output is exactly what the template produces, nothing appended; on any
 * error nothing is printed (calicoctl's yamltemplate buffers the output).
 *
 * Not reproduced: safetext/yamltemplate's YAML-injection check, which can reject output that is
 * not YAML-shaped; Go method calls on the typed structs (`.GetName`).
 */

import type {GoValue} from './govalue.js'
import {type Printable} from './printable.js'
import {execute} from './template/exec.js'
import {templateFuncs, UNSUPPORTED_FUNCTIONS} from './template/funcs.js'
import {parseTemplate} from './template/parser.js'

export {TemplateError} from './template/parser.js'

export interface GoTemplateOptions {
  /** The global AS number (`config "asnumber"`); called at most once. Default "64512". */
  asNumber?: () => string
}

/** calicoctl names its template "get"; Go's messages carry that name. */
const NAME = 'get'

export function renderGoTemplate(text: string, results: readonly Printable[], opts: GoTemplateOptions = {}): string {
  let asn: string | undefined
  const funcs = templateFuncs(() => (asn ??= opts.asNumber ? opts.asNumber() : '64512'))
  const root = parseTemplate(text, {name: NAME, functions: new Set(funcs.keys()), unsupportedFunctions: UNSUPPORTED_FUNCTIONS})
  return execute(root, results as unknown as GoValue, {name: NAME, text, funcs})
}

/** Whether a template can call `config` (so the caller knows to look the AS number up). */
export function templateUsesConfig(text: string): boolean {
  return /\bconfig\b/.test(text)
}
