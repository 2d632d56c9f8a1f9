/**
 * What calicoctl's printers receive: its `results.Resources`, a slice in which each entry is one
 * resource (a GET by name, a document from -f) or one `<Kind>List` (a LIST).
 */

import {API_VERSION, type Resource, type ResourceList} from '../../api/resource.js'
import type {GoObject} from './govalue.js'

export type Printable = Resource | ResourceList

export function isList(p: Printable): p is ResourceList {
  return Array.isArray((p as Partial<ResourceList>).items) && p.kind.endsWith('List')
}

/** The kind a printable holds: a list's item kind ("IPPoolList" → "IPPool"). */
export function itemKind(p: Printable): string {
  return isList(p) ? p.kind.slice(0, -'List'.length) : p.kind
}

/**
 * The `<Kind>List` a LIST returns, as libcalico-go's List builds it: apiVersion
 * projectcalico.org/v3, metadata holding only the store revision, items never nil.
 * `kind` may be given as "IPPool" or "IPPoolList".
 */
export function makeList(kind: string, items: readonly Resource[], resourceVersion?: string): ResourceList {
  const listKind = kind.endsWith('List') ? kind : `${kind}List`
  const metadata = resourceVersion === undefined || resourceVersion === '' ? {} : {resourceVersion}
  return {apiVersion: API_VERSION, kind: listKind, metadata, items: [...items]}
}

/** A printable seen as the JSON object the Go-flavoured printers walk. */
export function asGoObject(p: Printable | Resource): GoObject {
  return p as unknown as GoObject
}
