/**
 * What the calculation graph is fed: datastore updates, one per key, already decoded. The agent
 * builds them from Datastore.list (the snapshot) and Datastore.watch (the changes after it), decoding
 * each value with resourceFromKV; a delete, or a value that failed to decode, is `value: undefined`.
 *
 * Contract (Felix's syncer contract, felix/design/calc-graph.md):
 * - `value: undefined` means "does not exist"; existence is never derived from anything else.
 * - Updates may be coalesced, replayed or repeated (a delete of an unknown key is harmless; a put of
 *   an unchanged value is harmless). Only the latest value per key matters.
 * - After the snapshot's updates, the agent calls `inSync()` once; the graph emits nothing before.
 */
import type {Resource} from '../api/index.js'
import type {KV} from '../datastore/datastore.js'

/** Calico's v3 key root; keys are `<root><plural>[/<namespace>]/<name>`. */
export const RESOURCE_KEY_PREFIX = '/calico/resources/v3/projectcalico.org/'

export interface CalcUpdate {
  /** The datastore key, e.g. `/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/n1-k8s-pod1-eth0`. */
  readonly key: string
  /** The decoded resource, or undefined for a deletion (or an undecodable value). */
  readonly value: Resource | undefined
  /** The datastore revision that produced it, when known; informational only. */
  readonly revision?: number
}

/** A parsed resource key. `namespace` is '' for cluster-scoped kinds. */
export interface ResourceKey {
  readonly plural: string
  readonly namespace: string
  readonly name: string
}

const NAMESPACED = new Set(['workloadendpoints', 'networkpolicies', 'networksets', 'stagednetworkpolicies', 'stagedkubernetesnetworkpolicies'])

/** Parses a v3 resource key; undefined for keys outside the v3 resource tree or malformed ones. */
export function parseResourceKey(key: string): ResourceKey | undefined {
  if (!key.startsWith(RESOURCE_KEY_PREFIX)) return undefined
  const parts = key.slice(RESOURCE_KEY_PREFIX.length).split('/')
  const plural = parts[0]
  if (NAMESPACED.has(plural)) {
    if (parts.length !== 3 || parts[1] === '' || parts[2] === '') return undefined
    return {plural, namespace: parts[1], name: parts[2]}
  }
  if (parts.length !== 2 || parts[1] === '') return undefined
  return {plural, namespace: '', name: parts[1]}
}

/** The datastore key of a resource (the inverse of parseResourceKey), for tests and the agent. */
export function keyOf(plural: string, name: string, namespace = ''): string {
  return namespace !== '' ? `${RESOURCE_KEY_PREFIX}${plural}/${namespace}/${name}` : `${RESOURCE_KEY_PREFIX}${plural}/${name}`
}

/**
 * Turns a watched pair into an update with the caller's decoder (the agent passes resourceFromKV;
 * src/calc may not import it). A value the decoder rejects becomes a deletion, as Felix's
 * validation filter nils out invalid values.
 */
export function updateFromKV(kv: KV, decode: (kv: KV) => Resource): CalcUpdate {
  let value: Resource | undefined
  try {
    value = decode(kv)
  } catch {
    value = undefined
  }
  return {key: kv.key, value, revision: kv.modRevision}
}
