/**
 * The whole desired content of the four iptables tables for a state: static chains, dispatch,
 * endpoint chains, and the policy/profile chains some endpoint chain in that table references
 * (Felix programs only referenced chains, per table).
 * Pure: same state in, same chains out (sorted by name), so the driver can diff by hash.
 *
 * Host endpoints reach this module resolved: `name` is an interface name or '*' (host endpoints
 * matched by expected IPs are resolved by the dataplane from interface addresses first).
 *
 * | table  | host endpoint chains                                       | policies in them          |
 * |--------|------------------------------------------------------------|---------------------------|
 * | raw    | fh/th for endpoints with doNotTrack policy                 | untracked tiers           |
 * | mangle | fh for endpoints with preDNAT policy; th for every endpoint | preDNAT / normal tiers    |
 * | filter | fh/th/fhfw/thfw for every endpoint                         | normal / applyOnForward   |
 * | nat    | —                                                          | — (floating IPs, NAT outgoing) |
 */
import type {HostEndpoint, Policy, PolicyId, Profile, WorkloadEndpoint} from '../../calc/messages.js'
import type {RenderConfig} from './config.js'
import {hostDispatchChain, hostDispatchChains, workloadDispatchChains} from './dispatch.js'
import {hostEndpointChains, hostEndpointMangleEgressChain, hostEndpointPreDnatChain, hostEndpointRawChains, workloadChains} from './endpoints.js'
import {referencedChain, type Chain, type Rule} from './model.js'
import {CHAINS, HOST_FROM_PREFIX, HOST_TO_PREFIX} from './names.js'
import {policyChains, profileChains} from './policy.js'
import {kernelAppends, kernelInserts, staticFilterChains} from './static.js'
import {staticMangleChains, staticNatChains, staticRawChains, tableInserts} from './tables.js'

/** One IPAM pool as the nat table needs it. */
export interface PoolState {
  readonly cidr: string
  readonly masquerade: boolean
}

export interface DesiredState {
  readonly policies: ReadonlyMap<string, {readonly id: PolicyId; readonly policy: Policy}>
  readonly profiles: ReadonlyMap<string, Profile>
  readonly workloads: Iterable<WorkloadEndpoint>
  readonly hostEndpoints: Iterable<HostEndpoint>
  /** IPAM pools (all families; only IPv4 ones are rendered). Default: none. */
  readonly pools?: Iterable<PoolState>
}

/** Kernel features that change rule text. */
export interface Features {
  /** MASQUERADE --random-fully. */
  readonly randomFully: boolean
}

export interface TableRender {
  readonly chains: readonly Chain[]
  /** Kernel chain → Calico rules at its top. */
  readonly inserts: ReadonlyMap<string, readonly Rule[]>
  /** Kernel chain → Calico rules at its end. */
  readonly appends: ReadonlyMap<string, readonly Rule[]>
}

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter'
/** Felix's write order: raw, mangle, nat, filter. */
export const TABLE_NAMES: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter']

export const EMPTY_TABLE: TableRender = {chains: [], inserts: new Map(), appends: new Map()}

const byName = (a: Chain, b: Chain): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * Adds the policy/profile chains the given chains reference, a deny chain for a referenced chain
 * with no source (a profile the calc graph has not sent: iptables-restore would reject a jump to a
 * missing chain; fail closed), and sorts by name.
 */
function withReferencedPolicies(chains: Chain[], state: DesiredState, cfg: RenderConfig): Chain[] {
  const referenced = new Set(chains.flatMap((c) => c.rules.map((r) => referencedChain(r.action) ?? '')))
  for (const {id, policy} of state.policies.values()) {
    for (const chain of policyChains(id, policy, cfg)) if (referenced.has(chain.name)) chains.push(chain)
  }
  for (const [name, profile] of state.profiles) {
    for (const chain of profileChains(name, profile, cfg)) if (referenced.has(chain.name)) chains.push(chain)
  }
  const have = new Set(chains.map((c) => c.name))
  for (const name of referenced) {
    if (name.startsWith('cali-') && !have.has(name)) {
      chains.push({name, rules: [{match: [], action: {kind: 'drop'}, comments: ['Missing policy or profile']}]})
    }
  }
  return chains.sort(byName)
}

export function renderFilterTable(state: DesiredState, cfg: RenderConfig): TableRender {
  const workloads = [...state.workloads]
  const heps = [...state.hostEndpoints].filter((h) => h.name !== '')
  const chains: Chain[] = [
    ...staticFilterChains(cfg),
    ...workloadDispatchChains(workloads.map((w) => w.name)),
    ...hostDispatchChains(heps.map((h) => h.name)),
    ...workloads.flatMap((w) => workloadChains(w)),
    ...heps.flatMap((h) => hostEndpointChains(h)),
  ]
  return {chains: withReferencedPolicies(chains, state, cfg), inserts: kernelInserts(), appends: kernelAppends()}
}

const hasPolicy = (tiers: HostEndpoint['tiers']): boolean => tiers.some((t) => t.ingressPolicies.length + t.egressPolicies.length > 0)

/** REJECT is only valid in the filter table; raw and mangle always drop. */
const dropOnly = (cfg: RenderConfig): RenderConfig => ({...cfg, denyAction: 'DROP'})

export function renderRawTable(state: DesiredState, cfg: RenderConfig): TableRender {
  const heps = [...state.hostEndpoints].filter((h) => h.name !== '' && hasPolicy(h.untrackedTiers))
  const spoofing = [...state.workloads]
    .filter((w) => w.allowSpoofedSourcePrefixes.length > 0)
    .map((w) => ({iface: w.name, prefixes: w.allowSpoofedSourcePrefixes}))
  const chains: Chain[] = [
    ...staticRawChains(cfg, spoofing),
    hostDispatchChain(CHAINS.fromHostDispatch, HOST_FROM_PREFIX, heps.map((h) => h.name), 'in'),
    hostDispatchChain(CHAINS.toHostDispatch, HOST_TO_PREFIX, heps.map((h) => h.name), 'out'),
    ...heps.flatMap((h) => hostEndpointRawChains(h)),
  ]
  return {chains: withReferencedPolicies(chains, state, dropOnly(cfg)), inserts: tableInserts('raw'), appends: new Map()}
}

export function renderMangleTable(state: DesiredState, cfg: RenderConfig): TableRender {
  const heps = [...state.hostEndpoints].filter((h) => h.name !== '')
  const preDnat = heps.filter((h) => hasPolicy(h.preDnatTiers))
  const chains: Chain[] = [
    ...staticMangleChains(cfg),
    hostDispatchChain(CHAINS.fromHostDispatch, HOST_FROM_PREFIX, preDnat.map((h) => h.name), 'in'),
    hostDispatchChain(CHAINS.toHostDispatch, HOST_TO_PREFIX, heps.map((h) => h.name), 'out'),
    ...preDnat.map((h) => hostEndpointPreDnatChain(h)),
    ...heps.map((h) => hostEndpointMangleEgressChain(h)),
  ]
  return {chains: withReferencedPolicies(chains, state, dropOnly(cfg)), inserts: tableInserts('mangle'), appends: new Map()}
}

export function renderNatTable(state: DesiredState, features: Features): TableRender {
  const pools = [...(state.pools ?? [])].filter((p) => !p.cidr.includes(':'))
  const chains = staticNatChains({
    natOutgoing: pools.some((p) => p.masquerade),
    randomFully: features.randomFully,
    floatingIps: [...state.workloads].flatMap((w) => w.ipv4Nat),
  })
  return {chains: chains.sort(byName), inserts: tableInserts('nat'), appends: new Map()}
}

/** All four tables. */
export function renderTables(state: DesiredState, cfg: RenderConfig, features: Features): Record<TableName, TableRender> {
  return {
    raw: renderRawTable(state, cfg),
    mangle: renderMangleTable(state, cfg),
    nat: renderNatTable(state, features),
    filter: renderFilterTable(state, cfg),
  }
}
