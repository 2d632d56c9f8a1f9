/**
 * The calc → dataplane contract: every message the calculation graph emits, modelled on Felix's
 * protocol (felix/proto/felixbackend.proto). The dataplane imports this file and nothing else from
 * src/calc.
 *
 * Guarantees the graph gives (see src/calc/DESIGN.md and event-sequencer.ts):
 * - Nothing is emitted before the datastore's first full snapshot is in. The first non-empty batch
 *   carries the whole desired state and ends with `InSync`; `InSync` is sent exactly once.
 * - Within one flush, messages come in dependency order: ConfigUpdate, IPSetUpdate (new sets, full
 *   members), IPSetDeltaUpdate, ActivePolicyUpdate, ActiveProfileUpdate, Workload/HostEndpointUpdate,
 *   then removals in reverse: endpoint removes, profile removes, policy removes, IPSetRemove, then
 *   IP pool removes and updates, and last routes and InSync. So an ipset exists before a policy names it, a policy/profile before an
 *   endpoint names it, and nothing is removed while still referenced.
 * - At most one message per object per flush (per-key coalescing); an `…Update` replaces the whole
 *   object; a `…Remove` is only sent for an object that was sent before.
 * - Only objects that matter to this node are sent: policies whose selector matches a local
 *   endpoint, profiles a local endpoint names, ipsets a sent policy or profile references.
 */

/** proto.IPSetUpdate_IPSetType: selector sets hold CIDRs ('net'); named-port sets `ip,proto:port`. */
export type IPSetType = 'ip' | 'ip-and-port' | 'net'

/** A new ipset (or a full replacement), with all its members. */
export interface IPSetUpdate {
  readonly type: 'IPSetUpdate'
  /** Felix's id: `s:<hash>` for a selector, `n:<hash>` for a named port (prefix `cali40` added by the dataplane). */
  readonly id: string
  readonly ipsetType: IPSetType
  /** `10.0.0.1/32`, `fd00::/64` for 'net' sets; `10.0.0.1,tcp:8080` for 'ip-and-port' sets. */
  readonly members: readonly string[]
}

/** Incremental change of a set that was sent before. Added members were absent; removed ones present. */
export interface IPSetDeltaUpdate {
  readonly type: 'IPSetDeltaUpdate'
  readonly id: string
  readonly addedMembers: readonly string[]
  readonly removedMembers: readonly string[]
}

export interface IPSetRemove {
  readonly type: 'IPSetRemove'
  readonly id: string
}

/** The enforced policy kinds (staged kinds are never sent). */
export type PolicyKind = 'NetworkPolicy' | 'GlobalNetworkPolicy'

/** proto.PolicyID. `namespace` is '' for global policies. */
export interface PolicyId {
  readonly kind: PolicyKind
  readonly namespace: string
  readonly name: string
}

/** proto.PortRange (inclusive). */
export interface PortRange {
  readonly first: number
  readonly last: number
}

export interface ICMPMatch {
  readonly type: number
  readonly code?: number
}

/** Felix's rule actions ("Pass" is spelled next-tier, as in Felix's data model). */
export type RuleAction = 'allow' | 'deny' | 'next-tier' | 'log'

/**
 * proto.Rule: a rule with its selectors already turned into ipset ids. A match field that is empty
 * (or absent) does not constrain. All the lists of one field are ORed; the fields are ANDed; the
 * `not…` fields must all fail to match.
 */
export interface Rule {
  readonly action: RuleAction
  /** 4 or 6 from the rule, or implied by an ICMP/ICMPv6 protocol. */
  readonly ipVersion?: 4 | 6
  /** A number (0–255) or a name such as 'TCP', as written in the resource. */
  readonly protocol?: number | string
  readonly notProtocol?: number | string
  readonly srcNets: readonly string[]
  readonly srcPorts: readonly PortRange[]
  readonly srcNamedPortIpSetIds: readonly string[]
  readonly srcIpSetIds: readonly string[]
  readonly dstNets: readonly string[]
  readonly dstPorts: readonly PortRange[]
  readonly dstNamedPortIpSetIds: readonly string[]
  readonly dstIpSetIds: readonly string[]
  readonly icmp?: ICMPMatch
  readonly notSrcNets: readonly string[]
  readonly notSrcPorts: readonly PortRange[]
  readonly notSrcNamedPortIpSetIds: readonly string[]
  readonly notSrcIpSetIds: readonly string[]
  readonly notDstNets: readonly string[]
  readonly notDstPorts: readonly PortRange[]
  readonly notDstNamedPortIpSetIds: readonly string[]
  readonly notDstIpSetIds: readonly string[]
  readonly notIcmp?: ICMPMatch
  /** Selectors as the datastore gave them (after Calico's namespace/service-account folding). */
  readonly originalSrcSelector: string
  readonly originalDstSelector: string
  readonly originalNotSrcSelector: string
  readonly originalNotDstSelector: string
  readonly httpMatch?: {readonly methods: readonly string[]; readonly paths: readonly {readonly exact?: string; readonly prefix?: string}[]}
  readonly annotations?: Readonly<Record<string, string>>
}

/** proto.Policy. */
export interface Policy {
  readonly tier: string
  /** The NetworkPolicy's namespace; '' for global policies. */
  readonly namespace: string
  readonly inboundRules: readonly Rule[]
  readonly outboundRules: readonly Rule[]
  /** doNotTrack. */
  readonly untracked: boolean
  readonly preDnat: boolean
  readonly applyOnForward: boolean
  /** The policy's effective endpoint selector, canonical text. */
  readonly originalSelector: string
  readonly perfHints: readonly string[]
}

export interface ActivePolicyUpdate {
  readonly type: 'ActivePolicyUpdate'
  readonly id: PolicyId
  readonly policy: Policy
}

export interface ActivePolicyRemove {
  readonly type: 'ActivePolicyRemove'
  readonly id: PolicyId
}

/** proto.Profile. A profile a local endpoint names but the datastore lacks is one deny rule each way. */
export interface Profile {
  readonly inboundRules: readonly Rule[]
  readonly outboundRules: readonly Rule[]
}

export interface ActiveProfileUpdate {
  readonly type: 'ActiveProfileUpdate'
  /** The profile's name (e.g. `kns.default`). */
  readonly id: string
  readonly profile: Profile
}

export interface ActiveProfileRemove {
  readonly type: 'ActiveProfileRemove'
  readonly id: string
}

/** proto.TierInfo: one tier's policies that apply to an endpoint, in evaluation order. */
export interface TierInfo {
  readonly name: string
  readonly ingressPolicies: readonly PolicyId[]
  readonly egressPolicies: readonly PolicyId[]
  /** End-of-tier action: 'Deny' (drop) or 'Pass' (fall through to the next tier / profiles). */
  readonly defaultAction: 'Deny' | 'Pass'
}

/** proto.WorkloadEndpointID. workloadId is `<namespace>/<workload or pod>`. */
export interface WorkloadEndpointId {
  readonly orchestratorId: string
  readonly workloadId: string
  readonly endpointId: string
}

export interface NatInfo {
  readonly extIp: string
  readonly intIp: string
}

/** proto.WorkloadEndpoint (the fields this implementation fills in). */
export interface WorkloadEndpoint {
  readonly state: 'active'
  /** Host-side interface name (e.g. cali1234…). */
  readonly name: string
  readonly mac: string
  readonly profileIds: readonly string[]
  readonly ipv4Nets: readonly string[]
  readonly ipv6Nets: readonly string[]
  /** Tiers with ≥1 policy for this endpoint, in order. */
  readonly tiers: readonly TierInfo[]
  readonly ipv4Nat: readonly NatInfo[]
  readonly ipv6Nat: readonly NatInfo[]
  readonly allowSpoofedSourcePrefixes: readonly string[]
}

export interface WorkloadEndpointUpdate {
  readonly type: 'WorkloadEndpointUpdate'
  readonly id: WorkloadEndpointId
  readonly endpoint: WorkloadEndpoint
}

export interface WorkloadEndpointRemove {
  readonly type: 'WorkloadEndpointRemove'
  readonly id: WorkloadEndpointId
}

/** proto.HostEndpointID: the HostEndpoint resource's name. */
export interface HostEndpointId {
  readonly endpointId: string
}

/**
 * proto.HostEndpoint. Each policy goes in exactly one of: untrackedTiers (doNotTrack), preDnatTiers
 * (preDNAT; ingress only), or tiers (normal) — and normal applyOnForward policies also in
 * forwardTiers. Untracked and preDNAT tiers always end in 'Pass'.
 */
export interface HostEndpoint {
  /** Interface name; '*' for an all-interfaces host endpoint, '' to match by expected IPs. */
  readonly name: string
  readonly profileIds: readonly string[]
  readonly tiers: readonly TierInfo[]
  readonly untrackedTiers: readonly TierInfo[]
  readonly preDnatTiers: readonly TierInfo[]
  readonly forwardTiers: readonly TierInfo[]
  readonly expectedIpv4Addrs: readonly string[]
  readonly expectedIpv6Addrs: readonly string[]
}

export interface HostEndpointUpdate {
  readonly type: 'HostEndpointUpdate'
  readonly id: HostEndpointId
  readonly endpoint: HostEndpoint
}

export interface HostEndpointRemove {
  readonly type: 'HostEndpointRemove'
  readonly id: HostEndpointId
}

/**
 * The resolved FelixConfiguration for this node: `node.<name>` over `default`, keyed by Felix's
 * config names (Go field names), values as Felix's config processor stringifies them (durations in
 * seconds, lists comma-separated). Always sent once before InSync; after that, on every change.
 */
export interface ConfigUpdate {
  readonly type: 'ConfigUpdate'
  readonly config: Readonly<Record<string, string>>
}

/** proto.IPAMPool: what the dataplane needs of an IPPool (NAT outgoing, encapsulation). */
export interface IPAMPool {
  readonly cidr: string
  /** spec.natOutgoing. */
  readonly masquerade: boolean
  /** spec.disabled: no new allocations, but still a Calico pool (e.g. excluded from NAT outgoing). */
  readonly disabled: boolean
  /** spec.ipipMode / spec.vxlanMode as written ('Never' when unset). */
  readonly ipipMode: string
  readonly vxlanMode: string
}

/** A pool was created or changed. `id` is Felix's: the CIDR with '/' replaced by '-'. */
export interface IPAMPoolUpdate {
  readonly type: 'IPAMPoolUpdate'
  readonly id: string
  readonly pool: IPAMPool
}

export interface IPAMPoolRemove {
  readonly type: 'IPAMPoolRemove'
  readonly id: string
}

/** Placeholder for the route resolver (later work); never emitted yet. */
export interface RouteUpdate {
  readonly type: 'RouteUpdate'
  readonly dst: string
  readonly dstNodeName: string
  readonly localWorkload: boolean
}

export interface RouteRemove {
  readonly type: 'RouteRemove'
  readonly dst: string
}

/** The datastore's first full snapshot has been delivered; the dataplane may now touch the kernel. */
export interface InSync {
  readonly type: 'InSync'
}

export type CalcMessage =
  | ConfigUpdate
  | IPSetUpdate
  | IPSetDeltaUpdate
  | IPSetRemove
  | ActivePolicyUpdate
  | ActivePolicyRemove
  | ActiveProfileUpdate
  | ActiveProfileRemove
  | WorkloadEndpointUpdate
  | WorkloadEndpointRemove
  | HostEndpointUpdate
  | HostEndpointRemove
  | IPAMPoolUpdate
  | IPAMPoolRemove
  | RouteUpdate
  | RouteRemove
  | InSync

/** Felix's PolicyID.ID(): `<short kind>/[<namespace>/]<name>` (np, gnp), used in chain names. */
export function policyIdString(id: PolicyId): string {
  const short = id.kind === 'NetworkPolicy' ? 'np' : 'gnp'
  return id.namespace !== '' ? `${short}/${id.namespace}/${id.name}` : `${short}/${id.name}`
}

/** Felix's IP pool id: the CIDR with '/' replaced by '-' (`10.65.0.0-16`). */
export const ipPoolId = (cidr: string): string => cidr.replace('/', '-')

/** A stable string for a workload endpoint id (map keys). */
export function workloadEndpointIdString(id: WorkloadEndpointId): string {
  return `${id.orchestratorId}/${id.workloadId}/${id.endpointId}`
}
