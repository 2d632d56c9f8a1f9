/** The shape shared by every projectcalico.org/v3 object (Kubernetes TypeMeta + ObjectMeta). */

export const API_GROUP = 'projectcalico.org'
export const API_VERSION = 'projectcalico.org/v3'

export interface ObjectMeta {
  name?: string
  namespace?: string
  generateName?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string | null
  deletionTimestamp?: string | null
  deletionGracePeriodSeconds?: number | null
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: unknown[]
  finalizers?: string[]
  managedFields?: unknown[]
}

export interface Resource<Spec = Record<string, unknown>> {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec?: Spec
  status?: Record<string, unknown>
}

/** A `<Kind>List`, as printed by `get -o yaml` for a list and accepted as input. */
export interface ResourceList {
  apiVersion: string
  kind: string
  metadata: {resourceVersion?: string}
  items: Resource[]
}

/** `Kind(name)` or `Kind(ns/name)`: how calicoctl names a resource in messages. */
export function resourceIdentifier(kind: string, name: string | undefined, namespace?: string): string {
  return namespace ? `${kind}(${namespace}/${name ?? ''})` : `${kind}(${name ?? ''})`
}
