// The parsed-selector object handed out by parseSelector: the tree plus lazily built and cached
// canonical text, UniqueID and compiled matchers, so a selector parsed once can be evaluated
// millions of times cheaply.
import {createHash} from 'node:crypto'

import type {SelectorNode} from './ast.js'
import {collectLabelKeys} from './ast.js'
import {type LabelMap, type LabelRecord, type Labels, type Matcher, compileForMap, compileForRecord, isLabelMap} from './evaluate.js'
import {printSelector} from './print.js'

export interface Selector {
  readonly ast: SelectorNode
  /** Calico's match semantics; see evaluate.ts for how missing labels behave. */
  evaluate(labels: Labels): boolean
  /** Calico's canonical form (Selector.String()). */
  toString(): string
  /** Calico's Selector.UniqueID(): "s:" + unpadded base64url(SHA-224("s:" + canonical text)). */
  uniqueId(): string
  /** Label names the selector reads, de-duplicated, in canonical-text order. A fresh array. */
  labelKeys(): string[]
}

/** hash.MakeUniqueID("s", text) from libcalico-go. */
export function selectorUniqueId(canonical: string): string {
  return 's:' + createHash('sha224').update('s:' + canonical, 'utf8').digest('base64url')
}

class ParsedSelector implements Selector {
  private canonical: string | undefined
  private id: string | undefined
  private keys: readonly string[] | undefined
  private matchRecord: Matcher<LabelRecord> | undefined
  private matchMap: Matcher<LabelMap> | undefined

  constructor(readonly ast: SelectorNode) {}

  evaluate(labels: Labels): boolean {
    if (isLabelMap(labels)) return (this.matchMap ??= compileForMap(this.ast))(labels)
    return (this.matchRecord ??= compileForRecord(this.ast))(labels)
  }

  toString(): string {
    return (this.canonical ??= printSelector(this.ast))
  }

  uniqueId(): string {
    return (this.id ??= selectorUniqueId(this.toString()))
  }

  labelKeys(): string[] {
    return [...(this.keys ??= collectLabelKeys(this.ast))]
  }
}

/** Wraps a tree (parsed, or rewritten with renameLabels) as a Selector. */
export function selectorFromAst(ast: SelectorNode): Selector {
  return new ParsedSelector(ast)
}
