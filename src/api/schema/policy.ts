/**
 * Policy types (api/pkg/apis/projectcalico/v3: policy_common.go, globalnetworkpolicy.go,
 * networkpolicy.go, staged*.go, tier.go, profile.go), field for field in Go order.
 */
import {Condition, LabelSelector} from './meta.js'
import {resourceStruct} from './resource.js'
import {f, INT_OR_STRING, PORT, PROTOCOL, struct, t, type GoStruct} from './types.js'

const ACTION = t.string('v3.Action')
const POLICY_TYPE = t.string('v3.PolicyType')
const STAGED_ACTION = t.string('v3.StagedAction')
const PERFORMANCE_HINT = t.string('v3.PolicyPerformanceHint')

export const ICMPFields: GoStruct = struct('v3', 'ICMPFields', [
  f('Type', 'type,omitempty', t.ptr(t.int('int')), 'omitempty,gte=0,lte=254'),
  f('Code', 'code,omitempty', t.ptr(t.int('int')), 'omitempty,gte=0,lte=255'),
])

export const HTTPPath: GoStruct = struct('v3', 'HTTPPath', [
  f('Exact', 'exact,omitempty', t.string(), 'omitempty'),
  f('Prefix', 'prefix,omitempty', t.string(), 'omitempty'),
])

export const HTTPMatch: GoStruct = struct('v3', 'HTTPMatch', [
  f('Methods', 'methods,omitempty', t.slice(t.string()), 'omitempty'),
  f('Paths', 'paths,omitempty', t.slice(t.struct(() => HTTPPath)), 'omitempty'),
])

export const ServiceMatch: GoStruct = struct('v3', 'ServiceMatch', [
  f('Name', 'name,omitempty', t.string(), 'omitempty,name'),
  f('Namespace', 'namespace,omitempty', t.string(), 'omitempty,name'),
])

export const ServiceAccountMatch: GoStruct = struct('v3', 'ServiceAccountMatch', [
  f('Names', 'names,omitempty', t.slice(t.string()), 'omitempty'),
  f('Selector', 'selector,omitempty', t.string(), 'omitempty,selector'),
])

export const EntityRule: GoStruct = struct('v3', 'EntityRule', [
  f('Nets', 'nets,omitempty', t.slice(t.string()), 'omitempty,dive,net'),
  f('Selector', 'selector,omitempty', t.string(), 'omitempty,selector'),
  f('NamespaceSelector', 'namespaceSelector,omitempty', t.string(), 'omitempty,selector'),
  f('Services', 'services,omitempty', t.ptr(t.struct(() => ServiceMatch)), 'omitempty'),
  f('Ports', 'ports,omitempty', t.slice(PORT), 'omitempty,dive'),
  f('NotNets', 'notNets,omitempty', t.slice(t.string()), 'omitempty,dive,net'),
  f('NotSelector', 'notSelector,omitempty', t.string(), 'omitempty,selector'),
  f('NotPorts', 'notPorts,omitempty', t.slice(PORT), 'omitempty,dive'),
  f('ServiceAccounts', 'serviceAccounts,omitempty', t.ptr(t.struct(() => ServiceAccountMatch)), 'omitempty'),
])

export const RuleMetadata: GoStruct = struct('v3', 'RuleMetadata', [
  f('Annotations', 'annotations,omitempty', t.map()),
])

/** source/destination are `omitzero` (Go 1.24): an empty EntityRule is left out. */
export const Rule: GoStruct = struct('v3', 'Rule', [
  f('Action', 'action', ACTION, 'action'),
  f('IPVersion', 'ipVersion,omitempty', t.ptr(t.int('int')), 'omitempty,ipVersion'),
  f('Protocol', 'protocol,omitempty', t.ptr(PROTOCOL), 'omitempty'),
  f('ICMP', 'icmp,omitempty', t.ptr(t.struct(() => ICMPFields)), 'omitempty'),
  f('NotProtocol', 'notProtocol,omitempty', t.ptr(PROTOCOL), 'omitempty'),
  f('NotICMP', 'notICMP,omitempty', t.ptr(t.struct(() => ICMPFields)), 'omitempty'),
  f('Source', 'source,omitzero', t.struct(() => EntityRule), 'omitempty'),
  f('Destination', 'destination,omitzero', t.struct(() => EntityRule), 'omitempty'),
  f('HTTP', 'http,omitempty', t.ptr(t.struct(() => HTTPMatch)), 'omitempty'),
  f('Metadata', 'metadata,omitempty', t.ptr(t.struct(() => RuleMetadata)), 'omitempty'),
])

const RULES = t.slice(t.struct(() => Rule))

const tier = f('Tier', 'tier,omitempty', t.string(), 'omitempty,name')
const order = f('Order', 'order,omitempty', t.ptr(t.float()))
const ingress = f('Ingress', 'ingress,omitempty', RULES, 'omitempty,dive')
const egress = f('Egress', 'egress,omitempty', RULES, 'omitempty,dive')
const selector = f('Selector', 'selector,omitempty', t.string(), 'selector')
const types = f('Types', 'types,omitempty', t.slice(POLICY_TYPE), 'omitempty,dive,policyType')
const doNotTrack = f('DoNotTrack', 'doNotTrack,omitempty', t.bool())
const preDNAT = f('PreDNAT', 'preDNAT,omitempty', t.bool())
const applyOnForward = f('ApplyOnForward', 'applyOnForward,omitempty', t.bool())
const saSelector = f('ServiceAccountSelector', 'serviceAccountSelector,omitempty', t.string(), 'selector')
const nsSelector = f('NamespaceSelector', 'namespaceSelector,omitempty', t.string(), 'selector')
const hints = f(
  'PerformanceHints',
  'performanceHints,omitempty',
  t.slice(PERFORMANCE_HINT),
  'omitempty,unique,dive,oneof=AssumeNeededOnEveryNode',
)
const stagedAction = f('StagedAction', 'stagedAction,omitempty', STAGED_ACTION, 'omitempty,stagedAction')

export const GlobalNetworkPolicySpec: GoStruct = struct('v3', 'GlobalNetworkPolicySpec', [
  tier, order, ingress, egress, selector, types, doNotTrack, preDNAT, applyOnForward, saSelector, nsSelector, hints,
])

export const NetworkPolicySpec: GoStruct = struct('v3', 'NetworkPolicySpec', [
  tier, order, ingress, egress, selector, types, saSelector, hints,
])

export const StagedGlobalNetworkPolicySpec: GoStruct = struct('v3', 'StagedGlobalNetworkPolicySpec', [
  stagedAction, tier, order, ingress, egress, selector, types, doNotTrack, preDNAT, applyOnForward, saSelector,
  nsSelector, hints,
])

export const StagedNetworkPolicySpec: GoStruct = struct('v3', 'StagedNetworkPolicySpec', [
  stagedAction, tier, order, ingress, egress, selector, types, saSelector, hints,
])

// ---- networking.k8s.io/v1 rule types used by StagedKubernetesNetworkPolicy ----

export const IPBlock: GoStruct = struct('v1', 'IPBlock', [
  f('CIDR', 'cidr', t.string()),
  f('Except', 'except,omitempty', t.slice(t.string())),
])

export const NetworkPolicyPeer: GoStruct = struct('v1', 'NetworkPolicyPeer', [
  f('PodSelector', 'podSelector,omitempty', t.ptr(t.struct(() => LabelSelector))),
  f('NamespaceSelector', 'namespaceSelector,omitempty', t.ptr(t.struct(() => LabelSelector))),
  f('IPBlock', 'ipBlock,omitempty', t.ptr(t.struct(() => IPBlock))),
])

export const NetworkPolicyPort: GoStruct = struct('v1', 'NetworkPolicyPort', [
  f('Protocol', 'protocol,omitempty', t.ptr(t.string('v1.Protocol'))),
  f('Port', 'port,omitempty', t.ptr(INT_OR_STRING)),
  f('EndPort', 'endPort,omitempty', t.ptr(t.int('int32'))),
])

export const NetworkPolicyIngressRule: GoStruct = struct('v1', 'NetworkPolicyIngressRule', [
  f('Ports', 'ports,omitempty', t.slice(t.struct(() => NetworkPolicyPort))),
  f('From', 'from,omitempty', t.slice(t.struct(() => NetworkPolicyPeer))),
])

export const NetworkPolicyEgressRule: GoStruct = struct('v1', 'NetworkPolicyEgressRule', [
  f('Ports', 'ports,omitempty', t.slice(t.struct(() => NetworkPolicyPort))),
  f('To', 'to,omitempty', t.slice(t.struct(() => NetworkPolicyPeer))),
])

export const StagedKubernetesNetworkPolicySpec: GoStruct = struct('v3', 'StagedKubernetesNetworkPolicySpec', [
  stagedAction,
  f('PodSelector', 'podSelector', t.struct(() => LabelSelector)),
  f('Ingress', 'ingress,omitempty', t.slice(t.struct(() => NetworkPolicyIngressRule))),
  f('Egress', 'egress,omitempty', t.slice(t.struct(() => NetworkPolicyEgressRule))),
  f('PolicyTypes', 'policyTypes,omitempty', t.slice(t.string('v1.PolicyType'))),
])

export const TierSpec: GoStruct = struct('v3', 'TierSpec', [
  f('Order', 'order,omitempty', t.ptr(t.float())),
  f('DefaultAction', 'defaultAction,omitempty', t.ptr(ACTION), 'omitempty,oneof=Deny Pass'),
])

/** A struct with `omitempty` is still always marshalled, so a Tier prints `status: {}`. */
export const TierStatus: GoStruct = struct('v3', 'TierStatus', [
  f('Conditions', 'conditions,omitempty', t.slice(t.struct(() => Condition))),
])

export const ProfileSpec: GoStruct = struct('v3', 'ProfileSpec', [
  f('Ingress', 'ingress,omitempty', RULES, 'omitempty,dive'),
  f('Egress', 'egress,omitempty', RULES, 'omitempty,dive'),
  f('LabelsToApply', 'labelsToApply,omitempty', t.map(), 'omitempty,labels'),
])

export const GlobalNetworkPolicy = resourceStruct('v3', 'GlobalNetworkPolicy', GlobalNetworkPolicySpec)
export const NetworkPolicy = resourceStruct('v3', 'NetworkPolicy', NetworkPolicySpec)
export const StagedGlobalNetworkPolicy = resourceStruct('v3', 'StagedGlobalNetworkPolicy', StagedGlobalNetworkPolicySpec)
export const StagedNetworkPolicy = resourceStruct('v3', 'StagedNetworkPolicy', StagedNetworkPolicySpec)
export const StagedKubernetesNetworkPolicy = resourceStruct(
  'v3',
  'StagedKubernetesNetworkPolicy',
  StagedKubernetesNetworkPolicySpec,
)
export const Tier = resourceStruct('v3', 'Tier', TierSpec, f('Status', 'status,omitempty', t.struct(() => TierStatus)))
export const Profile = resourceStruct('v3', 'Profile', ProfileSpec)
