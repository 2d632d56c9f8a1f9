/**
 * The per-kind schema table and lookups derived from it (Go field paths for go-templates).
 */
import {BGPConfiguration, BGPFilter, BGPPeer} from './bgp.js'
import {HostEndpoint, Node, WorkloadEndpoint} from './endpoints.js'
import {FelixConfiguration} from './felix.js'
import {KubeControllersConfiguration} from './kubecontrollers.js'
import {ClusterInformation, GlobalNetworkSet, IPAMConfiguration, IPPool, IPReservation, NetworkSet} from './network.js'
import {CalicoNodeStatus} from './nodestatus.js'
import {
  GlobalNetworkPolicy,
  NetworkPolicy,
  Profile,
  StagedGlobalNetworkPolicy,
  StagedKubernetesNetworkPolicy,
  StagedNetworkPolicy,
  Tier,
} from './policy.js'
import type {GoField, GoStruct, GoType} from './types.js'

export type {CustomCodec, GoField, GoStruct, GoType} from './types.js'
export {goTypeName} from './types.js'

/** The Go struct of every kind calicoctl v3.32 accepts, keyed by Kind. */
export const KIND_SCHEMAS: Readonly<Record<string, GoStruct>> = {
  BGPConfiguration,
  BGPFilter,
  BGPPeer,
  CalicoNodeStatus,
  ClusterInformation,
  FelixConfiguration,
  GlobalNetworkPolicy,
  GlobalNetworkSet,
  HostEndpoint,
  IPAMConfiguration,
  IPPool,
  IPReservation,
  KubeControllersConfiguration,
  NetworkPolicy,
  NetworkSet,
  Node,
  Profile,
  StagedGlobalNetworkPolicy,
  StagedKubernetesNetworkPolicy,
  StagedNetworkPolicy,
  Tier,
  WorkloadEndpoint,
}

/** The schema for a kind, or undefined for a kind calicoctl does not know. */
export function kindSchema(kind: string): GoStruct | undefined {
  return Object.prototype.hasOwnProperty.call(KIND_SCHEMAS, kind) ? KIND_SCHEMAS[kind] : undefined
}

/** Strips pointers and slices down to the struct a path continues into, if any. */
export function structOf(type: GoType): GoStruct | undefined {
  let current = type
  while (current.kind === 'ptr' || current.kind === 'slice') current = current.elem
  return current.kind === 'struct' ? current.struct() : undefined
}

/** Finds the field a JSON key names, looking through inlined embedded structs. */
export function fieldByJSON(s: GoStruct, key: string): {field: GoField; via: GoField[]} | undefined {
  for (const field of s.fields) {
    if (field.json === key) return {field, via: []}
  }
  for (const field of s.fields) {
    if (field.json !== '') continue
    const inner = structOf(field.type)
    const found = inner && fieldByJSON(inner, key)
    if (found) return {field: found.field, via: [field, ...found.via]}
  }
  return undefined
}

/**
 * Maps a JSON path (`spec.cidr`, or ['metadata', 'name']) to the Go field path a go-template
 * uses (`Spec.CIDR`, `ObjectMeta.Name`). Fields of inlined structs are given by their promoted
 * name (`Kind`). Numeric segments (slice indexes) pass through unchanged. Returns undefined when
 * a segment names no field; map keys after a map field are passed through.
 */
export function goFieldPath(kind: string, jsonPath: string | readonly string[]): string | undefined {
  const schema = kindSchema(kind)
  if (!schema) return undefined
  const segments = typeof jsonPath === 'string' ? jsonPath.split('.').filter((s) => s !== '') : jsonPath
  const out: string[] = []
  let current: GoStruct | undefined = schema
  let inMap = false
  for (const segment of segments) {
    if (inMap || /^[0-9]+$/.test(segment)) {
      out.push(segment)
      continue
    }
    if (!current) return undefined
    const found = fieldByJSON(current, segment)
    if (!found) return undefined
    out.push(found.field.go)
    let type = found.field.type
    while (type.kind === 'ptr' || type.kind === 'slice') type = type.elem
    inMap = type.kind === 'map'
    current = type.kind === 'struct' ? type.struct() : undefined
  }
  return out.join('.')
}
