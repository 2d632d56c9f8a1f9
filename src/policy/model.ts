/**
 * PolicyModel: a snapshot of policy state compiled once (selectors parsed, rules compiled, tiers
 * sorted, endpoints indexed by IP), then asked about any number of flows. Building is O(state);
 * a flow costs the selectors of the policies it meets, with each endpoint's applicable tiers
 * computed once and cached. Pure and synchronous: no I/O, no clock.
 */
import type {
  GlobalNetworkPolicy,
  GlobalNetworkSet,
  HostEndpoint,
  NetworkPolicy,
  NetworkSet,
  Profile,
  Resource,
  Tier,
  WorkloadEndpoint,
} from '../api/index.js'
import {
  globalNetworkSetInfo,
  hostEndpointInfo,
  networkSetInfo,
  profileLabels,
  workloadEndpointInfo,
  type EndpointInfo,
  type NetworkSetInfo,
} from './endpoints.js'
import {evaluateDirection, type AppliedTier} from './evaluate.js'
import {inNet, parseAddr, type Addr} from './net.js'
import {compileGlobalNetworkPolicy, compileNetworkPolicy, sortTiers, type CompiledPolicy, type CompiledTier} from './policies.js'
import {hasPorts, icmpProtocol, protocolName, protocolToNumber} from './protocols.js'
import {compileRules, type CompiledRule, type Contributor, type Packet} from './rules.js'
import {
  PolicyInputError,
  type Direction,
  type DirectionTrace,
  type EvaluatorOptions,
  type Flow,
  type FlowPeer,
  type PeerSummary,
  type TraceResult,
} from './types.js'

/** Kinds that are read; every other kind (staged policies included: never enforced) is ignored. */
const READ_KINDS = new Set([
  'Tier',
  'GlobalNetworkPolicy',
  'NetworkPolicy',
  'Profile',
  'GlobalNetworkSet',
  'NetworkSet',
  'WorkloadEndpoint',
  'HostEndpoint',
])

interface ProfileRules {
  inbound: readonly CompiledRule[]
  outbound: readonly CompiledRule[]
}

interface Applicable {
  readonly ingress: readonly AppliedTier[]
  readonly egress: readonly AppliedTier[]
  /** doNotTrack / preDNAT policies selecting the endpoint: not on the modelled path. */
  readonly offPath: readonly CompiledPolicy[]
}

interface ResolvedPeer {
  readonly endpoint?: EndpointInfo
  readonly addr: Addr
  readonly extra?: Contributor
}

export class PolicyModel {
  private readonly tiers: readonly CompiledTier[]
  private readonly profiles = new Map<string, ProfileRules>()
  private readonly workloads = new Map<string, EndpointInfo>()
  private readonly hosts = new Map<string, EndpointInfo>()
  private readonly byIP = new Map<string, EndpointInfo[]>()
  private readonly networkSets: readonly NetworkSetInfo[]
  private readonly applicable = new Map<EndpointInfo, Applicable>()

  constructor(
    resources: Iterable<Resource>,
    private readonly options: EvaluatorOptions = {},
  ) {
    const lists = {
      Tier: [] as Tier[],
      GlobalNetworkPolicy: [] as GlobalNetworkPolicy[],
      NetworkPolicy: [] as NetworkPolicy[],
      Profile: [] as Profile[],
      GlobalNetworkSet: [] as GlobalNetworkSet[],
      NetworkSet: [] as NetworkSet[],
      WorkloadEndpoint: [] as WorkloadEndpoint[],
      HostEndpoint: [] as HostEndpoint[],
    }
    for (const res of resources) {
      if (READ_KINDS.has(res.kind)) (lists[res.kind as keyof typeof lists] as Resource[]).push(res)
    }
    const labels = profileLabels(lists.Profile)
    for (const p of lists.Profile) {
      this.profiles.set(p.metadata.name ?? '', {inbound: compileRules(p.spec?.ingress, ''), outbound: compileRules(p.spec?.egress, '')})
    }
    this.tiers = sortTiers(lists.Tier, [
      ...lists.GlobalNetworkPolicy.map(compileGlobalNetworkPolicy),
      ...lists.NetworkPolicy.map(compileNetworkPolicy),
    ])
    for (const wep of lists.WorkloadEndpoint) {
      const info = workloadEndpointInfo(wep, labels)
      this.workloads.set(`${info.namespace}/${info.name}`, info)
      this.indexIPs(info)
    }
    for (const hep of lists.HostEndpoint) {
      const info = hostEndpointInfo(hep, labels)
      this.hosts.set(info.name, info)
      this.indexIPs(info)
    }
    this.networkSets = [...lists.NetworkSet.map((s) => networkSetInfo(s, labels)), ...lists.GlobalNetworkSet.map(globalNetworkSetInfo)]
  }

  private indexIPs(info: EndpointInfo): void {
    for (const addr of info.addrs) {
      const list = this.byIP.get(addr.text)
      if (list) list.push(info)
      else this.byIP.set(addr.text, [info])
    }
  }

  /** The WorkloadEndpoint with this namespace and resource name, if any. */
  workloadEndpoint(namespace: string, name: string): EndpointInfo | undefined {
    return this.workloads.get(`${namespace}/${name}`)
  }

  /** The HostEndpoint with this name, if any. */
  hostEndpoint(name: string): EndpointInfo | undefined {
    return this.hosts.get(name)
  }

  /** Tiers (with every policy they hold) in enforcement order. */
  sortedTiers(): readonly CompiledTier[] {
    return this.tiers
  }

  /** Policies that apply to an endpoint, per direction, cached per endpoint. */
  private applicableTo(endpoint: EndpointInfo): Applicable {
    let cached = this.applicable.get(endpoint)
    if (cached) return cached
    const ingress: AppliedTier[] = []
    const egress: AppliedTier[] = []
    const offPath: CompiledPolicy[] = []
    for (const tier of this.tiers) {
      const inPolicies: CompiledPolicy[] = []
      const outPolicies: CompiledPolicy[] = []
      for (const policy of tier.policies) {
        if (!policy.selector.evaluate(endpoint.labels)) continue
        if (policy.doNotTrack || policy.preDNAT) {
          // Untracked and pre-DNAT policy is rendered for host endpoints only, outside the filter path.
          if (endpoint.kind === 'HostEndpoint') offPath.push(policy)
          continue
        }
        if (policy.ingress) inPolicies.push(policy)
        if (policy.egress) outPolicies.push(policy)
      }
      if (inPolicies.length > 0) ingress.push({tier, policies: inPolicies, names: inPolicies.map((p) => p.display)})
      if (outPolicies.length > 0) egress.push({tier, policies: outPolicies, names: outPolicies.map((p) => p.display)})
    }
    cached = {ingress, egress, offPath}
    this.applicable.set(endpoint, cached)
    return cached
  }

  private endpointOf(peer: FlowPeer, role: string): EndpointInfo | undefined {
    if (peer.kind === 'workload') {
      const ep = this.workloadEndpoint(peer.namespace, peer.name)
      if (!ep) throw new PolicyInputError(`${role}: WorkloadEndpoint ${peer.namespace}/${peer.name} not found`)
      return ep
    }
    if (peer.kind === 'host') {
      const ep = this.hostEndpoint(peer.name)
      if (!ep) throw new PolicyInputError(`${role}: HostEndpoint ${peer.name} not found`)
      return ep
    }
    return undefined
  }

  private explicitAddr(peer: FlowPeer, endpoint: EndpointInfo | undefined, role: string): Addr | undefined {
    if (peer.ip === undefined) return undefined
    const addr = parseAddr(peer.ip)
    if (!addr) throw new PolicyInputError(`${role}: invalid IP address: ${peer.ip}`)
    if (endpoint && !endpoint.addrs.some((a) => a.text === addr.text)) {
      throw new PolicyInputError(`${role}: ${addr.text} is not an address of ${endpoint.display}`)
    }
    return addr
  }

  /** Picks the two addresses: explicit ones, else the endpoints' first addresses of a shared version. */
  private resolvePeers(flow: Flow): [ResolvedPeer, ResolvedPeer] {
    const srcEp = this.endpointOf(flow.source, 'source')
    const dstEp = this.endpointOf(flow.destination, 'destination')
    let src = this.explicitAddr(flow.source, srcEp, 'source')
    let dst = this.explicitAddr(flow.destination, dstEp, 'destination')
    const versions = [src?.version, dst?.version].filter((v) => v !== undefined)
    const candidates = versions.length > 0 ? [versions[0]] : ([4, 6] as const)
    for (const version of candidates) {
      const s = src ?? srcEp?.addrs.find((a) => a.version === version)
      const d = dst ?? dstEp?.addrs.find((a) => a.version === version)
      if (s && d && s.version === d.version) {
        src = s
        dst = d
        break
      }
    }
    if (!src || !dst) {
      const missing = !src && srcEp && srcEp.addrs.length === 0 ? srcEp : !dst && dstEp && dstEp.addrs.length === 0 ? dstEp : undefined
      if (missing) throw new PolicyInputError(`${missing.display} has no IP address`)
      throw new PolicyInputError('source and destination have no addresses of the same IP version')
    }
    if (src.version !== dst.version) {
      throw new PolicyInputError(`source ${src.text} and destination ${dst.text} are of different IP versions`)
    }
    const extra = (peer: FlowPeer): Contributor | undefined => (peer.kind === 'ip' && peer.labels ? {labels: peer.labels, ports: []} : undefined)
    return [
      {endpoint: srcEp, addr: src, extra: extra(flow.source)},
      {endpoint: dstEp, addr: dst, extra: extra(flow.destination)},
    ]
  }

  /** Every endpoint and network set owning the address: who rule selectors can see there. */
  private ownersOf(peer: ResolvedPeer): {owners: Contributor[]; sets: string[]} {
    const owners: Contributor[] = [...(this.byIP.get(peer.addr.text) ?? [])]
    const sets: string[] = []
    for (const set of this.networkSets) {
      if (set.nets.some((net) => inNet(net, peer.addr))) {
        owners.push(set)
        sets.push(set.id)
      }
    }
    if (peer.extra) owners.push(peer.extra)
    return {owners, sets}
  }

  private checkFlow(flow: Flow, version: 4 | 6): number {
    const protocol = protocolToNumber(flow.protocol)
    if (protocol === undefined) throw new PolicyInputError(`invalid protocol: ${flow.protocol}`)
    const port = (value: number | undefined, what: string): void => {
      if (value === undefined) return
      if (!hasPorts(protocol)) throw new PolicyInputError(`a ${what} port needs protocol TCP, UDP or SCTP, not ${protocolName(protocol)}`)
      if (!Number.isInteger(value) || value < 0 || value > 65535) throw new PolicyInputError(`invalid ${what} port: ${value}`)
    }
    port(flow.dstPort, 'destination')
    port(flow.srcPort, 'source')
    if (flow.icmp) {
      if (protocol !== icmpProtocol(version)) {
        throw new PolicyInputError(`an ICMP type needs protocol ${version === 4 ? 'ICMP' : 'ICMPv6'} for IPv${version}, not ${protocolName(protocol)}`)
      }
      const bad = (v: number | undefined) => v !== undefined && (!Number.isInteger(v) || v < 0 || v > 255)
      if (bad(flow.icmp.type)) throw new PolicyInputError(`invalid ICMP type: ${flow.icmp.type}`)
      if (bad(flow.icmp.code)) throw new PolicyInputError(`invalid ICMP code: ${flow.icmp.code}`)
    }
    return protocol
  }

  /**
   * Traces one flow: egress of the source if it is an endpoint, ingress of the destination if it
   * is one; the verdict is Allow only if every evaluated direction allows.
   * @throws PolicyInputError for an unknown endpoint, a bad address, protocol, port or ICMP type.
   */
  evaluate(flow: Flow): TraceResult {
    const [src, dst] = this.resolvePeers(flow)
    const version = src.addr.version
    const protocol = this.checkFlow(flow, version)
    const srcOwners = this.ownersOf(src)
    const dstOwners = this.ownersOf(dst)
    const packet: Packet = {
      version,
      protocol,
      src: src.addr,
      dst: dst.addr,
      srcPort: flow.srcPort,
      dstPort: flow.dstPort,
      icmp: flow.icmp,
      srcOwners: srcOwners.owners,
      dstOwners: dstOwners.owners,
      assumptions: new Set(),
    }
    const notes: string[] = []
    const directions: DirectionTrace[] = []
    const run = (endpoint: EndpointInfo, direction: Direction): void => {
      const applicable = this.applicableTo(endpoint)
      for (const p of applicable.offPath) {
        notes.push(`${p.display} (${p.doNotTrack ? 'doNotTrack' : 'preDNAT'}) selects ${endpoint.display}; untracked and pre-DNAT policy run before this path and are not modelled`)
      }
      directions.push(
        evaluateDirection(
          {endpoint, direction, tiers: applicable[direction], profileRules: (name) => this.profiles.get(name), options: this.options},
          packet,
        ),
      )
    }
    if (src.endpoint) run(src.endpoint, 'egress')
    if (dst.endpoint) run(dst.endpoint, 'ingress')
    notes.push(...hostNotes(src.endpoint, dst.endpoint))
    if (directions.length === 0) notes.push('neither end is a Calico endpoint: no Calico policy applies to this flow')
    notes.push(...packet.assumptions)
    return {
      verdict: directions.every((d) => d.verdict === 'Allow') ? 'Allow' : 'Deny',
      flow: {
        ipVersion: version,
        protocol,
        protocolName: protocolName(protocol),
        srcIP: src.addr.text,
        dstIP: dst.addr.text,
        ...(flow.srcPort !== undefined ? {srcPort: flow.srcPort} : {}),
        ...(flow.dstPort !== undefined ? {dstPort: flow.dstPort} : {}),
        ...(flow.icmp ? {icmp: flow.icmp} : {}),
      },
      source: summary(src, srcOwners.sets),
      destination: summary(dst, dstOwners.sets),
      directions,
      notes: [...new Set(notes)],
    }
  }
}

function summary(peer: ResolvedPeer, sets: string[]): PeerSummary {
  const ep = peer.endpoint
  if (!ep) return {kind: 'IP', ip: peer.addr.text, labels: peer.extra?.labels ?? {}, networkSets: sets}
  return {
    kind: ep.kind,
    name: ep.name,
    ...(ep.namespace !== undefined ? {namespace: ep.namespace} : {}),
    ip: peer.addr.text,
    labels: ep.labels,
    networkSets: sets,
  }
}

/** What the trace does not model when a host endpoint is involved. */
function hostNotes(src: EndpointInfo | undefined, dst: EndpointInfo | undefined): string[] {
  const notes: string[] = []
  const isHost = (e: EndpointInfo | undefined) => e?.kind === 'HostEndpoint'
  const isWorkload = (e: EndpointInfo | undefined) => e?.kind === 'WorkloadEndpoint'
  if (isHost(src) || isHost(dst)) {
    notes.push('host endpoints: modelled as traffic to or from the host itself (normal policy, filter INPUT/OUTPUT); forwarded traffic (applyOnForward policy) and which interface a packet really crosses are not modelled')
  }
  if (isWorkload(src) && isHost(dst)) {
    notes.push('workload to host: FelixConfiguration defaultEndpointToHostAction (Drop by default) also applies after the workload egress policy; only with Return does host endpoint policy decide, as modelled here')
  }
  return notes
}
