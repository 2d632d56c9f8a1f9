/**
 * Policy and profile chains (Felix rules/policy.go): one chain per direction, each calc Rule becomes
 * one or more iptables rules.
 *
 * Verdict protocol with the endpoint chains: Allow sets the accept mark and returns; Pass sets the
 * pass mark and returns; Deny drops here; Log logs and continues. A chain that falls off its end
 * returns with neither mark, so the endpoint chain tries the next policy.
 *
 * Match-block splitting (Felix's ProtoRuleToIptablesRules): iptables cannot OR inside one rule, so
 * ORed parts (several CIDRs, >15 ports, numeric ports with named-port sets) become blocks evaluated
 * into scratch marks: scratch0 = "every block so far matched", scratch1 = "this block matched". The
 * final rule requires scratch0 plus the matches that fit inline.
 */
import type {PolicyId, Policy, Profile, PortRange, Rule as CalcRule} from '../../calc/messages.js'
import type {RenderConfig} from './config.js'
import {M, type Chain, type Rule} from './model.js'
import {
  MARK,
  POLICY_IN_PREFIX,
  POLICY_OUT_PREFIX,
  PROFILE_IN_PREFIX,
  PROFILE_OUT_PREFIX,
  ipsetName,
  policyChainName,
  profileChainName,
} from './names.js'

/** multiport takes at most 15 ports; a range counts as two. */
const MULTIPORT_MAX = 15

function portChunks(ports: readonly PortRange[]): string[] {
  const chunks: string[] = []
  let current: string[] = []
  let used = 0
  for (const range of ports) {
    const cost = range.first === range.last ? 1 : 2
    if (used + cost > MULTIPORT_MAX) {
      chunks.push(current.join(','))
      current = []
      used = 0
    }
    current.push(range.first === range.last ? `${range.first}` : `${range.first}:${range.last}`)
    used += cost
  }
  if (current.length > 0) chunks.push(current.join(','))
  return chunks
}

const protocolName = (p: number | string): string => (typeof p === 'number' ? `${p}` : p.toLowerCase())

const isV6 = (net: string): boolean => net.includes(':')

/** An OR of alternatives; each alternative is an AND of match fragments. */
type Block = string[][]

interface Matches {
  readonly inline: string[]
  readonly positive: Block[]
  readonly negative: Block[]
}

function portMatches(
  protoFrag: string[],
  ports: readonly PortRange[],
  namedSetIds: readonly string[],
  multiport: (ports: string) => string,
  namedSet: (name: string) => string,
  into: Matches,
): void {
  const chunks = portChunks(ports)
  const alternatives = [...chunks.map((c) => [...protoFrag, multiport(c)]), ...namedSetIds.map((id) => [namedSet(ipsetName(id))])]
  if (alternatives.length === 1) into.inline.push(...(chunks.length === 1 ? [multiport(chunks[0])] : [namedSet(ipsetName(namedSetIds[0]))]))
  else if (alternatives.length > 1) into.positive.push(alternatives)
}

/** Splits a v4 calc rule into inline matches and OR blocks; undefined if it cannot match IPv4 traffic. */
function ruleMatches(rule: CalcRule): Matches | undefined {
  if (rule.ipVersion === 6) return undefined
  const v4 = (nets: readonly string[]): string[] => nets.filter((n) => !isV6(n))
  const srcNets = v4(rule.srcNets)
  const dstNets = v4(rule.dstNets)
  // A rule whose positive CIDRs were all IPv6 cannot match IPv4 (FilterRuleToIPVersion).
  if ((rule.srcNets.length > 0 && srcNets.length === 0) || (rule.dstNets.length > 0 && dstNets.length === 0)) return undefined
  const m: Matches = {inline: [], positive: [], negative: []}
  const protoFrag = rule.protocol === undefined ? [] : [M.proto(protocolName(rule.protocol))]
  m.inline.push(...protoFrag)
  if (rule.notProtocol !== undefined) m.inline.push(M.notProto(protocolName(rule.notProtocol)))

  if (srcNets.length === 1) m.inline.push(M.src(srcNets[0]))
  else if (srcNets.length > 1) m.positive.push(srcNets.map((n) => [M.src(n)]))
  if (dstNets.length === 1) m.inline.push(M.dst(dstNets[0]))
  else if (dstNets.length > 1) m.positive.push(dstNets.map((n) => [M.dst(n)]))
  for (const id of rule.srcIpSetIds) m.inline.push(M.srcSet(ipsetName(id)))
  for (const id of rule.dstIpSetIds) m.inline.push(M.dstSet(ipsetName(id)))
  portMatches(protoFrag, rule.srcPorts, rule.srcNamedPortIpSetIds, M.srcPorts, M.srcIpPortSet, m)
  portMatches(protoFrag, rule.dstPorts, rule.dstNamedPortIpSetIds, M.dstPorts, M.dstIpPortSet, m)
  if (rule.icmp !== undefined) m.inline.push(M.icmp(rule.icmp.type, rule.icmp.code))

  const notSrcNets = v4(rule.notSrcNets)
  const notDstNets = v4(rule.notDstNets)
  if (notSrcNets.length === 1) m.inline.push(M.notSrc(notSrcNets[0]))
  else if (notSrcNets.length > 1) m.negative.push(notSrcNets.map((n) => [M.src(n)]))
  if (notDstNets.length === 1) m.inline.push(M.notDst(notDstNets[0]))
  else if (notDstNets.length > 1) m.negative.push(notDstNets.map((n) => [M.dst(n)]))
  for (const id of rule.notSrcIpSetIds) m.inline.push(M.notSrcSet(ipsetName(id)))
  for (const id of rule.notDstIpSetIds) m.inline.push(M.notDstSet(ipsetName(id)))
  // Negated ports are an AND of negations, so every chunk and set can sit in the final rule.
  for (const chunk of portChunks(rule.notSrcPorts)) m.inline.push(M.notSrcPorts(chunk))
  for (const id of rule.notSrcNamedPortIpSetIds) m.inline.push(M.notSrcIpPortSet(ipsetName(id)))
  for (const chunk of portChunks(rule.notDstPorts)) m.inline.push(M.notDstPorts(chunk))
  for (const id of rule.notDstNamedPortIpSetIds) m.inline.push(M.notDstIpPortSet(ipsetName(id)))
  if (rule.notIcmp !== undefined) m.inline.push(M.notIcmp(rule.notIcmp.type, rule.notIcmp.code))
  return m
}

const setMark = (mark: number, mask = mark): Rule['action'] => ({kind: 'set-mark', mark, mask})

/** One calc rule → iptables rules (empty when it cannot match IPv4). */
export function renderRule(rule: CalcRule, cfg: RenderConfig): Rule[] {
  const m = ruleMatches(rule)
  if (m === undefined) return []
  const out: Rule[] = []
  let final = m.inline
  if (m.positive.length > 0 || m.negative.length > 0) {
    const {scratch0: s0, scratch1: s1} = MARK
    out.push({match: [], action: setMark(0, s0 | s1)})
    m.positive.forEach((block, index) => {
      if (index === 0) {
        for (const alt of block) out.push({match: alt, action: setMark(s0)})
        return
      }
      for (const alt of block) out.push({match: [M.markSet(s0), ...alt], action: setMark(s1)})
      out.push({match: [M.markClear(s1)], action: setMark(0, s0)})
      out.push({match: [], action: setMark(0, s1)})
    })
    if (m.positive.length === 0) out.push({match: [], action: setMark(s0)})
    for (const block of m.negative) for (const alt of block) out.push({match: [M.markSet(s0), ...alt], action: setMark(0, s0)})
    final = [M.markSet(s0), ...m.inline]
  }
  switch (rule.action) {
    case 'allow':
      out.push({match: final, action: setMark(MARK.accept)}, {match: [M.markSet(MARK.accept)], action: {kind: 'return'}})
      break
    case 'next-tier':
      out.push({match: final, action: setMark(MARK.pass)}, {match: [M.markSet(MARK.pass)], action: {kind: 'return'}})
      break
    case 'deny':
      out.push({match: final, action: cfg.denyAction === 'REJECT' ? {kind: 'reject'} : {kind: 'drop'}})
      break
    case 'log':
      out.push({match: final, action: {kind: 'log', prefix: cfg.logPrefix}})
      break
  }
  return out
}

const renderRules = (rules: readonly CalcRule[], cfg: RenderConfig): Rule[] => rules.flatMap((r) => renderRule(r, cfg))

/** `cali-pi-…` (inbound rules) and `cali-po-…` (outbound rules). */
export function policyChains(id: PolicyId, policy: Policy, cfg: RenderConfig): [Chain, Chain] {
  return [
    {name: policyChainName(POLICY_IN_PREFIX, id), rules: renderRules(policy.inboundRules, cfg)},
    {name: policyChainName(POLICY_OUT_PREFIX, id), rules: renderRules(policy.outboundRules, cfg)},
  ]
}

/**
 * `cali-pri-…` and `cali-pro-…`. In profiles Pass is treated as Deny (Felix's profile semantics), so
 * next-tier rules render as deny.
 */
export function profileChains(name: string, profile: Profile, cfg: RenderConfig): [Chain, Chain] {
  const asProfile = (rules: readonly CalcRule[]): CalcRule[] =>
    rules.map((r) => (r.action === 'next-tier' ? {...r, action: 'deny'} : r))
  return [
    {name: profileChainName(PROFILE_IN_PREFIX, name), rules: renderRules(asProfile(profile.inboundRules), cfg)},
    {name: profileChainName(PROFILE_OUT_PREFIX, name), rules: renderRules(asProfile(profile.outboundRules), cfg)},
  ]
}
