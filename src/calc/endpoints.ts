/**
 * Decoding of the label-carrying resources (WorkloadEndpoint, HostEndpoint, NetworkSet,
 * GlobalNetworkSet) into what the graph's nodes need, as libcalico-go's update processors
 * (workloadendpointprocessor.go, hostendpointprocessor.go, networksetprocessor.go) prepare them for
 * Felix: label sources for inheritance, addresses for ipset members and, for this node's
 * endpoints, the endpoint as the dataplane will receive it.
 *
 * Label rules (who wins, highest first):
 * 1. `projectcalico.org/namespace` = the namespace and `projectcalico.org/serviceaccount` = the
 *    service account (a workload cannot claim another namespace or account);
 * 2. the resource's own labels, minus any `pcns.`/`pcsa.` ones (same reason);
 * 3. labelsToApply of its profiles, first profile first (in Kubernetes `kns.<ns>` carries
 *    `pcns.<namespace label>` and `ksa.<ns>.<sa>` carries `pcsa.<account label>`);
 * 4. defaults: `pcns.projectcalico.org/name` and `pcsa.projectcalico.org/name` from the endpoint's
 *    namespace and service account, so namespace/service-account selectors by name also work
 *    without the Kubernetes profiles (etcd mode).
 */
import {parseCIDROrIP, ipString, netString, type HostEndpoint, type NetworkSet, type GlobalNetworkSet, type WorkloadEndpoint, type Resource} from '../api/index.js'
import {
  LABEL_NAMESPACE,
  LABEL_SERVICE_ACCOUNT,
  NAMESPACE_LABEL_PREFIX,
  NAMESPACE_NAME_LABEL,
  SERVICE_ACCOUNT_LABEL_PREFIX,
  SERVICE_ACCOUNT_NAME_LABEL,
  type LabelRecord,
} from '../selector/index.js'
import type {HostEndpointId, NatInfo, WorkloadEndpointId} from './messages.js'

/** Profile name prefix of Kubernetes namespace profiles (conversion.NamespaceProfileNamePrefix). */
export const NAMESPACE_PROFILE_PREFIX = 'kns.'

export type PortProtocol = 'tcp' | 'udp' | 'sctp'

export interface NamedPort {
  readonly name: string
  readonly protocol: PortProtocol
  readonly port: number
}

/** Where an item's effective labels come from; see the precedence rules above. */
export interface LabelSource {
  readonly own: LabelRecord
  readonly parents: readonly string[]
  readonly defaults: LabelRecord
}

/** What an item contributes to ipsets. */
export interface Addresses {
  /** CIDRs for selector ('net') sets, network form (`10.0.0.1/32`). */
  readonly cidrs: readonly string[]
  /** Bare addresses for named-port sets (endpoints only). */
  readonly ips: readonly string[]
  readonly ports: readonly NamedPort[]
}

export interface LocalWorkload {
  readonly kind: 'workload'
  readonly id: WorkloadEndpointId
  readonly name: string
  readonly mac: string
  readonly profileIds: readonly string[]
  readonly ipv4Nets: readonly string[]
  readonly ipv6Nets: readonly string[]
  readonly ipv4Nat: readonly NatInfo[]
  readonly ipv6Nat: readonly NatInfo[]
  readonly allowSpoofedSourcePrefixes: readonly string[]
}

export interface LocalHost {
  readonly kind: 'host'
  readonly id: HostEndpointId
  readonly name: string
  readonly profileIds: readonly string[]
  readonly expectedIpv4Addrs: readonly string[]
  readonly expectedIpv6Addrs: readonly string[]
}

export type LocalEndpoint = LocalWorkload | LocalHost

/** A decoded endpoint or network set. `local` is set for this node's endpoints. */
export interface Item {
  readonly labels: LabelSource
  readonly addresses: Addresses
  readonly local: LocalEndpoint | undefined
}

const NO_LABELS: LabelRecord = Object.freeze({})

/** Own labels without the prefixes only inheritance may set. */
function ownLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!labels) return out
  for (const key in labels) {
    if (key.startsWith(NAMESPACE_LABEL_PREFIX) || key.startsWith(SERVICE_ACCOUNT_LABEL_PREFIX)) continue
    out[key] = labels[key]
  }
  return out
}

function protocolOf(protocol: number | string | undefined): PortProtocol {
  if (protocol === 17 || (typeof protocol === 'string' && protocol.toLowerCase() === 'udp')) return 'udp'
  if (protocol === 132 || (typeof protocol === 'string' && protocol.toLowerCase() === 'sctp')) return 'sctp'
  return 'tcp'
}

function namedPorts(ports: readonly {name?: string; protocol?: number | string; port?: number}[] | undefined): NamedPort[] {
  const out: NamedPort[] = []
  for (const p of ports ?? []) {
    if (!p.name || p.port === undefined) continue
    out.push({name: p.name, protocol: protocolOf(p.protocol), port: p.port})
  }
  return out
}

interface ParsedNet {
  readonly cidr: string
  readonly ip: string
  readonly version: 4 | 6
}

/** A CIDR or bare IP in network form; throws on garbage (the graph treats the resource as absent). */
function parseNet(text: string): ParsedNet {
  const {ip, net} = parseCIDROrIP(text)
  return {cidr: netString(net), ip: ipString(ip), version: net.bits === 32 ? 4 : 6}
}

/** workloadendpointprocessor.go; undefined when Calico would filter it out (no IP networks yet). */
export function decodeWorkloadEndpoint(res: WorkloadEndpoint, nodeName: string): Item | undefined {
  const spec = res.spec ?? {}
  const networks = spec.ipNetworks ?? []
  if (networks.length === 0) return undefined
  const namespace = res.metadata.namespace ?? ''
  const serviceAccount = spec.serviceAccountName ?? ''

  const own = ownLabels(res.metadata.labels)
  own[LABEL_NAMESPACE] = namespace
  if (serviceAccount !== '') own[LABEL_SERVICE_ACCOUNT] = serviceAccount
  const defaults: Record<string, string> = {[NAMESPACE_NAME_LABEL]: namespace}
  if (serviceAccount !== '') defaults[SERVICE_ACCOUNT_NAME_LABEL] = serviceAccount

  const nets = networks.map(parseNet)
  const addresses: Addresses = {cidrs: nets.map((n) => n.cidr), ips: nets.map((n) => n.ip), ports: namedPorts(spec.ports)}
  const profileIds = spec.profiles ?? []
  let local: LocalWorkload | undefined
  if (spec.node === nodeName) {
    const nats = (spec.ipNATs ?? []).map((nat) => ({intIp: parseNet(nat.internalIP ?? '').ip, extIp: parseNet(nat.externalIP ?? '').ip}))
    local = {
      kind: 'workload',
      id: {
        orchestratorId: spec.orchestrator ?? '',
        workloadId: `${namespace}/${spec.pod || spec.workload || ''}`,
        endpointId: spec.endpoint ?? '',
      },
      name: spec.interfaceName ?? '',
      mac: spec.mac ?? '',
      profileIds,
      ipv4Nets: nets.filter((n) => n.version === 4).map((n) => n.cidr),
      ipv6Nets: nets.filter((n) => n.version === 6).map((n) => n.cidr),
      ipv4Nat: nats.filter((n) => !n.intIp.includes(':')),
      ipv6Nat: nats.filter((n) => n.intIp.includes(':')),
      allowSpoofedSourcePrefixes: (spec.allowSpoofedSourcePrefixes ?? []).map((p) => parseNet(p).cidr),
    }
  }
  return {labels: {own, parents: profileIds, defaults}, addresses, local}
}

/** hostendpointprocessor.go: expected IPs become /32 (/128) members; no namespace. */
export function decodeHostEndpoint(res: HostEndpoint, nodeName: string): Item {
  const spec = res.spec ?? {}
  const nets = (spec.expectedIPs ?? []).map(parseNet)
  const profileIds = spec.profiles ?? []
  const addresses: Addresses = {cidrs: nets.map((n) => n.cidr), ips: nets.map((n) => n.ip), ports: namedPorts(spec.ports)}
  const local: LocalHost | undefined =
    spec.node === nodeName
      ? {
          kind: 'host',
          id: {endpointId: res.metadata.name ?? ''},
          name: spec.interfaceName ?? '',
          profileIds,
          expectedIpv4Addrs: nets.filter((n) => n.version === 4).map((n) => n.ip),
          expectedIpv6Addrs: nets.filter((n) => n.version === 6).map((n) => n.ip),
        }
      : undefined
  return {labels: {own: ownLabels(res.metadata.labels), parents: profileIds, defaults: NO_LABELS}, addresses, local}
}

/** networksetprocessor.go: namespace label, the namespace profile as parent, bad CIDRs skipped. */
export function decodeNetworkSet(res: NetworkSet | GlobalNetworkSet): Item {
  const namespace = res.kind === 'NetworkSet' ? (res.metadata.namespace ?? '') : ''
  const cidrs: string[] = []
  for (const text of res.spec?.nets ?? []) {
    try {
      cidrs.push(parseNet(text).cidr)
    } catch {
      // Go logs and skips an invalid CIDR.
    }
  }
  const own = ownLabels(res.metadata.labels)
  if (namespace !== '') own[LABEL_NAMESPACE] = namespace
  return {
    labels: {
      own,
      parents: namespace !== '' ? [NAMESPACE_PROFILE_PREFIX + namespace] : [],
      defaults: namespace !== '' ? {[NAMESPACE_NAME_LABEL]: namespace} : NO_LABELS,
    },
    addresses: {cidrs, ips: [], ports: []},
    local: undefined,
  }
}

/** Decodes any label-carrying resource; undefined for absent, filtered or other kinds. */
export function decodeItem(res: Resource, nodeName: string): Item | undefined {
  switch (res.kind) {
    case 'WorkloadEndpoint':
      return decodeWorkloadEndpoint(res as WorkloadEndpoint, nodeName)
    case 'HostEndpoint':
      return decodeHostEndpoint(res as HostEndpoint, nodeName)
    case 'NetworkSet':
    case 'GlobalNetworkSet':
      return decodeNetworkSet(res as NetworkSet | GlobalNetworkSet)
    default:
      return undefined
  }
}
