/**
 * Selector ↔ item matching, kept incrementally (Felix's labelindex). Items are label sets (endpoints,
 * network sets); selectors are the ones something downstream actually uses. The index reports every
 * change in "selector S matches item I" exactly once, through the callbacks, with add/remove
 * symmetry: every onMatchStarted is eventually balanced by one onMatchStopped when the match ends,
 * the item goes or the selector goes.
 *
 * Speed (the 100k-endpoint target):
 * - Each selector is filed under one *restriction* its AST guarantees (a label that must equal one
 *   of some values, or must be present); selectors with none are "unrestricted". An item's candidate
 *   selectors are then the buckets its own labels hit plus the unrestricted ones, so a label change
 *   evaluates only selectors that could possibly match (Felix's labelrestrictionindex).
 * - New selectors are not evaluated when added: they wait until flush(). A large batch (start of
 *   day) is evaluated in one pass over all items, turning N selectors × M items into one pass over M
 *   (Felix: "defer O(n×m) start-of-day work until in-sync"). A small batch (a policy became active
 *   at run time) uses the optional item index — label → value → items — to visit only the items
 *   each selector's restriction allows, so activating `app == 'x'` among 100k endpoints costs the
 *   endpoints labelled app=x, not a scan. Only unrestricted selectors scan everything. Items
 *   updated before the flush are compared against active selectors only; the flush sees their
 *   latest labels.
 */
import type {LabelRecord, Selector, SelectorNode} from '../selector/index.js'

export interface LabelIndexCallbacks {
  onMatchStarted(selectorId: string, itemId: string): void
  onMatchStopped(selectorId: string, itemId: string): void
}

/** A label the selector requires: one of `values`, or (values undefined) any value. */
export interface Restriction {
  readonly key: string
  readonly values: readonly string[] | undefined
}

/** The most selective restriction guaranteed by the AST, if any. An empty `in {}` never matches. */
export function restrictionOf(node: SelectorNode): Restriction | undefined {
  switch (node.kind) {
    case 'eq':
      return {key: node.label, values: [node.value]}
    case 'in':
      return {key: node.label, values: node.values}
    case 'has':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      // These are false when the label is absent, so the label must be present.
      return {key: node.label, values: undefined}
    case 'and': {
      let presence: Restriction | undefined
      for (const operand of node.operands) {
        const inner = restrictionOf(operand)
        if (inner?.values !== undefined) return inner
        presence ??= inner
      }
      return presence
    }
    default:
      return undefined
  }
}

/** Selectors filed by restriction; answers "which selectors could match these labels?". */
export class RestrictionIndex {
  private readonly byValue = new Map<string, Map<string, Set<string>>>()
  private readonly byKey = new Map<string, Set<string>>()
  private readonly unrestricted = new Set<string>()

  add(id: string, restriction: Restriction | undefined): void {
    if (restriction === undefined) {
      this.unrestricted.add(id)
    } else if (restriction.values === undefined) {
      getOrCreate(this.byKey, restriction.key, newSet).add(id)
    } else {
      const values = getOrCreate(this.byValue, restriction.key, newMap)
      for (const value of restriction.values) getOrCreate(values, value, newSet).add(id)
    }
  }

  remove(id: string, restriction: Restriction | undefined): void {
    if (restriction === undefined) {
      this.unrestricted.delete(id)
    } else if (restriction.values === undefined) {
      deleteFromBucket(this.byKey, restriction.key, id)
    } else {
      const values = this.byValue.get(restriction.key)
      if (!values) return
      for (const value of restriction.values) deleteFromBucket(values, value, id)
      if (values.size === 0) this.byValue.delete(restriction.key)
    }
  }

  get isEmpty(): boolean {
    return this.unrestricted.size === 0 && this.byKey.size === 0 && this.byValue.size === 0
  }

  /** Calls fn once per selector that could match `labels` (each selector sits in one bucket). */
  forEachCandidate(labels: LabelRecord, fn: (id: string) => void): void {
    for (const id of this.unrestricted) fn(id)
    if (this.byKey.size === 0 && this.byValue.size === 0) return
    for (const key in labels) {
      const value = labels[key]
      const anyValue = this.byKey.get(key)
      if (anyValue) for (const id of anyValue) fn(id)
      const bucket = this.byValue.get(key)?.get(value)
      if (bucket) for (const id of bucket) fn(id)
    }
  }
}

interface ActiveSelector {
  readonly selector: Selector
  readonly restriction: Restriction | undefined
  readonly matches: Set<string>
}

export class LabelIndex {
  private readonly active = new Map<string, ActiveSelector>()
  private readonly pending = new Map<string, Selector>()
  private readonly items = new Map<string, LabelRecord>()
  private readonly itemMatches = new Map<string, Set<string>>()
  private readonly restrictions = new RestrictionIndex()
  /** label → value → items; only with `indexItems` (worth it for the cluster-wide index). */
  private readonly itemsByLabel: Map<string, Map<string, Set<string>>> | undefined
  /** Selector evaluations so far (felix_label_index_selector_evals); for benches and tests. */
  evaluations = 0

  constructor(
    private readonly callbacks: LabelIndexCallbacks,
    options: {readonly indexItems?: boolean} = {},
  ) {
    this.itemsByLabel = options.indexItems ? new Map() : undefined
  }

  /** Adds or replaces a selector. An unchanged selector (same canonical text) is a no-op. */
  updateSelector(id: string, selector: Selector): void {
    const current = this.active.get(id)
    if (current) {
      if (current.selector.toString() === selector.toString()) return
      this.deleteSelector(id)
    }
    this.pending.set(id, selector)
  }

  deleteSelector(id: string): void {
    this.pending.delete(id)
    const current = this.active.get(id)
    if (!current) return
    this.active.delete(id)
    this.restrictions.remove(id, current.restriction)
    for (const itemId of current.matches) {
      this.dropItemMatch(itemId, id)
      this.callbacks.onMatchStopped(id, itemId)
    }
  }

  /** Adds or replaces an item's labels and reports the match changes against active selectors. */
  updateItem(id: string, labels: LabelRecord): void {
    const previous = this.items.get(id)
    if (previous === labels) return
    this.items.set(id, labels)
    if (this.itemsByLabel) this.reindexItem(id, previous, labels)
    const old = this.itemMatches.get(id)
    let now: Set<string> | undefined
    this.restrictions.forEachCandidate(labels, (selectorId) => {
      this.evaluations++
      if ((this.active.get(selectorId) as ActiveSelector).selector.evaluate(labels)) (now ??= new Set()).add(selectorId)
    })
    if (old) {
      for (const selectorId of old) {
        if (now?.has(selectorId)) continue
        ;(this.active.get(selectorId) as ActiveSelector).matches.delete(id)
        old.delete(selectorId)
        this.callbacks.onMatchStopped(selectorId, id)
      }
    }
    if (now) {
      for (const selectorId of now) {
        if (old?.has(selectorId)) continue
        this.addMatch(selectorId, id)
      }
    }
    if (old && old.size === 0) this.itemMatches.delete(id)
  }

  deleteItem(id: string): void {
    const previous = this.items.get(id)
    if (previous === undefined) return
    this.items.delete(id)
    if (this.itemsByLabel) this.reindexItem(id, previous, undefined)
    const old = this.itemMatches.get(id)
    if (!old) return
    this.itemMatches.delete(id)
    for (const selectorId of old) {
      ;(this.active.get(selectorId) as ActiveSelector).matches.delete(id)
      this.callbacks.onMatchStopped(selectorId, id)
    }
  }

  /** Evaluates the selectors added since the last flush against every item, in one pass. */
  flush(): void {
    if (this.pending.size === 0) return
    const batch = new RestrictionIndex()
    for (const [id, selector] of this.pending) {
      const restriction = restrictionOf(selector.ast)
      this.active.set(id, {selector, restriction, matches: new Set()})
      this.restrictions.add(id, restriction)
      batch.add(id, restriction)
    }
    const added = [...this.pending.keys()]
    this.pending.clear()
    const byLabel = this.itemsByLabel
    if (byLabel && added.length <= SMALL_BATCH) {
      for (const selectorId of added) this.scanCandidates(selectorId, byLabel)
      return
    }
    for (const [itemId, labels] of this.items) {
      batch.forEachCandidate(labels, (selectorId) => this.evaluateNew(selectorId, itemId, labels))
    }
  }

  /** Evaluates one new selector against the items its restriction allows. */
  private scanCandidates(selectorId: string, byLabel: Map<string, Map<string, Set<string>>>): void {
    const restriction = (this.active.get(selectorId) as ActiveSelector).restriction
    if (restriction === undefined) {
      for (const [itemId, labels] of this.items) this.evaluateNew(selectorId, itemId, labels)
      return
    }
    const values = byLabel.get(restriction.key)
    if (!values) return
    const visit = (items: Set<string> | undefined): void => {
      if (items) for (const itemId of items) this.evaluateNew(selectorId, itemId, this.items.get(itemId) as LabelRecord)
    }
    if (restriction.values === undefined) for (const items of values.values()) visit(items)
    else for (const value of restriction.values) visit(values.get(value))
  }

  private evaluateNew(selectorId: string, itemId: string, labels: LabelRecord): void {
    this.evaluations++
    if ((this.active.get(selectorId) as ActiveSelector).selector.evaluate(labels)) this.addMatch(selectorId, itemId)
  }

  private reindexItem(id: string, before: LabelRecord | undefined, after: LabelRecord | undefined): void {
    const byLabel = this.itemsByLabel as Map<string, Map<string, Set<string>>>
    if (before) {
      for (const key in before) {
        if (after !== undefined && after[key] === before[key]) continue
        const values = byLabel.get(key)
        if (!values) continue
        deleteFromBucket(values, before[key], id)
        if (values.size === 0) byLabel.delete(key)
      }
    }
    if (after) {
      for (const key in after) {
        if (before !== undefined && before[key] === after[key]) continue
        getOrCreate(getOrCreate(byLabel, key, newMap), after[key], newSet).add(id)
      }
    }
  }

  /** Selectors (active) currently matching the item; do not mutate. */
  matchesOf(itemId: string): ReadonlySet<string> | undefined {
    return this.itemMatches.get(itemId)
  }

  /** Items an active selector currently matches (empty while the selector is pending). */
  itemsMatching(selectorId: string): ReadonlySet<string> {
    return this.active.get(selectorId)?.matches ?? EMPTY
  }

  labelsOf(itemId: string): LabelRecord | undefined {
    return this.items.get(itemId)
  }

  hasSelector(id: string): boolean {
    return this.active.has(id) || this.pending.has(id)
  }

  get itemCount(): number {
    return this.items.size
  }

  get selectorCount(): number {
    return this.active.size + this.pending.size
  }

  private addMatch(selectorId: string, itemId: string): void {
    ;(this.active.get(selectorId) as ActiveSelector).matches.add(itemId)
    getOrCreate(this.itemMatches, itemId, newSet).add(selectorId)
    this.callbacks.onMatchStarted(selectorId, itemId)
  }

  private dropItemMatch(itemId: string, selectorId: string): void {
    const matches = this.itemMatches.get(itemId)
    if (!matches) return
    matches.delete(selectorId)
    if (matches.size === 0) this.itemMatches.delete(itemId)
  }
}

/** Up to this many new selectors per flush are evaluated through the item index, not a full scan. */
const SMALL_BATCH = 32
const EMPTY: ReadonlySet<string> = new Set()
const newSet = (): Set<string> => new Set()
const newMap = (): Map<string, Set<string>> => new Map()

export function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = make()
    map.set(key, value)
  }
  return value
}

function deleteFromBucket<K>(map: Map<K, Set<string>>, key: K, id: string): void {
  const bucket = map.get(key)
  if (!bucket) return
  bucket.delete(id)
  if (bucket.size === 0) map.delete(key)
}
