/**
 * Tiers and policies in Felix's enforcement order (calc/policy_sorter.go):
 * - tiers: existing Tier objects first, then tiers that policies name but that do not exist;
 *   within each group by `order` ascending, no order last, ties by name. A tier that does not
 *   exist has no order and no default action, which Felix renders as end-of-tier Deny;
 * - policies within a tier: `order` ascending (no order = +Inf), ties by `name/namespace/kind`;
 * - policy types: as stored, or inferred from the rules when absent as Calico's API defaulting
 *   does ([Ingress] without egress rules, [Egress] with egress rules only, else both);
 * - selectors: NetworkPolicy and GlobalNetworkPolicy selectors rewritten as libcalico-go's update
 *   processors rewrite them (namespace scoping, namespaceSelector, serviceAccountSelector).
 * Staged kinds never reach this module: they are not enforced.
 */
import {
  DEFAULT_TIER,
  DEFAULT_TIER_ORDER,
  type GlobalNetworkPolicy,
  type NetworkPolicy,
  type Rule,
  type Tier,
} from '../api/index.js'
import {compareGoStrings, globalNetworkPolicySelector, networkPolicySelector, type Selector} from '../selector/index.js'
import {compileRules, compileSelector, type CompiledRule} from './rules.js'
import type {PolicyRef} from './types.js'

export interface CompiledPolicy {
  readonly ref: PolicyRef
  /** `GlobalNetworkPolicy name` or `NetworkPolicy ns/name`. */
  readonly display: string
  readonly tier: string
  readonly order: number
  readonly selector: Selector
  readonly ingress: boolean
  readonly egress: boolean
  readonly doNotTrack: boolean
  readonly preDNAT: boolean
  readonly applyOnForward: boolean
  readonly inbound: readonly CompiledRule[]
  readonly outbound: readonly CompiledRule[]
  readonly sortKey: string
}

export interface CompiledTier {
  readonly name: string
  readonly order: number | null
  /** Whether the Tier object exists (a missing one sorts after every existing tier). */
  readonly exists: boolean
  readonly defaultAction: 'Deny' | 'Pass'
  readonly policies: readonly CompiledPolicy[]
}

/**
 * The tiers clientv3 creates in every datastore (EnsureInitialized). A model built from a
 * partial snapshot that lacks them gets them, so `default` keeps its place among tiers.
 */
const BUILT_IN_TIERS: ReadonlyArray<{name: string; order: number; defaultAction: 'Deny' | 'Pass'}> = [
  {name: DEFAULT_TIER, order: DEFAULT_TIER_ORDER, defaultAction: 'Deny'},
  {name: 'kube-admin', order: 1_000, defaultAction: 'Pass'},
  {name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass'},
]

function hasRules(rules: readonly Rule[] | undefined): boolean {
  return (rules?.length ?? 0) > 0
}

/** Which directions a policy governs: its types, or the API default inferred from its rules. */
export function policyTypes(spec: {types?: string[]; ingress?: Rule[]; egress?: Rule[]}): {ingress: boolean; egress: boolean} {
  const types = spec.types ?? []
  if (types.length === 0) {
    if (!hasRules(spec.egress)) return {ingress: true, egress: false}
    if (!hasRules(spec.ingress)) return {ingress: false, egress: true}
    return {ingress: true, egress: true}
  }
  return {
    ingress: types.some((t) => t.toLowerCase() === 'ingress'),
    egress: types.some((t) => t.toLowerCase() === 'egress'),
  }
}

export function compileGlobalNetworkPolicy(gnp: GlobalNetworkPolicy): CompiledPolicy {
  const spec = gnp.spec ?? {}
  const name = gnp.metadata.name ?? ''
  return {
    ref: {kind: 'GlobalNetworkPolicy', name},
    display: `GlobalNetworkPolicy ${name}`,
    tier: spec.tier || DEFAULT_TIER,
    order: spec.order ?? Infinity,
    selector: compileSelector(globalNetworkPolicySelector(spec)),
    ...policyTypes(spec),
    doNotTrack: spec.doNotTrack === true,
    preDNAT: spec.preDNAT === true,
    applyOnForward: spec.applyOnForward === true,
    inbound: compileRules(spec.ingress, ''),
    outbound: compileRules(spec.egress, ''),
    sortKey: `${name}//GlobalNetworkPolicy`,
  }
}

export function compileNetworkPolicy(np: NetworkPolicy): CompiledPolicy {
  const spec = np.spec ?? {}
  const name = np.metadata.name ?? ''
  const namespace = np.metadata.namespace ?? ''
  return {
    ref: {kind: 'NetworkPolicy', name, namespace},
    display: `NetworkPolicy ${namespace}/${name}`,
    tier: spec.tier || DEFAULT_TIER,
    order: spec.order ?? Infinity,
    selector: compileSelector(networkPolicySelector(spec, namespace)),
    ...policyTypes(spec),
    doNotTrack: false,
    preDNAT: false,
    applyOnForward: false,
    inbound: compileRules(spec.ingress, namespace),
    outbound: compileRules(spec.egress, namespace),
    sortKey: `${name}/${namespace}/NetworkPolicy`,
  }
}

function policyLess(a: CompiledPolicy, b: CompiledPolicy): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1
  return compareGoStrings(a.sortKey, b.sortKey)
}

function tierLess(a: CompiledTier, b: CompiledTier): number {
  if (a.exists !== b.exists) return a.exists ? -1 : 1
  if (a.order === null && b.order !== null) return 1
  if (a.order !== null && b.order === null) return -1
  if (a.order !== null && b.order !== null && a.order !== b.order) return a.order < b.order ? -1 : 1
  return compareGoStrings(a.name, b.name)
}

/** Groups policies by tier and sorts both levels as Felix's PolicySorter does. */
export function sortTiers(tiers: readonly Tier[], policies: readonly CompiledPolicy[]): CompiledTier[] {
  const byName = new Map<string, {order: number | null; exists: boolean; defaultAction: 'Deny' | 'Pass'; policies: CompiledPolicy[]}>()
  for (const t of BUILT_IN_TIERS) byName.set(t.name, {order: t.order, exists: true, defaultAction: t.defaultAction, policies: []})
  for (const t of tiers) {
    byName.set(t.metadata.name ?? '', {
      order: t.spec?.order ?? null,
      exists: true,
      defaultAction: t.spec?.defaultAction === 'Pass' ? 'Pass' : 'Deny',
      policies: [],
    })
  }
  for (const p of policies) {
    let tier = byName.get(p.tier)
    if (!tier) {
      tier = {order: null, exists: false, defaultAction: 'Deny', policies: []}
      byName.set(p.tier, tier)
    }
    tier.policies.push(p)
  }
  const out: CompiledTier[] = []
  for (const [name, t] of byName) {
    if (t.policies.length === 0) continue
    out.push({name, order: t.order, exists: t.exists, defaultAction: t.defaultAction, policies: t.policies.sort(policyLess)})
  }
  return out.sort(tierLess)
}
