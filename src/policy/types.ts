/**
 * Public shapes of the policy evaluator: the flow it is asked about, the options that stand for
 * Felix configuration, and the trace it answers with. JSON-friendly throughout (the CLI prints a
 * TraceResult as-is with `-o json`).
 */
import type {LabelRecord} from '../selector/index.js'

/** Where a packet comes from or goes to. */
export type FlowPeer =
  /** A WorkloadEndpoint in the model, by namespace and resource name; `ip` picks one of its IPs. */
  | {readonly kind: 'workload'; readonly namespace: string; readonly name: string; readonly ip?: string}
  /** A HostEndpoint in the model, by resource name; `ip` picks one of its expectedIPs. */
  | {readonly kind: 'host'; readonly name: string; readonly ip?: string}
  /**
   * An address that is not a Calico endpoint (a remote pod, a VM, the internet). NetworkSets whose
   * nets contain it, and endpoints owning it, count for rule selectors automatically; `labels`
   * adds one more labelled owner (e.g. a pod of another cluster).
   */
  | {readonly kind: 'ip'; readonly ip: string; readonly labels?: LabelRecord}

/** One new connection's first packet, as policy sees it. */
export interface Flow {
  readonly source: FlowPeer
  readonly destination: FlowPeer
  /** A Calico protocol name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite; any case) or number 0–255. */
  readonly protocol: string | number
  /** Destination port (TCP, UDP, SCTP). Unknown: rules with destination ports do not match. */
  readonly dstPort?: number
  /** Source port. Unknown: rules with source ports do not match, source notPorts do. */
  readonly srcPort?: number
  /** ICMP type and optional code (ICMP, ICMPv6). */
  readonly icmp?: {readonly type: number; readonly code?: number}
}

/** A failsafe entry (FelixConfiguration failsafeIn/OutboundHostPorts). */
export interface FailsafePort {
  readonly protocol: string
  readonly port: number
  /** Optional CIDR: the peer (source inbound, destination outbound) must be inside it. */
  readonly net?: string
}

/** Felix settings that change the verdict; every field defaults to Felix's own default. */
export interface EvaluatorOptions {
  /** FailsafeInboundHostPorts (default tcp:22, udp:68, tcp:179, tcp:2379, tcp:2380, tcp:5473, tcp:6443, tcp:6666, tcp:6667). */
  readonly failsafeInbound?: readonly FailsafePort[]
  /** FailsafeOutboundHostPorts (default udp:53, udp:67, tcp:179, tcp:2379, tcp:2380, tcp:5473, tcp:6443, tcp:6666, tcp:6667). */
  readonly failsafeOutbound?: readonly FailsafePort[]
  /** AllowVXLANPacketsFromWorkloads (default false). */
  readonly allowVXLANPacketsFromWorkloads?: boolean
  /** AllowIPIPPacketsFromWorkloads (default false). */
  readonly allowIPIPPacketsFromWorkloads?: boolean
  /** VXLANPort (default 4789). */
  readonly vxlanPort?: number
  /**
   * What a Pass rule does inside a profile. The iptables and nftables dataplanes end that
   * profile and go on to the next one ('next-profile', the default); the eBPF dataplane treats
   * it as Deny ('deny').
   */
  readonly profilePass?: 'next-profile' | 'deny'
}

export type Verdict = 'Allow' | 'Deny'
export type RuleAction = 'Allow' | 'Deny' | 'Pass' | 'Log'
export type Direction = 'ingress' | 'egress'

/** A policy as named in a trace. */
export interface PolicyRef {
  readonly kind: 'GlobalNetworkPolicy' | 'NetworkPolicy'
  readonly name: string
  readonly namespace?: string
}

/**
 * One step on the decision path of one endpoint direction, in evaluation order. The last step
 * is the one that decided (`DirectionTrace.decision`).
 */
export type TraceStep =
  /** A failsafe port allowed the packet before any policy (host endpoints only). */
  | {readonly step: 'failsafe'; readonly verdict: 'Allow'; readonly entry: string}
  /** VXLAN or IP-in-IP from a workload, dropped before policy. */
  | {readonly step: 'encap-drop'; readonly verdict: 'Deny'; readonly encap: 'VXLAN' | 'IPIP'}
  /** Entering a tier that has at least one policy for this endpoint and direction. */
  | {readonly step: 'tier'; readonly tier: string; readonly order: number | null; readonly defaultAction: 'Deny' | 'Pass'; readonly policies: readonly string[]}
  /** A policy rule matched. Allow/Deny decide; Pass leaves the tier; Log continues. */
  | {
      readonly step: 'rule'
      readonly tier: string
      readonly policy: PolicyRef
      readonly ruleIndex: number
      readonly action: RuleAction
      readonly verdict?: Verdict
      readonly notes?: readonly string[]
    }
  /** No rule of the policy matched; evaluation goes on with the next policy in the tier. */
  | {readonly step: 'no-match'; readonly tier: string; readonly policy: PolicyRef; readonly notes?: readonly string[]}
  /** No policy in the tier allowed, denied or passed: the tier's default action applies. */
  | {readonly step: 'end-of-tier'; readonly tier: string; readonly action: 'Deny' | 'Pass'; readonly verdict?: 'Deny'}
  /** A profile rule matched (Pass ends the profile, or denies — see EvaluatorOptions.profilePass). */
  | {
      readonly step: 'profile-rule'
      readonly profile: string
      readonly ruleIndex: number
      readonly action: RuleAction
      readonly verdict?: Verdict
      readonly notes?: readonly string[]
    }
  /** No rule of the profile matched. */
  | {readonly step: 'profile-no-match'; readonly profile: string; readonly notes?: readonly string[]}
  /** The endpoint names a profile that does not exist: Felix fails closed with a deny-all profile. */
  | {readonly step: 'missing-profile'; readonly profile: string; readonly verdict: 'Deny'}
  /** Nothing allowed the packet: no tier decided and no profile allowed (or there are no profiles). */
  | {readonly step: 'default-deny'; readonly verdict: 'Deny'; readonly reason: 'no-profiles' | 'no-profile-matched'}

/** Policy evaluation for one endpoint in one direction. */
export interface DirectionTrace {
  /** `WorkloadEndpoint shop/node1-k8s-frontend-eth0` or `HostEndpoint node1-eth0`. */
  readonly endpoint: string
  readonly direction: Direction
  readonly verdict: Verdict
  readonly steps: readonly TraceStep[]
  /** The step that decided (the last of `steps`). */
  readonly decision: TraceStep
}

/** A flow peer as resolved by the model. */
export interface PeerSummary {
  readonly kind: 'WorkloadEndpoint' | 'HostEndpoint' | 'IP'
  readonly name?: string
  readonly namespace?: string
  readonly ip: string
  /** Effective labels (own labels over inherited profile labels) of an endpoint; given labels of an IP. */
  readonly labels: Readonly<Record<string, string>>
  /** NetworkSets and GlobalNetworkSets whose nets contain the IP (`ns/name` or `name`). */
  readonly networkSets: readonly string[]
}

export interface TraceResult {
  readonly verdict: Verdict
  readonly flow: {
    readonly ipVersion: 4 | 6
    readonly protocol: number
    readonly protocolName: string
    readonly srcIP: string
    readonly dstIP: string
    readonly srcPort?: number
    readonly dstPort?: number
    readonly icmp?: {readonly type: number; readonly code?: number}
  }
  readonly source: PeerSummary
  readonly destination: PeerSummary
  /** Egress of the source endpoint, then ingress of the destination endpoint (each if an endpoint). */
  readonly directions: readonly DirectionTrace[]
  /** What the trace did not model for this flow (out-of-scope policy kinds, host paths, …). */
  readonly notes: readonly string[]
}

/** Bad input to the evaluator: an unknown endpoint, a bad address or protocol. One line. */
export class PolicyInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PolicyInputError'
  }
}
