/**
 * A printable as Go's encoding/json would emit it from calicoctl's typed structs, for the parts
 * this layer can know without the kind's full schema:
 *
 * - key order: kind, apiVersion (TypeMeta), metadata, then spec and status for a resource, or
 *   items for a list; other keys keep their order after those;
 * - metadata in ObjectMeta field order with omitempty applied (a zero creationTimestamp is
 *   omitted: apimachinery v0.35 tags it omitzero), labels/annotations sorted like Go maps;
 * - `spec` is a struct in every v3 kind, so it is always present ({} at least); `status` is a
 *   struct (always present) in Node, Tier, KubeControllersConfiguration and CalicoNodeStatus;
 * - JS `undefined` members are dropped.
 * Inside spec and status, each resource first goes through the api layer's normaliseResource
 * (Go struct field order, omitempty/omitzero per kind); a resource it cannot handle is printed
 * as given.
 */

import {normaliseResource} from '../../api/index.js'
import type {Resource} from '../../api/resource.js'
import {compareGoStrings} from './govalue.js'
import {type Printable, isList} from './printable.js'

export type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

const OBJECT_META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]
const LIST_META_ORDER = ['selfLink', 'resourceVersion', 'continue', 'remainingItemCount']
const STATUS_STRUCT_KINDS = new Set(['Node', 'Tier', 'KubeControllersConfiguration', 'CalicoNodeStatus'])

export function goShape(p: Printable): Json {
  if (isList(p)) {
    const src = p as unknown as Record<string, unknown>
    return ordered(src, ['kind', 'apiVersion', 'metadata', 'items'], (key, value) => {
      if (key === 'metadata') return ordered(asRecord(value), LIST_META_ORDER, omitEmpty)
      if (key === 'items') return (Array.isArray(value) ? value : []).map((item) => shapeResource(asRecord(item)))
      return plain(value)
    })
  }
  return shapeResource(p as unknown as Record<string, unknown>)
}

function shapeResource(raw: Record<string, unknown>): Json {
  const src = normalised(raw)
  const kind = typeof src.kind === 'string' ? src.kind : ''
  const withDefaults: Record<string, unknown> = {...src, metadata: src.metadata ?? {}, spec: src.spec ?? {}}
  if (STATUS_STRUCT_KINDS.has(kind)) withDefaults.status = src.status ?? {}
  return ordered(withDefaults, ['kind', 'apiVersion', 'metadata', 'spec', 'status'], (key, value) => {
    if (key === 'metadata') return ordered(asRecord(value), OBJECT_META_ORDER, metaField)
    return plain(value)
  })
}

function normalised(raw: Record<string, unknown>): Record<string, unknown> {
  try {
    return normaliseResource(raw as unknown as Resource) as unknown as Record<string, unknown>
  } catch {
    return raw
  }
}

/** ObjectMeta members are all omitempty; labels and annotations are Go maps (sorted keys). */
function metaField(key: string, value: unknown): Json | undefined {
  const v = omitEmpty(key, value)
  if (v !== undefined && (key === 'labels' || key === 'annotations') && typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => compareGoStrings(a, b)))
  }
  return v
}

function omitEmpty(_key: string, value: unknown): Json | undefined {
  const v = plain(value)
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return undefined
  if (Array.isArray(v) && v.length === 0) return undefined
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return undefined
  return v
}

/** Copies src with `first` keys leading (when present), each value passed through `map`. */
function ordered(
  src: Record<string, unknown>,
  first: readonly string[],
  map: (key: string, value: unknown) => Json | undefined,
): Json {
  const out: {[key: string]: Json} = {}
  const keys = [...first.filter((k) => k in src), ...Object.keys(src).filter((k) => !first.includes(k))]
  for (const k of keys) {
    const v = map(k, src[k])
    if (v !== undefined) out[k] = v
  }
  return out
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** A deep copy with `undefined` members dropped (what JSON serialisation would keep). */
function plain(v: unknown): Json | undefined {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v
  if (typeof v === 'bigint') return Number(v)
  if (Array.isArray(v)) return v.map((e) => plain(e) ?? null)
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const out: {[key: string]: Json} = {}
  for (const [k, e] of Object.entries(v)) {
    const p = plain(e)
    if (p !== undefined) out[k] = p
  }
  return out
}
