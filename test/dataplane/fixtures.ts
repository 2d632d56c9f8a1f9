/** Small named calc states for dataplane tests (messages as the calc graph would send them). */
import type {CalcMessage, PolicyId, Rule, TierInfo, WorkloadEndpoint} from '../../src/calc/messages.js'
import {matchAllRule} from '../../src/calc/rule-convert.js'

export function rule(action: Rule['action'], extra: Partial<Rule> = {}): Rule {
  return matchAllRule(action, extra)
}

export const ALLOW_FROM_FRONTEND: PolicyId = {kind: 'GlobalNetworkPolicy', namespace: '', name: 'allow-frontend'}

export function tier(name: string, ingress: PolicyId[], egress: PolicyId[] = [], defaultAction: TierInfo['defaultAction'] = 'Deny'): TierInfo {
  return {name, ingressPolicies: ingress, egressPolicies: egress, defaultAction}
}

export function workload(name: string, ip: string, tiers: TierInfo[], profileIds: string[] = ['kns.default']): WorkloadEndpoint {
  return {
    state: 'active',
    name,
    mac: '',
    profileIds,
    ipv4Nets: [`${ip}/32`],
    ipv6Nets: [],
    tiers,
    ipv4Nat: [],
    ipv6Nat: [],
    allowSpoofedSourcePrefixes: [],
  }
}

export const wepId = (pod: string) => ({orchestratorId: 'k8s', workloadId: `default/${pod}`, endpointId: 'eth0'})

/**
 * "backend protected": workload cali0backend (10.65.0.2) admits TCP 8080 only from the frontend
 * ipset by a default-tier policy; workload cali0frontend (10.65.0.3) has no policy, only the
 * allow-all namespace profile.
 */
export function protectedBackendState(config: Record<string, string> = {}): CalcMessage[] {
  return [
    {type: 'ConfigUpdate', config},
    {type: 'IPSetUpdate', id: 's:frontend', ipsetType: 'net', members: ['10.65.0.3/32']},
    {
      type: 'ActivePolicyUpdate',
      id: ALLOW_FROM_FRONTEND,
      policy: {
        tier: 'default',
        namespace: '',
        inboundRules: [rule('allow', {protocol: 'TCP', srcIpSetIds: ['s:frontend'], dstPorts: [{first: 8080, last: 8080}]})],
        outboundRules: [],
        untracked: false,
        preDnat: false,
        applyOnForward: false,
        originalSelector: "app == 'backend'",
        perfHints: [],
      },
    },
    {type: 'ActiveProfileUpdate', id: 'kns.default', profile: {inboundRules: [rule('allow')], outboundRules: [rule('allow')]}},
    {type: 'WorkloadEndpointUpdate', id: wepId('backend'), endpoint: workload('cali0backend', '10.65.0.2', [tier('default', [ALLOW_FROM_FRONTEND])])},
    {type: 'WorkloadEndpointUpdate', id: wepId('frontend'), endpoint: workload('cali0frontend', '10.65.0.3', [])},
    {type: 'InSync'},
  ]
}

/** The removals that take protectedBackendState back to nothing (calc graph order). */
export function removeAllState(): CalcMessage[] {
  return [
    {type: 'WorkloadEndpointRemove', id: wepId('backend')},
    {type: 'WorkloadEndpointRemove', id: wepId('frontend')},
    {type: 'ActiveProfileRemove', id: 'kns.default'},
    {type: 'ActivePolicyRemove', id: ALLOW_FROM_FRONTEND},
    {type: 'IPSetRemove', id: 's:frontend'},
  ]
}

export const HOST_UNTRACKED: PolicyId = {kind: 'GlobalNetworkPolicy', namespace: '', name: 'host-untracked'}
export const HOST_PREDNAT: PolicyId = {kind: 'GlobalNetworkPolicy', namespace: '', name: 'host-prednat'}
export const HOST_NORMAL: PolicyId = {kind: 'GlobalNetworkPolicy', namespace: '', name: 'host-normal'}

const hostPolicy = (inbound: Rule[], outbound: Rule[], kind: {untracked?: boolean; preDnat?: boolean} = {}): import('../../src/calc/messages.js').Policy => ({
  tier: 'default',
  namespace: '',
  inboundRules: inbound,
  outboundRules: outbound,
  untracked: kind.untracked === true,
  preDnat: kind.preDnat === true,
  applyOnForward: kind.untracked === true || kind.preDnat === true,
  originalSelector: "role == 'host'",
  perfHints: [],
})

/**
 * Host endpoints and pools on top of protectedBackendState: `eth-ext` (named) has an untracked
 * deny of TCP 8080 in, a preDNAT deny of TCP 9090 in, and a normal allow-all; `by-ip` (no interface,
 * expected IP 10.200.0.1) has the same normal policy only. Pools: 10.65.0.0/16 natOutgoing,
 * 10.66.0.0/16 disabled, no NAT.
 */
export function hostsAndPoolsState(config: Record<string, string> = {}): CalcMessage[] {
  const base = protectedBackendState(config).slice(0, -1)
  const hep = (name: string, ips: string[], withSpecial: boolean): import('../../src/calc/messages.js').HostEndpoint => ({
    name,
    profileIds: [],
    tiers: [tier('default', [HOST_NORMAL], [HOST_NORMAL])],
    untrackedTiers: withSpecial ? [tier('default', [HOST_UNTRACKED], [], 'Pass')] : [],
    preDnatTiers: withSpecial ? [tier('default', [HOST_PREDNAT], [], 'Pass')] : [],
    forwardTiers: [],
    expectedIpv4Addrs: ips,
    expectedIpv6Addrs: [],
  })
  return [
    ...base,
    {type: 'ActivePolicyUpdate', id: HOST_UNTRACKED, policy: hostPolicy([rule('deny', {protocol: 'TCP', dstPorts: [{first: 8080, last: 8080}]})], [], {untracked: true})},
    {type: 'ActivePolicyUpdate', id: HOST_PREDNAT, policy: hostPolicy([rule('deny', {protocol: 'TCP', dstPorts: [{first: 9090, last: 9090}]})], [], {preDnat: true})},
    {type: 'ActivePolicyUpdate', id: HOST_NORMAL, policy: hostPolicy([rule('allow')], [rule('allow')])},
    {type: 'HostEndpointUpdate', id: {endpointId: 'ext'}, endpoint: hep('eth-ext', [], true)},
    {type: 'HostEndpointUpdate', id: {endpointId: 'by-ip'}, endpoint: hep('', ['10.200.0.1'], false)},
    {type: 'IPAMPoolUpdate', id: '10.65.0.0-16', pool: {cidr: '10.65.0.0/16', masquerade: true, disabled: false, ipipMode: 'Never', vxlanMode: 'Never'}},
    {type: 'IPAMPoolUpdate', id: '10.66.0.0-16', pool: {cidr: '10.66.0.0/16', masquerade: false, disabled: true, ipipMode: 'Never', vxlanMode: 'Never'}},
    {type: 'InSync'},
  ]
}
