/**
 * A dataplane that applies calc messages to an in-memory model and asserts the ordering contract
 * of src/calc/messages.ts on every batch (one batch = one CalcGraph.flush()):
 * - nothing before the batch that carries InSync, InSync once;
 * - within a batch, message kinds in the sequencer's order (config, ipset adds, deltas, policies,
 *   profiles, endpoint updates, endpoint removes, profile removes, policy removes, ipset removes,
 *   pool removes, pool updates);
 * - at most one message per object per batch;
 * - an ipset exists before a policy/profile references it, a policy/profile before an endpoint
 *   references it; nothing is removed while referenced or before it was sent;
 * - deltas add only absent members and remove only present ones.
 */
import {AssertionError} from 'node:assert'

import {
  policyIdString,
  workloadEndpointIdString,
  type CalcMessage,
  type HostEndpoint,
  type IPAMPool,
  type Policy,
  type Profile,
  type Rule,
  type TierInfo,
  type WorkloadEndpoint,
} from '../../src/calc/index.js'

const RANK: Readonly<Record<CalcMessage['type'], number>> = {
  ConfigUpdate: 0,
  IPSetUpdate: 1,
  IPSetDeltaUpdate: 2,
  ActivePolicyUpdate: 3,
  ActiveProfileUpdate: 4,
  WorkloadEndpointUpdate: 5,
  HostEndpointUpdate: 5,
  WorkloadEndpointRemove: 6,
  HostEndpointRemove: 6,
  ActiveProfileRemove: 7,
  ActivePolicyRemove: 8,
  IPSetRemove: 9,
  IPAMPoolRemove: 10,
  IPAMPoolUpdate: 11,
  RouteUpdate: 12,
  RouteRemove: 12,
  InSync: 13,
}

/** The model, as plain sorted data (deepStrictEqual-comparable). */
export interface DataplaneModel {
  readonly ipsets: Record<string, {type: string; members: string[]}>
  readonly policies: Record<string, Policy>
  readonly profiles: Record<string, Profile>
  readonly workloads: Record<string, WorkloadEndpoint>
  readonly hosts: Record<string, HostEndpoint>
  readonly pools: Record<string, IPAMPool>
  readonly config: Record<string, string> | undefined
}

function fail(message: string): never {
  throw new AssertionError({message})
}

function ruleSets(rule: Rule): string[] {
  return [
    ...rule.srcIpSetIds,
    ...rule.dstIpSetIds,
    ...rule.srcNamedPortIpSetIds,
    ...rule.dstNamedPortIpSetIds,
    ...rule.notSrcIpSetIds,
    ...rule.notDstIpSetIds,
    ...rule.notSrcNamedPortIpSetIds,
    ...rule.notDstNamedPortIpSetIds,
  ]
}

const rulesSets = (rules: {inboundRules: readonly Rule[]; outboundRules: readonly Rule[]}): string[] => [
  ...rules.inboundRules.flatMap(ruleSets),
  ...rules.outboundRules.flatMap(ruleSets),
]

const tierPolicies = (tiers: readonly TierInfo[]): string[] =>
  tiers.flatMap((t) => [...t.ingressPolicies, ...t.egressPolicies].map(policyIdString))

function sortedRecord<T>(map: Map<string, T>, copy: (value: T) => T = (v) => v): Record<string, T> {
  return Object.fromEntries([...map.keys()].sort().map((k) => [k, copy(map.get(k) as T)]))
}

export class RecordingDataplane {
  readonly ipsets = new Map<string, {type: string; members: Set<string>}>()
  readonly policies = new Map<string, Policy>()
  readonly profiles = new Map<string, Profile>()
  readonly workloads = new Map<string, WorkloadEndpoint>()
  readonly hosts = new Map<string, HostEndpoint>()
  readonly pools = new Map<string, IPAMPool>()
  config: Record<string, string> | undefined
  inSync = false
  messages = 0

  /** Applies one flush's messages, checking the contract. */
  apply(batch: readonly CalcMessage[]): void {
    if (batch.length === 0) return
    if (!this.inSync && batch.at(-1)?.type !== 'InSync') fail(`messages before InSync: ${batch.map((m) => m.type).join(',')}`)
    let rank = -1
    const seen = new Set<string>()
    for (const msg of batch) {
      const r = RANK[msg.type]
      if (r < rank) fail(`out of order: ${msg.type} after rank ${rank} in ${batch.map((m) => m.type).join(',')}`)
      rank = r
      const object = this.objectKey(msg)
      if (object !== undefined) {
        if (seen.has(object)) fail(`two messages for ${object} in one batch`)
        seen.add(object)
      }
      this.applyOne(msg)
      this.messages++
    }
  }

  private objectKey(msg: CalcMessage): string | undefined {
    switch (msg.type) {
      case 'IPSetUpdate':
      case 'IPSetDeltaUpdate':
      case 'IPSetRemove':
        return `ipset:${msg.id}`
      case 'ActivePolicyUpdate':
      case 'ActivePolicyRemove':
        return `policy:${policyIdString(msg.id)}`
      case 'ActiveProfileUpdate':
      case 'ActiveProfileRemove':
        return `profile:${msg.id}`
      case 'WorkloadEndpointUpdate':
      case 'WorkloadEndpointRemove':
        return `wep:${workloadEndpointIdString(msg.id)}`
      case 'HostEndpointUpdate':
      case 'HostEndpointRemove':
        return `hep:${msg.id.endpointId}`
      case 'IPAMPoolUpdate':
      case 'IPAMPoolRemove':
        return `pool:${msg.id}`
      default:
        return undefined
    }
  }

  private applyOne(msg: CalcMessage): void {
    switch (msg.type) {
      case 'InSync':
        if (this.inSync) fail('InSync sent twice')
        this.inSync = true
        return
      case 'ConfigUpdate':
        this.config = {...msg.config}
        return
      case 'IPSetUpdate':
        if (new Set(msg.members).size !== msg.members.length) fail(`duplicate members in ${msg.id}`)
        this.ipsets.set(msg.id, {type: msg.ipsetType, members: new Set(msg.members)})
        return
      case 'IPSetDeltaUpdate': {
        const set = this.ipsets.get(msg.id) ?? fail(`delta for unknown ipset ${msg.id}`)
        for (const m of msg.removedMembers) if (!set.members.delete(m)) fail(`removing absent member ${m} from ${msg.id}`)
        for (const m of msg.addedMembers) {
          if (set.members.has(m)) fail(`adding present member ${m} to ${msg.id}`)
          set.members.add(m)
        }
        return
      }
      case 'IPSetRemove': {
        if (!this.ipsets.delete(msg.id)) fail(`removing unknown ipset ${msg.id}`)
        for (const [id, p] of [...this.policies, ...this.profiles]) {
          if (rulesSets(p).includes(msg.id)) fail(`ipset ${msg.id} removed while ${id} references it`)
        }
        return
      }
      case 'ActivePolicyUpdate':
        for (const id of rulesSets(msg.policy)) if (!this.ipsets.has(id)) fail(`policy ${policyIdString(msg.id)} references missing ipset ${id}`)
        this.policies.set(policyIdString(msg.id), msg.policy)
        return
      case 'ActivePolicyRemove': {
        const id = policyIdString(msg.id)
        if (!this.policies.delete(id)) fail(`removing unknown policy ${id}`)
        for (const [ep, e] of [...this.workloads, ...this.hosts]) {
          if (this.endpointPolicies(e).includes(id)) fail(`policy ${id} removed while endpoint ${ep} references it`)
        }
        return
      }
      case 'ActiveProfileUpdate':
        for (const id of rulesSets(msg.profile)) if (!this.ipsets.has(id)) fail(`profile ${msg.id} references missing ipset ${id}`)
        this.profiles.set(msg.id, msg.profile)
        return
      case 'ActiveProfileRemove':
        if (!this.profiles.delete(msg.id)) fail(`removing unknown profile ${msg.id}`)
        for (const [ep, e] of [...this.workloads, ...this.hosts]) {
          if (e.profileIds.includes(msg.id)) fail(`profile ${msg.id} removed while endpoint ${ep} references it`)
        }
        return
      case 'WorkloadEndpointUpdate':
        this.checkEndpointRefs(workloadEndpointIdString(msg.id), msg.endpoint)
        this.workloads.set(workloadEndpointIdString(msg.id), msg.endpoint)
        return
      case 'WorkloadEndpointRemove':
        if (!this.workloads.delete(workloadEndpointIdString(msg.id))) fail(`removing unknown workload ${workloadEndpointIdString(msg.id)}`)
        return
      case 'HostEndpointUpdate':
        this.checkEndpointRefs(msg.id.endpointId, msg.endpoint)
        this.hosts.set(msg.id.endpointId, msg.endpoint)
        return
      case 'HostEndpointRemove':
        if (!this.hosts.delete(msg.id.endpointId)) fail(`removing unknown host endpoint ${msg.id.endpointId}`)
        return
      case 'IPAMPoolUpdate':
        if (msg.id !== msg.pool.cidr.replace('/', '-')) fail(`pool id ${msg.id} does not match CIDR ${msg.pool.cidr}`)
        this.pools.set(msg.id, msg.pool)
        return
      case 'IPAMPoolRemove':
        if (!this.pools.delete(msg.id)) fail(`removing unknown pool ${msg.id}`)
        return
      case 'RouteUpdate':
      case 'RouteRemove':
        return
    }
  }

  private endpointPolicies(e: WorkloadEndpoint | HostEndpoint): string[] {
    if ('untrackedTiers' in e) return [...tierPolicies(e.tiers), ...tierPolicies(e.untrackedTiers), ...tierPolicies(e.preDnatTiers), ...tierPolicies(e.forwardTiers)]
    return tierPolicies(e.tiers)
  }

  private checkEndpointRefs(name: string, e: WorkloadEndpoint | HostEndpoint): void {
    for (const id of this.endpointPolicies(e)) if (!this.policies.has(id)) fail(`endpoint ${name} references missing policy ${id}`)
    for (const id of e.profileIds) if (!this.profiles.has(id)) fail(`endpoint ${name} references missing profile ${id}`)
  }

  /** The whole model as sorted plain data. */
  model(): DataplaneModel {
    return {
      ipsets: sortedRecord(new Map([...this.ipsets].map(([id, s]) => [id, {type: s.type, members: [...s.members].sort()}]))),
      policies: sortedRecord(this.policies),
      profiles: sortedRecord(this.profiles),
      workloads: sortedRecord(this.workloads),
      hosts: sortedRecord(this.hosts),
      pools: sortedRecord(this.pools),
      config: this.config,
    }
  }
}
