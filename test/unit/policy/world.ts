/**
 * A small cluster for the policy-evaluation tables: two namespaces with Kubernetes-style
 * namespace and service-account profiles, workloads with named ports and dual-stack addresses,
 * a host endpoint, a GlobalNetworkSet and a NetworkSet. Cases add their own tiers and policies.
 */
import type {Resource, Rule} from '../../../src/api/index.js'
import type {TraceStep} from '../../../src/policy/index.js'

const API = 'projectcalico.org/v3'

type Spec = Record<string, unknown>

export const res = (kind: string, name: string, spec: Spec, meta: {namespace?: string; labels?: Record<string, string>} = {}): Resource => ({
  apiVersion: API,
  kind,
  metadata: {name, ...meta},
  spec,
})

export const tier = (name: string, order?: number, defaultAction?: 'Deny' | 'Pass'): Resource =>
  res('Tier', name, {...(order !== undefined ? {order} : {}), ...(defaultAction ? {defaultAction} : {})})

export const gnp = (name: string, spec: Spec): Resource => res('GlobalNetworkPolicy', name, spec)

export const np = (namespace: string, name: string, spec: Spec): Resource => res('NetworkPolicy', name, spec, {namespace})

export const allowAll: Rule[] = [{action: 'Allow'}]

interface WepOptions {
  labels?: Record<string, string>
  ips: string[]
  profiles?: string[]
  serviceAccountName?: string
  ports?: Array<{name: string; protocol: string; port: number}>
}

export const wep = (namespace: string, pod: string, o: WepOptions): Resource =>
  res(
    'WorkloadEndpoint',
    pod,
    {
      orchestrator: 'k8s',
      node: 'node1',
      pod,
      endpoint: 'eth0',
      interfaceName: `cali${pod}`,
      ipNetworks: o.ips,
      ...(o.profiles ? {profiles: o.profiles} : {}),
      ...(o.serviceAccountName ? {serviceAccountName: o.serviceAccountName} : {}),
      ...(o.ports ? {ports: o.ports} : {}),
    },
    {namespace, labels: o.labels ?? {}},
  )

/** The shared cluster. */
export const WORLD: Resource[] = [
  res('Profile', 'kns.prod', {
    labelsToApply: {'pcns.projectcalico.org/name': 'prod', 'pcns.env': 'production'},
    ingress: allowAll,
    egress: allowAll,
  }),
  res('Profile', 'kns.dev', {
    labelsToApply: {'pcns.projectcalico.org/name': 'dev', 'pcns.env': 'development'},
    ingress: allowAll,
    egress: allowAll,
  }),
  res('Profile', 'ksa.prod.api-sa', {labelsToApply: {'pcsa.projectcalico.org/name': 'api-sa', 'pcsa.role': 'api'}}),
  wep('prod', 'web', {labels: {app: 'web'}, ips: ['10.0.0.1/32', 'fd00::1/128'], profiles: ['kns.prod']}),
  wep('prod', 'api', {
    labels: {app: 'api'},
    ips: ['10.0.0.2/32', 'fd00::2/128'],
    profiles: ['kns.prod', 'ksa.prod.api-sa'],
    serviceAccountName: 'api-sa',
    ports: [
      {name: 'http', protocol: 'TCP', port: 8080},
      {name: 'dns', protocol: 'UDP', port: 5353},
    ],
  }),
  wep('dev', 'tool', {labels: {app: 'tool'}, ips: ['10.0.1.1/32'], profiles: ['kns.dev']}),
  wep('prod', 'bare', {labels: {app: 'bare'}, ips: ['10.0.0.9/32']}),
  wep('prod', 'ghost', {labels: {app: 'ghost'}, ips: ['10.0.0.10/32'], profiles: ['kns.missing']}),
  res('HostEndpoint', 'node1-eth0', {node: 'node1', interfaceName: 'eth0', expectedIPs: ['203.0.113.1']}, {labels: {role: 'node'}}),
  res('GlobalNetworkSet', 'trusted', {nets: ['192.0.2.0/24']}, {labels: {trust: 'high'}}),
  res('NetworkSet', 'partners', {nets: ['198.51.100.0/24']}, {namespace: 'prod', labels: {partner: 'yes'}}),
]

/** A compact, stable name for a decision step, so tables stay readable. */
export function brief(step: TraceStep): string {
  switch (step.step) {
    case 'rule':
      return `${step.tier}/${step.policy.namespace ? `${step.policy.namespace}/` : ''}${step.policy.name}[${step.ruleIndex}] ${step.action}`
    case 'no-match':
      return `${step.tier}/${step.policy.name} no-match`
    case 'tier':
      return `tier ${step.tier}`
    case 'end-of-tier':
      return `end-of-tier ${step.tier} ${step.action}`
    case 'profile-rule':
      return `profile ${step.profile}[${step.ruleIndex}] ${step.action}`
    case 'profile-no-match':
      return `profile ${step.profile} no-match`
    case 'missing-profile':
      return `missing-profile ${step.profile}`
    case 'default-deny':
      return `default-deny ${step.reason}`
    case 'failsafe':
      return `failsafe ${step.entry}`
    case 'encap-drop':
      return `encap-drop ${step.encap}`
  }
}
