/**
 * The whole desired filter table for a state: static chains, dispatch, endpoint chains, and the
 * policy/profile chains some endpoint chain references (Felix programs only referenced chains).
 * Pure: same state in, same chains out (sorted by name), so the driver can diff by hash.
 */
import type {HostEndpoint, Policy, PolicyId, Profile, WorkloadEndpoint} from '../../calc/messages.js'
import type {RenderConfig} from './config.js'
import {hostDispatchChains, workloadDispatchChains} from './dispatch.js'
import {hostEndpointChains, workloadChains} from './endpoints.js'
import {referencedChain, type Chain, type Rule} from './model.js'
import {policyChains, profileChains} from './policy.js'
import {kernelAppends, kernelInserts, staticFilterChains} from './static.js'

export interface DesiredState {
  readonly policies: ReadonlyMap<string, {readonly id: PolicyId; readonly policy: Policy}>
  readonly profiles: ReadonlyMap<string, Profile>
  readonly workloads: Iterable<WorkloadEndpoint>
  readonly hostEndpoints: Iterable<HostEndpoint>
}

export interface TableRender {
  readonly chains: readonly Chain[]
  /** Kernel chain → Calico rules at its top. */
  readonly inserts: ReadonlyMap<string, readonly Rule[]>
  /** Kernel chain → Calico rules at its end. */
  readonly appends: ReadonlyMap<string, readonly Rule[]>
}

export function renderFilterTable(state: DesiredState, cfg: RenderConfig): TableRender {
  const workloads = [...state.workloads]
  const heps = [...state.hostEndpoints]
  const chains: Chain[] = [
    ...staticFilterChains(cfg),
    ...workloadDispatchChains(workloads.map((w) => w.name)),
    ...hostDispatchChains(heps.map((h) => h.name)),
    ...workloads.flatMap((w) => workloadChains(w)),
    ...heps.filter((h) => h.name !== '').flatMap((h) => hostEndpointChains(h)),
  ]
  const referenced = new Set(chains.flatMap((c) => c.rules.map((r) => referencedChain(r.action) ?? '')))
  for (const {id, policy} of state.policies.values()) {
    for (const chain of policyChains(id, policy, cfg)) if (referenced.has(chain.name)) chains.push(chain)
  }
  for (const [name, profile] of state.profiles) {
    for (const chain of profileChains(name, profile, cfg)) if (referenced.has(chain.name)) chains.push(chain)
  }
  // A referenced chain with no source (a profile the calc graph has not sent) must still exist,
  // or iptables-restore rejects the whole transaction. Render it as deny (fail closed).
  const have = new Set(chains.map((c) => c.name))
  for (const name of referenced) {
    if (name.startsWith('cali-') && !have.has(name)) {
      chains.push({name, rules: [{match: [], action: {kind: 'drop'}, comments: ['Missing policy or profile']}]})
    }
  }
  chains.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {chains, inserts: kernelInserts(), appends: kernelAppends()}
}
