/**
 * Label inheritance (Felix's labelindex.InheritIndex): an item's effective labels are its own
 * labels over its parents' (profiles') labelsToApply over its defaults; see endpoints.ts for the
 * precedence. Parents may arrive before or after their items, may be missing (contributing nothing)
 * and may change; every change of an item's effective labels is reported once, and nothing is
 * reported when the effective labels did not change (a profile rule edit, say).
 *
 * Effective label records are immutable and shared with the label indexes downstream.
 */
import type {LabelRecord} from '../selector/index.js'
import type {LabelSource} from './endpoints.js'
import {getOrCreate} from './label-index.js'

export type EffectiveLabelsListener = (itemId: string, labels: LabelRecord | undefined) => void

export class LabelInheritance {
  private readonly parentLabels = new Map<string, LabelRecord>()
  private readonly sources = new Map<string, LabelSource>()
  private readonly effective = new Map<string, LabelRecord>()
  private readonly itemsByParent = new Map<string, Set<string>>()

  constructor(private readonly listener: EffectiveLabelsListener) {}

  updateItem(id: string, source: LabelSource): void {
    const old = this.sources.get(id)
    this.sources.set(id, source)
    if (old) for (const parent of old.parents) this.unlinkParent(parent, id)
    for (const parent of source.parents) getOrCreate(this.itemsByParent, parent, () => new Set<string>()).add(id)
    this.recompute(id)
  }

  deleteItem(id: string): void {
    const old = this.sources.get(id)
    if (!old) return
    this.sources.delete(id)
    this.effective.delete(id)
    for (const parent of old.parents) this.unlinkParent(parent, id)
    this.listener(id, undefined)
  }

  /** A profile's labelsToApply changed (undefined: the profile is gone or applies none). */
  updateParent(name: string, labels: LabelRecord | undefined): void {
    const old = this.parentLabels.get(name)
    if (labels === undefined || Object.keys(labels).length === 0) {
      if (old === undefined) return
      this.parentLabels.delete(name)
    } else {
      if (old !== undefined && sameLabels(old, labels)) return
      this.parentLabels.set(name, labels)
    }
    const items = this.itemsByParent.get(name)
    if (items) for (const id of items) this.recompute(id)
  }

  labelsOf(id: string): LabelRecord | undefined {
    return this.effective.get(id)
  }

  private recompute(id: string): void {
    const source = this.sources.get(id) as LabelSource
    let labels: LabelRecord
    if (source.parents.length === 0 && isEmpty(source.defaults)) {
      labels = source.own
    } else {
      const merged: Record<string, string> = {...source.defaults}
      for (let i = source.parents.length - 1; i >= 0; i--) {
        const parent = this.parentLabels.get(source.parents[i])
        if (parent) Object.assign(merged, parent)
      }
      labels = Object.assign(merged, source.own)
    }
    const old = this.effective.get(id)
    if (old !== undefined && sameLabels(old, labels)) return
    this.effective.set(id, labels)
    this.listener(id, labels)
  }

  private unlinkParent(parent: string, id: string): void {
    const items = this.itemsByParent.get(parent)
    if (!items) return
    items.delete(id)
    if (items.size === 0) this.itemsByParent.delete(parent)
  }
}

function isEmpty(labels: LabelRecord): boolean {
  for (const _ in labels) return false
  return true
}

export function sameLabels(a: LabelRecord, b: LabelRecord): boolean {
  if (a === b) return true
  let count = 0
  for (const key in a) {
    if (a[key] !== b[key]) return false
    count++
  }
  for (const _ in b) count--
  return count === 0
}
