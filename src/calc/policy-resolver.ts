/**
 * The policy resolver (Felix's PolicyResolver + PolicySorter): for each local endpoint, the ordered
 * list of tiers and, per tier, the policies that apply to it, per direction.
 *
 * Order (Felix's TierLess / PolKVLess):
 * - tiers: existing tiers before missing ones, then by order ascending (no order last), then name;
 * - policies in a tier: order ascending (no order = +Inf, last), ties by `name/namespace/kind`.
 * A tier appears only if at least one of its policies applies to the endpoint (in that list).
 *
 * Work is deferred: match changes, policy metadata changes and tier changes only mark endpoints
 * dirty; flush() re-sorts each dirty endpoint's own (small) policy list once. Sorting per endpoint
 * rather than keeping one global sorted structure keeps updates O(policies of that endpoint).
 *
 * Host endpoints get Felix's four lists (tierInfoToProtoTierInfo): doNotTrack policies in
 * untrackedTiers, preDNAT policies (ingress only) in preDnatTiers, the rest in tiers, and the rest
 * with applyOnForward also in forwardTiers; untracked and preDNAT tiers always end in Pass.
 * Workload endpoints get the normal tiers only.
 */
import {DEFAULT_TIER, DEFAULT_TIER_ORDER} from '../api/index.js'
import type {LocalEndpoint} from './endpoints.js'
import type {EventSequencer} from './event-sequencer.js'
import {getOrCreate} from './label-index.js'
import type {PolicyId, TierInfo} from './messages.js'
import {MISSING_TIER, type PolicyData, type TierData} from './policies.js'

interface SortedTier {
  readonly name: string
  readonly data: TierData
  readonly policies: readonly PolicyData[]
}

export class PolicyResolver {
  private readonly endpoints = new Map<string, LocalEndpoint>()
  private readonly endpointPolicies = new Map<string, Set<string>>()
  private readonly policyEndpoints = new Map<string, Set<string>>()
  private readonly policies = new Map<string, PolicyData>()
  private readonly tiers = new Map<string, TierData>()
  private readonly dirty = new Set<string>()

  constructor(private readonly sequencer: EventSequencer) {}

  updateEndpoint(key: string, endpoint: LocalEndpoint | undefined): void {
    if (endpoint) this.endpoints.set(key, endpoint)
    else this.endpoints.delete(key)
    this.dirty.add(key)
  }

  updatePolicy(key: string, policy: PolicyData | undefined): void {
    const old = this.policies.get(key)
    if (policy) this.policies.set(key, policy)
    else this.policies.delete(key)
    if (old && policy && sameMetadata(old, policy)) return
    const endpoints = this.policyEndpoints.get(key)
    if (endpoints) for (const endpoint of endpoints) this.dirty.add(endpoint)
  }

  updateTier(name: string, tier: TierData | undefined): void {
    if (tier) this.tiers.set(name, tier)
    else this.tiers.delete(name)
    for (const endpoint of this.endpointPolicies.keys()) this.dirty.add(endpoint)
  }

  onPolicyMatch(policyKey: string, endpointKey: string): void {
    getOrCreate(this.policyEndpoints, policyKey, () => new Set<string>()).add(endpointKey)
    getOrCreate(this.endpointPolicies, endpointKey, () => new Set<string>()).add(policyKey)
    this.dirty.add(endpointKey)
  }

  onPolicyMatchStopped(policyKey: string, endpointKey: string): void {
    deleteFrom(this.policyEndpoints, policyKey, endpointKey)
    deleteFrom(this.endpointPolicies, endpointKey, policyKey)
    this.dirty.add(endpointKey)
  }

  /** Sends an update (or removal) for every endpoint whose tiers may have changed. */
  flush(): void {
    for (const key of this.dirty) {
      const endpoint = this.endpoints.get(key)
      if (!endpoint) {
        this.sequencer.onEndpointRemove(key)
        continue
      }
      const tiers = this.sortedTiers(key)
      if (endpoint.kind === 'workload') {
        const {id, kind: _kind, ...fields} = endpoint
        this.sequencer.onEndpointUpdate(key, {
          type: 'WorkloadEndpointUpdate',
          id,
          endpoint: {state: 'active', ...fields, tiers: normalTiers(tiers)},
        })
      } else {
        const {id, kind: _kind, ...fields} = endpoint
        this.sequencer.onEndpointUpdate(key, {type: 'HostEndpointUpdate', id, endpoint: {...fields, ...hostTiers(tiers)}})
      }
    }
    this.dirty.clear()
  }

  private tier(name: string): TierData {
    return this.tiers.get(name) ?? (name === DEFAULT_TIER ? {order: DEFAULT_TIER_ORDER, defaultAction: 'Deny'} : MISSING_TIER)
  }

  private sortedTiers(endpointKey: string): SortedTier[] {
    const keys = this.endpointPolicies.get(endpointKey)
    if (!keys) return []
    const byTier = new Map<string, PolicyData[]>()
    for (const key of keys) {
      const policy = this.policies.get(key)
      if (policy) getOrCreate(byTier, policy.tier, () => []).push(policy)
    }
    const tiers: SortedTier[] = []
    for (const [name, policies] of byTier) tiers.push({name, data: this.tier(name), policies: policies.sort(comparePolicies)})
    const exists = (t: SortedTier): number => (this.tiers.has(t.name) || t.name === DEFAULT_TIER ? 0 : 1)
    return tiers.sort((a, b) => exists(a) - exists(b) || compareOrder(a.data.order, b.data.order) || compareStrings(a.name, b.name))
  }
}

function compareOrder(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0
  if (a === undefined) return 1
  if (b === undefined) return -1
  return a - b
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** PolKVLess: order, then `name/namespace/kind`. */
function comparePolicies(a: PolicyData, b: PolicyData): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1
  return compareStrings(`${a.id.name}/${a.id.namespace}/${a.id.kind}`, `${b.id.name}/${b.id.namespace}/${b.id.kind}`)
}

function sameMetadata(a: PolicyData, b: PolicyData): boolean {
  return (
    a.tier === b.tier &&
    a.order === b.order &&
    a.ingress === b.ingress &&
    a.egress === b.egress &&
    a.doNotTrack === b.doNotTrack &&
    a.preDNAT === b.preDNAT &&
    a.applyOnForward === b.applyOnForward
  )
}

interface TierBuilder {
  readonly name: string
  readonly defaultAction: 'Deny' | 'Pass'
  readonly ingressPolicies: PolicyId[]
  readonly egressPolicies: PolicyId[]
}

function builder(name: string, defaultAction: 'Deny' | 'Pass'): TierBuilder {
  return {name, defaultAction, ingressPolicies: [], egressPolicies: []}
}

function add(tier: TierBuilder, policy: PolicyData, egressAllowed: boolean): void {
  if (policy.ingress) tier.ingressPolicies.push(policy.id)
  if (egressAllowed && policy.egress) tier.egressPolicies.push(policy.id)
}

function keep(list: TierInfo[], tier: TierBuilder): void {
  if (tier.ingressPolicies.length > 0 || tier.egressPolicies.length > 0) list.push(tier)
}

function normalTiers(tiers: readonly SortedTier[]): TierInfo[] {
  return hostTiers(tiers).tiers
}

function hostTiers(tiers: readonly SortedTier[]): {
  tiers: TierInfo[]
  untrackedTiers: TierInfo[]
  preDnatTiers: TierInfo[]
  forwardTiers: TierInfo[]
} {
  const out = {tiers: [] as TierInfo[], untrackedTiers: [] as TierInfo[], preDnatTiers: [] as TierInfo[], forwardTiers: [] as TierInfo[]}
  for (const tier of tiers) {
    const untracked = builder(tier.name, 'Pass')
    const preDnat = builder(tier.name, 'Pass')
    const forward = builder(tier.name, tier.data.defaultAction)
    const normal = builder(tier.name, tier.data.defaultAction)
    for (const policy of tier.policies) {
      if (policy.doNotTrack) add(untracked, policy, true)
      else if (policy.preDNAT) add(preDnat, policy, false)
      else {
        if (policy.applyOnForward) add(forward, policy, true)
        add(normal, policy, true)
      }
    }
    keep(out.untrackedTiers, untracked)
    keep(out.preDnatTiers, preDnat)
    keep(out.forwardTiers, forward)
    keep(out.tiers, normal)
  }
  return out
}

function deleteFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key)
  if (!set) return
  set.delete(value)
  if (set.size === 0) map.delete(key)
}
