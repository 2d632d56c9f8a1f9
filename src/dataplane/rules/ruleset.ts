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
import {
  CHAINS,
  HOST_FROM_PREFIX,
  HOST_TO_PREFIX,
  POLICY_IN_PREFIX,
  POLICY_OUT_PREFIX,
  PROFILE_IN_PREFIX,
  PROFILE_OUT_PREFIX,
  policyChainName,
  profileChainName,
} from './names.js'
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
 * Policy, profile and workload endpoint chains by object identity. The dataplane keeps a policy's
 * (profile's, endpoint's) object while it is unchanged, so an unchanged one is rendered once, and
 * the table driver, which keeps rule hashes while a chain's rules array is the same, does not hash
 * it again either.
 */
interface LazyEntry {
  readonly key: string
  readonly cfgKey: string
  readonly name: string
  readonly chain: Chain
}

export class ChainCache {
  private readonly bySource = new WeakMap<object, Map<string, readonly Chain[]>>()
  private readonly names = new WeakMap<object, {readonly key: string; readonly names: readonly string[]}>()
  /** Lazy chains of each source (a few: two names × the render configs of the tables using it). */
  private readonly lazy = new WeakMap<object, LazyEntry[]>()

  /** The chain names of `source` (they depend on its id `key` only). */
  namesOf(source: object, key: string, compute: () => readonly string[]): readonly string[] {
    const known = this.names.get(source)
    if (known !== undefined && known.key === key) return known.names
    const names = compute()
    this.names.set(source, {key, names})
    return names
  }

  get(source: object, key: string, render: () => readonly Chain[]): readonly Chain[] {
    let byKey = this.bySource.get(source)
    if (byKey === undefined) {
      byKey = new Map()
      this.bySource.set(source, byKey)
    }
    let chains = byKey.get(key)
    if (chains === undefined) {
      chains = render()
      byKey.set(key, chains)
    }
    return chains
  }

  /**
   * Chain `name` of `source`, rendered (with its sibling chains, through `get`) only when its rules
   * are first read: the table writer reads them as it writes the transaction holding the chain, so
   * policy rendering overlaps the restores of earlier transactions (initial programming). The same
   * object comes back while `source` and `key` are unchanged. Only for chains that jump nowhere.
   */
  leaf(source: object, key: string, cfgKey: string, name: string, render: () => readonly Chain[]): Chain {
    // A short list per source rather than a map keyed by a built string: no string building or
    // hashing of the (long) render config key per policy and table; `cfgKey` is usually the very
    // same string object, so comparing it is cheap.
    let entries = this.lazy.get(source)
    if (entries === undefined) {
      entries = []
      this.lazy.set(source, entries)
    }
    let chain = entries.find((e) => e.name === name && e.key === key && e.cfgKey === cfgKey)?.chain
    if (chain === undefined) {
      let rules: readonly Rule[] | undefined
      const renderOnce = (): readonly Rule[] => {
        const rendered = this.get(source, `${key}\n${cfgKey}`, render).find((c) => c.name === name)
        if (rendered === undefined) throw new Error(`internal: rendering did not produce chain ${name}`)
        return rendered.rules
      }
      chain = {
        name,
        leaf: true,
        get rules(): readonly Rule[] {
          rules ??= renderOnce()
          return rules
        },
      }
      entries.push({key, cfgKey, name, chain})
    }
    return chain
  }
}

/**
 * Adds the policy/profile chains the given chains reference (only those are rendered), a deny chain
 * for a referenced chain with no source (a profile the calc graph has not sent: iptables-restore
 * would reject a jump to a missing chain; fail closed), and sorts by name.
 */
function withReferencedPolicies(chains: Chain[], state: DesiredState, cfg: RenderConfig, cache: ChainCache): Chain[] {
  const referenced = new Set<string>()
  for (const c of chains) {
    for (const r of c.rules) {
      const target = referencedChain(r.action)
      if (target !== undefined) referenced.add(target)
    }
  }
  const cfgKey = JSON.stringify(cfg)
  // Policy and profile chains jump nowhere: they are rendered when the writer first reads them.
  const add = (names: readonly string[], source: object, key: string, render: () => readonly Chain[]): void => {
    if (!names.some((name) => referenced.has(name))) return
    for (const name of names) if (referenced.has(name)) chains.push(cache.leaf(source, key, cfgKey, name, render))
  }
  for (const [key, {id, policy}] of state.policies) {
    const names = cache.namesOf(policy, key, () => [policyChainName(POLICY_IN_PREFIX, id), policyChainName(POLICY_OUT_PREFIX, id)])
    add(names, policy, key, () => policyChains(id, policy, cfg))
  }
  for (const [name, profile] of state.profiles) {
    const names = cache.namesOf(profile, name, () => [profileChainName(PROFILE_IN_PREFIX, name), profileChainName(PROFILE_OUT_PREFIX, name)])
    add(names, profile, name, () => profileChains(name, profile, cfg))
  }
  const have = new Set(chains.map((c) => c.name))
  for (const name of referenced) {
    if (name.startsWith('cali-') && !have.has(name)) {
      chains.push({name, rules: [{match: [], action: {kind: 'drop'}, comments: ['Missing policy or profile']}]})
    }
  }
  return chains.sort(byName)
}

/** A workload's filter chains, from `cache` while the endpoint object is unchanged. */
export const cachedWorkloadChains = (w: WorkloadEndpoint, cache: ChainCache): readonly Chain[] => cache.get(w, 'workload', () => workloadChains(w))

export function renderFilterTable(state: DesiredState, cfg: RenderConfig, cache = new ChainCache()): TableRender {
  const workloads = [...state.workloads]
  const heps = [...state.hostEndpoints].filter((h) => h.name !== '')
  const chains: Chain[] = [
    ...staticFilterChains(cfg),
    ...workloadDispatchChains(workloads.map((w) => w.name)),
    ...hostDispatchChains(heps.map((h) => h.name)),
    ...workloads.flatMap((w) => cachedWorkloadChains(w, cache)),
    ...heps.flatMap((h) => hostEndpointChains(h)),
  ]
  return {chains: withReferencedPolicies(chains, state, cfg, cache), inserts: kernelInserts(), appends: kernelAppends()}
}

const hasPolicy = (tiers: HostEndpoint['tiers']): boolean => tiers.some((t) => t.ingressPolicies.length + t.egressPolicies.length > 0)

/** REJECT is only valid in the filter table; raw and mangle always drop. */
const dropOnly = (cfg: RenderConfig): RenderConfig => ({...cfg, denyAction: 'DROP'})

export function renderRawTable(state: DesiredState, cfg: RenderConfig, cache = new ChainCache()): TableRender {
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
  return {chains: withReferencedPolicies(chains, state, dropOnly(cfg), cache), inserts: tableInserts('raw'), appends: new Map()}
}

export function renderMangleTable(state: DesiredState, cfg: RenderConfig, cache = new ChainCache()): TableRender {
  const heps = [...state.hostEndpoints].filter((h) => h.name !== '')
  const preDnat = heps.filter((h) => hasPolicy(h.preDnatTiers))
  const chains: Chain[] = [
    ...staticMangleChains(cfg),
    hostDispatchChain(CHAINS.fromHostDispatch, HOST_FROM_PREFIX, preDnat.map((h) => h.name), 'in'),
    hostDispatchChain(CHAINS.toHostDispatch, HOST_TO_PREFIX, heps.map((h) => h.name), 'out'),
    ...preDnat.map((h) => hostEndpointPreDnatChain(h)),
    ...heps.map((h) => hostEndpointMangleEgressChain(h)),
  ]
  return {chains: withReferencedPolicies(chains, state, dropOnly(cfg), cache), inserts: tableInserts('mangle'), appends: new Map()}
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

/** All four tables; pass the same `cache` on every render to skip unchanged policies and profiles. */
export function renderTables(state: DesiredState, cfg: RenderConfig, features: Features, cache = new ChainCache()): Record<TableName, TableRender> {
  return {
    raw: renderRawTable(state, cfg, cache),
    mangle: renderMangleTable(state, cfg, cache),
    nat: renderNatTable(state, features),
    filter: renderFilterTable(state, cfg, cache),
  }
}
