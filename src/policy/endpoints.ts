/**
 * Endpoints and network sets as Felix's calc graph sees them after libcalico-go's update
 * processors (workloadendpointprocessor.go, hostendpointprocessor.go, networksetprocessor.go):
 *
 * - a WorkloadEndpoint's own labels lose any `pcns.`/`pcsa.` keys (a workload cannot claim another
 *   namespace's labels), gain `projectcalico.org/namespace` and `projectcalico.org/orchestrator`
 *   (clientv3 stores them on every write) and `projectcalico.org/serviceaccount` from
 *   spec.serviceAccountName; its IPs are the addresses of spec.ipNetworks; only named ports count;
 * - a HostEndpoint keeps its labels as written; its IPs are spec.expectedIPs;
 * - a NetworkSet gets `projectcalico.org/namespace` and inherits from profile `kns.<namespace>`;
 *   a GlobalNetworkSet keeps its labels and inherits nothing;
 * - inheritance (labelindex): an endpoint's own labels win, then each profile's labelsToApply in
 *   spec.profiles order, the first profile having a key winning.
 */
import type {GlobalNetworkSet, HostEndpoint, NetworkSet, Profile, WorkloadEndpoint} from '../api/index.js'
import {
  LABEL_NAMESPACE,
  LABEL_ORCHESTRATOR,
  LABEL_SERVICE_ACCOUNT,
  NAMESPACE_LABEL_PREFIX,
  SERVICE_ACCOUNT_LABEL_PREFIX,
} from '../selector/index.js'
import {addrOfNet, parseAddr, parseNet, type Addr, type GoIPNet} from './net.js'
import {protocolToNumber, PROTO_SCTP, PROTO_TCP, PROTO_UDP} from './protocols.js'
import type {Contributor, NamedPort} from './rules.js'

export type Labels = Readonly<Record<string, string>>

export interface EndpointInfo extends Contributor {
  readonly kind: 'WorkloadEndpoint' | 'HostEndpoint'
  readonly name: string
  readonly namespace?: string
  /** `WorkloadEndpoint ns/name` or `HostEndpoint name`. */
  readonly display: string
  readonly addrs: readonly Addr[]
  readonly profiles: readonly string[]
}

export interface NetworkSetInfo extends Contributor {
  /** `ns/name` for a NetworkSet, `name` for a GlobalNetworkSet. */
  readonly id: string
  readonly nets: readonly GoIPNet[]
}

/** Profile labelsToApply by profile name. */
export type ProfileLabels = ReadonlyMap<string, Labels>

function inherit(own: Labels, profileIds: readonly string[], profiles: ProfileLabels): Labels {
  const out: Record<string, string> = {}
  for (let i = profileIds.length - 1; i >= 0; i--) Object.assign(out, profiles.get(profileIds[i]) ?? {})
  return Object.assign(out, own)
}

function namedPort(name: string | undefined, protocol: string | number | undefined, port: number | undefined): NamedPort | undefined {
  if (!name || port === undefined) return undefined
  const declared = protocol === undefined ? undefined : protocolToNumber(protocol)
  const member = declared === PROTO_UDP || declared === PROTO_SCTP ? declared : PROTO_TCP
  return {name, declared, member, port}
}

function present<T>(value: T | undefined): value is T {
  return value !== undefined
}

export function workloadEndpointInfo(wep: WorkloadEndpoint, profiles: ProfileLabels): EndpointInfo {
  const spec = wep.spec ?? {}
  const namespace = wep.metadata.namespace ?? ''
  const own: Record<string, string> = {}
  for (const [k, v] of Object.entries(wep.metadata.labels ?? {})) {
    if (!k.startsWith(NAMESPACE_LABEL_PREFIX) && !k.startsWith(SERVICE_ACCOUNT_LABEL_PREFIX)) own[k] = v
  }
  if (namespace !== '') {
    own[LABEL_NAMESPACE] = namespace
    own[LABEL_ORCHESTRATOR] = spec.orchestrator ?? ''
  }
  if (spec.serviceAccountName) own[LABEL_SERVICE_ACCOUNT] = spec.serviceAccountName
  const profileIds = spec.profiles ?? []
  const name = wep.metadata.name ?? ''
  return {
    kind: 'WorkloadEndpoint',
    name,
    namespace,
    display: `WorkloadEndpoint ${namespace}/${name}`,
    labels: inherit(own, profileIds, profiles),
    addrs: (spec.ipNetworks ?? []).map(addrOfNet).filter(present),
    ports: (spec.ports ?? []).map((p) => namedPort(p.name, p.protocol, p.port)).filter(present),
    profiles: profileIds,
  }
}

export function hostEndpointInfo(hep: HostEndpoint, profiles: ProfileLabels): EndpointInfo {
  const spec = hep.spec ?? {}
  const profileIds = spec.profiles ?? []
  const name = hep.metadata.name ?? ''
  return {
    kind: 'HostEndpoint',
    name,
    display: `HostEndpoint ${name}`,
    labels: inherit(hep.metadata.labels ?? {}, profileIds, profiles),
    addrs: (spec.expectedIPs ?? []).map(parseAddr).filter(present),
    ports: (spec.ports ?? []).map((p) => namedPort(p.name, p.protocol, p.port)).filter(present),
    profiles: profileIds,
  }
}

export function networkSetInfo(set: NetworkSet, profiles: ProfileLabels): NetworkSetInfo {
  const namespace = set.metadata.namespace ?? ''
  const own = {...(set.metadata.labels ?? {}), [LABEL_NAMESPACE]: namespace}
  return {
    id: `${namespace}/${set.metadata.name ?? ''}`,
    labels: inherit(own, [`kns.${namespace}`], profiles),
    nets: (set.spec?.nets ?? []).map(parseNet).filter(present),
    ports: [],
  }
}

export function globalNetworkSetInfo(set: GlobalNetworkSet): NetworkSetInfo {
  return {
    id: set.metadata.name ?? '',
    labels: {...(set.metadata.labels ?? {})},
    nets: (set.spec?.nets ?? []).map(parseNet).filter(present),
    ports: [],
  }
}

export function profileLabels(list: readonly Profile[]): Map<string, Labels> {
  const out = new Map<string, Labels>()
  for (const p of list) out.set(p.metadata.name ?? '', p.spec?.labelsToApply ?? {})
  return out
}
