/**
 * Policy for one endpoint in one direction, in the order Felix renders an endpoint chain
 * (rules/endpoints.go endpointIptablesChain; mirrored by bpf/polprog):
 *
 * 1. host endpoints: failsafe ports allow first;
 *    workloads, egress: VXLAN (UDP to VXLANPort) and IP-in-IP are dropped unless allowed;
 * 2. each tier with at least one applicable policy, in tier order: policies in order, rules in
 *    order; Allow and Deny decide, Pass leaves the tier, Log goes on, a policy with no match
 *    falls through to the next; a tier nobody decided or passed ends with its default action
 *    (Deny, or Pass to the next tier);
 * 3. profiles in spec.profiles order (only when no tier decided): Allow and Deny decide, Log goes
 *    on, Pass ends the profile (or denies, per EvaluatorOptions.profilePass); a profile that does
 *    not exist denies (Felix's fail-closed stand-in);
 * 4. nothing allowed: drop.
 *
 * Only new connections are modelled: established and related packets are allowed by conntrack
 * before any of this.
 */
import {DEFAULT_FAILSAFE_INBOUND, DEFAULT_FAILSAFE_OUTBOUND, failsafeText, matchFailsafe} from './failsafe.js'
import type {EndpointInfo} from './endpoints.js'
import type {CompiledTier} from './policies.js'
import {PROTO_IPIP, PROTO_UDP} from './protocols.js'
import {ruleMatches, type CompiledRule, type Packet} from './rules.js'
import type {Direction, DirectionTrace, EvaluatorOptions, TraceStep, Verdict} from './types.js'

/** The policies of one tier that apply to one endpoint in one direction. */
export interface AppliedTier {
  readonly tier: CompiledTier
  readonly policies: CompiledTier['policies']
  /** The policies' display names, for the trace's tier step. */
  readonly names: readonly string[]
}

/** What the evaluator needs from the model for one direction. */
export interface DirectionInput {
  readonly endpoint: EndpointInfo
  readonly direction: Direction
  readonly tiers: readonly AppliedTier[]
  readonly profileRules: (name: string) => {inbound: readonly CompiledRule[]; outbound: readonly CompiledRule[]} | undefined
  readonly options: EvaluatorOptions
}

function finish(input: DirectionInput, steps: TraceStep[], verdict: Verdict): DirectionTrace {
  return {
    endpoint: input.endpoint.display,
    direction: input.direction,
    verdict,
    steps,
    decision: steps[steps.length - 1],
  }
}

function withNotes<T extends object>(step: T, rule: CompiledRule): T {
  return rule.notes.length > 0 ? {...step, notes: rule.notes} : step
}

function preliminary(input: DirectionInput, packet: Packet): TraceStep | undefined {
  const {endpoint, direction, options} = input
  if (endpoint.kind === 'HostEndpoint') {
    const inbound = direction === 'ingress'
    const entries = inbound ? (options.failsafeInbound ?? DEFAULT_FAILSAFE_INBOUND) : (options.failsafeOutbound ?? DEFAULT_FAILSAFE_OUTBOUND)
    const hit = matchFailsafe(entries, packet.protocol, packet.dstPort, inbound ? packet.src : packet.dst)
    if (hit) return {step: 'failsafe', verdict: 'Allow', entry: `${inbound ? 'inbound' : 'outbound'} ${failsafeText(hit)}`}
    return undefined
  }
  if (direction !== 'egress') return undefined
  if (packet.protocol === PROTO_IPIP && options.allowIPIPPacketsFromWorkloads !== true) {
    return {step: 'encap-drop', verdict: 'Deny', encap: 'IPIP'}
  }
  if (packet.protocol === PROTO_UDP && packet.dstPort === (options.vxlanPort ?? 4789) && options.allowVXLANPacketsFromWorkloads !== true) {
    return {step: 'encap-drop', verdict: 'Deny', encap: 'VXLAN'}
  }
  return undefined
}

type TierOutcome = {verdict: Verdict} | 'next'

function evaluateTier(applied: AppliedTier, input: DirectionInput, packet: Packet, steps: TraceStep[]): TierOutcome {
  const {tier, policies} = applied
  steps.push({step: 'tier', tier: tier.name, order: tier.order, defaultAction: tier.defaultAction, policies: applied.names})
  for (const policy of policies) {
    const rules = input.direction === 'ingress' ? policy.inbound : policy.outbound
    for (const rule of rules) {
      if (!ruleMatches(rule, packet)) continue
      const base = {step: 'rule', tier: tier.name, policy: policy.ref, ruleIndex: rule.index, action: rule.action} as const
      if (rule.action === 'Log') {
        steps.push(withNotes(base, rule))
        continue
      }
      if (rule.action === 'Pass') {
        steps.push(withNotes(base, rule))
        return 'next'
      }
      steps.push(withNotes({...base, verdict: rule.action}, rule))
      return {verdict: rule.action}
    }
    steps.push({step: 'no-match', tier: tier.name, policy: policy.ref})
  }
  if (tier.defaultAction === 'Pass') {
    steps.push({step: 'end-of-tier', tier: tier.name, action: 'Pass'})
    return 'next'
  }
  steps.push({step: 'end-of-tier', tier: tier.name, action: 'Deny', verdict: 'Deny'})
  return {verdict: 'Deny'}
}

function evaluateProfiles(input: DirectionInput, packet: Packet, steps: TraceStep[]): Verdict {
  const {endpoint, direction, options} = input
  if (endpoint.profiles.length === 0) {
    steps.push({step: 'default-deny', verdict: 'Deny', reason: 'no-profiles'})
    return 'Deny'
  }
  for (const name of endpoint.profiles) {
    const profile = input.profileRules(name)
    if (!profile) {
      steps.push({step: 'missing-profile', profile: name, verdict: 'Deny'})
      return 'Deny'
    }
    let ended = false
    for (const rule of direction === 'ingress' ? profile.inbound : profile.outbound) {
      if (!ruleMatches(rule, packet)) continue
      const base = {step: 'profile-rule', profile: name, ruleIndex: rule.index, action: rule.action} as const
      if (rule.action === 'Log') {
        steps.push(withNotes(base, rule))
        continue
      }
      if (rule.action === 'Pass') {
        if (options.profilePass === 'deny') {
          steps.push(withNotes({...base, verdict: 'Deny'}, rule))
          return 'Deny'
        }
        steps.push(withNotes(base, rule))
        ended = true
        break
      }
      steps.push(withNotes({...base, verdict: rule.action}, rule))
      return rule.action
    }
    if (!ended) steps.push({step: 'profile-no-match', profile: name})
  }
  steps.push({step: 'default-deny', verdict: 'Deny', reason: 'no-profile-matched'})
  return 'Deny'
}

/** Evaluates one endpoint direction; the returned trace's last step is the decision. */
export function evaluateDirection(input: DirectionInput, packet: Packet): DirectionTrace {
  const steps: TraceStep[] = []
  const early = preliminary(input, packet)
  if (early) {
    steps.push(early)
    return finish(input, steps, early.step === 'failsafe' ? 'Allow' : 'Deny')
  }
  for (const applied of input.tiers) {
    const outcome = evaluateTier(applied, input, packet, steps)
    if (outcome !== 'next') return finish(input, steps, outcome.verdict)
  }
  return finish(input, steps, evaluateProfiles(input, packet, steps))
}
