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
