/**
 * Decoding of Tier, (Global)NetworkPolicy and Profile resources into what the active-rules
 * calculator and policy resolver need, as libcalico-go's update processors present them to Felix
 * (networkpolicyprocessor.go, globalnetworkpolicyprocessor.go, profileprocessor.go,
 * tierprocessor.go). Rules are converted once here, so a policy that becomes active later costs
 * nothing more; a resource whose selectors or nets do not parse throws (treated as absent).
 *
 * Staged policy kinds are never enforced, so they are not decoded at all (DESIGN.md).
 */
import {DEFAULT_TIER, DEFAULT_TIER_ORDER, type GlobalNetworkPolicy, type NetworkPolicy, type Profile, type Tier} from '../api/index.js'
import {globalNetworkPolicySelector, networkPolicySelector, type LabelRecord, type Selector} from '../selector/index.js'
import type {PolicyId} from './messages.js'
import {convertRules, type ConvertedRules, type SelectorCache} from './rule-convert.js'

export interface PolicyData {
  readonly id: PolicyId
  readonly tier: string
  /** spec.order; +Infinity when unset (sorts last, as Felix maps nil to +Inf). */
  readonly order: number
  /** Whether the policy governs each direction (spec.types; both when types is empty). */
  readonly ingress: boolean
  readonly egress: boolean
  readonly doNotTrack: boolean
  readonly preDNAT: boolean
  readonly applyOnForward: boolean
  /** Effective endpoint selector (namespace and service-account selectors folded in). */
  readonly selector: Selector
  readonly rules: ConvertedRules
  readonly perfHints: readonly string[]
}

export interface TierData {
  /** Undefined when the tier has no order (sorts after every ordered tier). */
  readonly order: number | undefined
  readonly defaultAction: 'Deny' | 'Pass'
}

export interface ProfileData {
  readonly labels: LabelRecord | undefined
  readonly rules: ConvertedRules
}

/** The tier a missing Tier resource stands for: Felix sorts it last, and it ends in Deny. */
export const MISSING_TIER: TierData = {order: undefined, defaultAction: 'Deny'}

export function decodeTier(res: Tier): TierData {
  const spec = res.spec ?? {}
  const order = spec.order ?? (res.metadata.name === DEFAULT_TIER ? DEFAULT_TIER_ORDER : undefined)
  return {order, defaultAction: spec.defaultAction === 'Pass' ? 'Pass' : 'Deny'}
}

export function decodePolicy(res: NetworkPolicy | GlobalNetworkPolicy, selectors: SelectorCache): PolicyData {
  const namespace = res.kind === 'NetworkPolicy' ? (res.metadata.namespace ?? '') : ''
  const spec = res.spec ?? {}
  const types = spec.types ?? []
  const global = res.kind === 'GlobalNetworkPolicy' ? (res as GlobalNetworkPolicy).spec : undefined
  const selectorText = global ? globalNetworkPolicySelector(global) : networkPolicySelector(spec, namespace)
  return {
    id: {kind: res.kind === 'NetworkPolicy' ? 'NetworkPolicy' : 'GlobalNetworkPolicy', namespace, name: res.metadata.name ?? ''},
    tier: spec.tier || DEFAULT_TIER,
    order: spec.order ?? Number.POSITIVE_INFINITY,
    ingress: types.length === 0 || types.some((t) => t.toLowerCase() === 'ingress'),
    egress: types.length === 0 || types.some((t) => t.toLowerCase() === 'egress'),
    doNotTrack: global?.doNotTrack ?? false,
    preDNAT: global?.preDNAT ?? false,
    applyOnForward: global?.applyOnForward ?? false,
    selector: selectors.parse(selectorText),
    rules: convertRules(spec.ingress, spec.egress, namespace, selectors),
    perfHints: spec.performanceHints ?? [],
  }
}

export function decodeProfile(res: Profile, selectors: SelectorCache): ProfileData {
  const spec = res.spec ?? {}
  const labels = spec.labelsToApply
  return {
    labels: labels && Object.keys(labels).length > 0 ? {...labels} : undefined,
    rules: convertRules(spec.ingress, spec.egress, '', selectors),
  }
}
