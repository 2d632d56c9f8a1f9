/**
 * Per-endpoint chains (Felix rules/endpoints.go endpointIptablesChain), evaluated per direction:
 * conntrack (established accepted, invalid dropped) → clear accept/pass marks → [from-workload:
 * drop VXLAN/IPIP from pods] → [host endpoints: failsafe ports] → each tier with a policy for this
 * direction: clear pass, jump each policy (while pass is clear), return on accept, end-of-tier drop
 * unless the tier's default action is Pass → each profile, return on accept → drop.
 * Verdicts: an allowed packet RETURNs with the accept mark set; the caller accepts it.
 */
import type {HostEndpoint, TierInfo, WorkloadEndpoint} from '../../calc/messages.js'
import {M, shared, type Chain, type Rule} from './model.js'
import {
  ALL_INTERFACES,
  CHAINS,
  HOST_FROM_FWD_PREFIX,
  HOST_FROM_PREFIX,
  HOST_TO_FWD_PREFIX,
  HOST_TO_PREFIX,
  MARK,
  POLICY_IN_PREFIX,
  POLICY_OUT_PREFIX,
  PROFILE_IN_PREFIX,
  PROFILE_OUT_PREFIX,
  WL_FROM_PREFIX,
  WL_TO_PREFIX,
  endpointChainName,
  policyChainName,
  profileChainName,
} from './names.js'

type Direction = 'ingress' | 'egress'

interface EndpointChainSpec {
  readonly name: string
  readonly direction: Direction
  readonly tiers: readonly TierInfo[]
  /** undefined: no profile section and no final drop (forward HEP chains). */
  readonly profileIds?: readonly string[]
  readonly dropEncapFromWorkload?: boolean
  readonly failsafeChain?: string
  /** Forward HEP chains: with no applicable policy, forwarded traffic is allowed. */
  readonly allowIfNoPolicy?: boolean
  /**
   * Raw-table (doNotTrack) chains: no conntrack rules, and a policy's allow becomes NOTRACK before
   * the return (so the flow never enters conntrack).
   */
  readonly untracked?: boolean
  /**
   * What an established/related packet gets: 'accept' (filter, mangle pre-DNAT) or 'return' with
   * the accept mark set (mangle egress, where later mangle rules may still act on the packet).
   */
  readonly conntrackAllow?: 'accept' | 'return'
}

const VXLAN_PORT = 4789
const PROTO_IPIP = 4

/**
 * Rules that recur in every endpoint chain are built once and shared (rules are immutable): the
 * fixed ones below, and per target or tier name the memoised ones, so rendering hundreds of
 * endpoint chains allocates little and each shared rule's text is rendered once (`shared`).
 */
const SHARED = sharedAll({
  conntrackAccept: {match: [M.ctState('RELATED,ESTABLISHED')], action: {kind: 'accept'}},
  conntrackMarkAccept: {match: [M.ctState('RELATED,ESTABLISHED')], action: {kind: 'set-mark', mark: MARK.accept, mask: MARK.accept}},
  conntrackReturn: {match: [M.ctState('RELATED,ESTABLISHED')], action: {kind: 'return'}},
  conntrackInvalidDrop: {match: [M.ctState('INVALID')], action: {kind: 'drop'}},
  clearMarks: {match: [], action: {kind: 'set-mark', mark: 0, mask: MARK.accept | MARK.pass}},
  dropVxlan: {match: [M.proto('udp'), M.dstPorts(`${VXLAN_PORT}`)], action: {kind: 'drop'}, comments: ['Drop VXLAN encapped packets originating in workloads']},
  dropIpip: {match: [M.proto(PROTO_IPIP)], action: {kind: 'drop'}, comments: ['Drop IPinIP encapped packets originating in workloads']},
  notrackIfAccepted: {match: [M.markSet(MARK.accept)], action: {kind: 'notrack'}},
  returnIfPolicyAccepted: {match: [M.markSet(MARK.accept)], action: {kind: 'return'}, comments: ['Return if policy accepted']},
  returnIfProfileAccepted: {match: [M.markSet(MARK.accept)], action: {kind: 'return'}, comments: ['Return if profile accepted']},
  allowForwardByDefault: {match: [], action: {kind: 'set-mark', mark: MARK.accept, mask: MARK.accept}, comments: ['Allow forwarded traffic by default']},
  returnForwardAccepted: {match: [], action: {kind: 'return'}, comments: ['Return for accepted forward traffic']},
  dropNoProfile: {match: [], action: {kind: 'drop'}, comments: ['Drop if no profiles matched']},
} as const satisfies Record<string, Rule>)

function sharedAll<T extends Record<string, Rule>>(rules: T): T {
  for (const rule of Object.values(rules)) shared(rule)
  return rules
}

/** Memoised rules by key; cleared when it grows past `limit` (names churn as policies come and go). */
function memo(limit: number, make: (key: string) => Rule): (key: string) => Rule {
  const rules = new Map<string, Rule>()
  return (key) => {
    let rule = rules.get(key)
    if (rule === undefined) {
      if (rules.size >= limit) rules.clear()
      rule = shared(make(key))
      rules.set(key, rule)
    }
    return rule
  }
}

const MARK_PASS_CLEAR = [M.markClear(MARK.pass)]
const policyJump = memo(50_000, (target) => ({match: MARK_PASS_CLEAR, action: {kind: 'jump', target}}))
const profileJump = memo(10_000, (target) => ({match: [], action: {kind: 'jump', target}}))
const tierStart = memo(1_000, (tier) => ({match: [], action: {kind: 'set-mark', mark: 0, mask: MARK.pass}, comments: [`Start of tier ${tier}`]}))
const tierEndDrop = memo(1_000, (tier) => ({match: MARK_PASS_CLEAR, action: {kind: 'drop'}, comments: [`End of tier ${tier}. Drop if no policies passed packet`]}))

function endpointChain(spec: EndpointChainSpec): Chain {
  const rules: Rule[] = []
  if (spec.untracked !== true) {
    if (spec.conntrackAllow === 'return') rules.push(SHARED.conntrackMarkAccept, SHARED.conntrackReturn)
    else rules.push(SHARED.conntrackAccept)
    rules.push(SHARED.conntrackInvalidDrop)
  }
  rules.push(SHARED.clearMarks)
  if (spec.dropEncapFromWorkload === true) rules.push(SHARED.dropVxlan, SHARED.dropIpip)
  if (spec.failsafeChain !== undefined) rules.push({match: [], action: {kind: 'jump', target: spec.failsafeChain}})
  const policyPrefix = spec.direction === 'ingress' ? POLICY_IN_PREFIX : POLICY_OUT_PREFIX
  let anyPolicy = false
  for (const tier of spec.tiers) {
    const policies = spec.direction === 'ingress' ? tier.ingressPolicies : tier.egressPolicies
    if (policies.length === 0) continue
    anyPolicy = true
    rules.push(tierStart(tier.name))
    for (const id of policies) {
      rules.push(policyJump(policyChainName(policyPrefix, id)))
      // Untracked: allow means "NOTRACK and allow" (Felix endpoints.go).
      if (spec.untracked === true) rules.push(SHARED.notrackIfAccepted)
      rules.push(SHARED.returnIfPolicyAccepted)
    }
    // Untracked and pre-DNAT tiers never drop at their end: normal policy still follows in filter.
    if (tier.defaultAction === 'Deny' && spec.untracked !== true) rules.push(tierEndDrop(tier.name))
  }
  if (spec.allowIfNoPolicy === true && !anyPolicy) rules.push(SHARED.allowForwardByDefault, SHARED.returnForwardAccepted)
  if (spec.profileIds !== undefined) {
    const profilePrefix = spec.direction === 'ingress' ? PROFILE_IN_PREFIX : PROFILE_OUT_PREFIX
    for (const profile of spec.profileIds) rules.push(profileJump(profileChainName(profilePrefix, profile)), SHARED.returnIfProfileAccepted)
    rules.push(SHARED.dropNoProfile)
  }
  return {name: spec.name, rules}
}

/** `cali-tw-<iface>` (to the workload: ingress policy) and `cali-fw-<iface>` (from it: egress). */
export function workloadChains(ep: WorkloadEndpoint): [Chain, Chain] {
  return [
    endpointChain({name: endpointChainName(WL_TO_PREFIX, ep.name), direction: 'ingress', tiers: ep.tiers, profileIds: ep.profileIds}),
    endpointChain({
      name: endpointChainName(WL_FROM_PREFIX, ep.name),
      direction: 'egress',
      tiers: ep.tiers,
      profileIds: ep.profileIds,
      dropEncapFromWorkload: true,
    }),
  ]
}

/** The chain suffix for a host endpoint's interface (`*` → `any-interface`). */
export const hostIfaceSuffix = (iface: string): string => (iface === '*' ? ALL_INTERFACES : iface)

/**
 * Normal host endpoint chains: `cali-fh-<iface>` (traffic from the interface to the host: ingress
 * policy, failsafe-in) and `cali-th-<iface>` (host to the interface: egress, failsafe-out); and the
 * applyOnForward chains `cali-fhfw-`/`cali-thfw-` (no profiles; allow when no policy applies).
 */
export function hostEndpointChains(ep: HostEndpoint): Chain[] {
  const suffix = hostIfaceSuffix(ep.name)
  return [
    endpointChain({
      name: endpointChainName(HOST_FROM_PREFIX, suffix),
      direction: 'ingress',
      tiers: ep.tiers,
      profileIds: ep.profileIds,
      failsafeChain: CHAINS.failsafeIn,
    }),
    endpointChain({
      name: endpointChainName(HOST_TO_PREFIX, suffix),
      direction: 'egress',
      tiers: ep.tiers,
      profileIds: ep.profileIds,
      failsafeChain: CHAINS.failsafeOut,
    }),
    endpointChain({name: endpointChainName(HOST_FROM_FWD_PREFIX, suffix), direction: 'ingress', tiers: ep.forwardTiers, allowIfNoPolicy: true}),
    endpointChain({name: endpointChainName(HOST_TO_FWD_PREFIX, suffix), direction: 'egress', tiers: ep.forwardTiers, allowIfNoPolicy: true}),
  ]
}

/**
 * Raw-table chains of a host endpoint with doNotTrack policy (Felix HostEndpointToRawChains):
 * `cali-th-<iface>` (egress) and `cali-fh-<iface>` (ingress), failsafe first, untracked tiers only,
 * no profiles, no final drop (a packet no untracked policy decided goes on to the filter table).
 */
export function hostEndpointRawChains(ep: HostEndpoint): Chain[] {
  const suffix = hostIfaceSuffix(ep.name)
  return [
    endpointChain({
      name: endpointChainName(HOST_TO_PREFIX, suffix),
      direction: 'egress',
      tiers: ep.untrackedTiers,
      failsafeChain: CHAINS.failsafeOut,
      untracked: true,
    }),
    endpointChain({
      name: endpointChainName(HOST_FROM_PREFIX, suffix),
      direction: 'ingress',
      tiers: ep.untrackedTiers,
      failsafeChain: CHAINS.failsafeIn,
      untracked: true,
    }),
  ]
}

/**
 * Mangle-table ingress chain of a host endpoint with preDNAT policy (Felix
 * HostEndpointToMangleIngressChains): `cali-fh-<iface>`, conntrack accept, failsafe, pre-DNAT tiers
 * (ingress only), no profiles, no final drop.
 */
export function hostEndpointPreDnatChain(ep: HostEndpoint): Chain {
  return endpointChain({
    name: endpointChainName(HOST_FROM_PREFIX, hostIfaceSuffix(ep.name)),
    direction: 'ingress',
    tiers: ep.preDnatTiers,
    failsafeChain: CHAINS.failsafeIn,
  })
}

/**
 * Mangle-table egress chain of a host endpoint (Felix HostEndpointToMangleEgressChains):
 * `cali-th-<iface>` with the normal tiers and profiles, applied in mangle POSTROUTING to host
 * traffic that was DNAT'd (filter OUTPUT sees the pre-DNAT interface). Allow is RETURN with the
 * accept mark, so other mangle rules still see the packet.
 */
export function hostEndpointMangleEgressChain(ep: HostEndpoint): Chain {
  return endpointChain({
    name: endpointChainName(HOST_TO_PREFIX, hostIfaceSuffix(ep.name)),
    direction: 'egress',
    tiers: ep.tiers,
    profileIds: ep.profileIds,
    failsafeChain: CHAINS.failsafeOut,
    conntrackAllow: 'return',
  })
}
