/**
 * The output buffer (Felix's EventSequencer): holds at most one pending change per object, and
 * flushes in the dependency order the dataplane relies on:
 *
 *   config → ipset adds → ipset deltas → policy updates → profile updates → endpoint updates
 *   → endpoint removes → profile removes → policy removes → ipset removes → IP pool removes
 *   → IP pool updates → routes → InSync
 *
 * Coalescing rules: an update replaces a pending update; an update cancels a pending remove; a
 * remove cancels a pending update and is only sent for an object sent before; member adds and
 * removes of one set cancel each other between flushes, and for a set not yet sent they edit the
 * set's initial member list. So the dataplane never sees an object twice in one flush, never a
 * remove of something it never saw, never a delta of a set it never saw.
 */
import type {
  ActivePolicyUpdate,
  ActiveProfileUpdate,
  CalcMessage,
  HostEndpointRemove,
  HostEndpointUpdate,
  IPAMPool,
  IPSetType,
  PolicyId,
  WorkloadEndpointRemove,
  WorkloadEndpointUpdate,
} from './messages.js'
import {getOrCreate} from './label-index.js'
import type {PoolListener} from './ip-pools.js'
import type {IPSetListener} from './ipset-members.js'

type EndpointUpdate = WorkloadEndpointUpdate | HostEndpointUpdate
type EndpointRemove = WorkloadEndpointRemove | HostEndpointRemove

interface PendingSet {
  readonly type: IPSetType
  readonly members: Set<string>
}

const newSet = (): Set<string> => new Set()

export class EventSequencer implements IPSetListener, PoolListener {
  private pendingConfig: Readonly<Record<string, string>> | undefined
  private inSyncPending = false
  private inSyncSent = false

  private readonly sentIPSets = new Set<string>()
  private readonly pendingAddedIPSets = new Map<string, PendingSet>()
  private readonly pendingRemovedIPSets = new Set<string>()
  private readonly pendingAddedMembers = new Map<string, Set<string>>()
  private readonly pendingRemovedMembers = new Map<string, Set<string>>()

  private readonly pendingPolicies = new Map<string, ActivePolicyUpdate>()
  private readonly sentPolicies = new Map<string, PolicyId>()
  private readonly pendingPolicyRemoves = new Set<string>()

  private readonly pendingProfiles = new Map<string, ActiveProfileUpdate>()
  private readonly sentProfiles = new Set<string>()
  private readonly pendingProfileRemoves = new Set<string>()

  private readonly pendingEndpoints = new Map<string, EndpointUpdate>()
  private readonly sentEndpoints = new Map<string, EndpointRemove>()
  private readonly pendingEndpointRemoves = new Set<string>()

  private readonly pendingPools = new Map<string, IPAMPool>()
  private readonly sentPools = new Set<string>()
  private readonly pendingPoolRemoves = new Set<string>()

  onConfigUpdate(config: Readonly<Record<string, string>>): void {
    this.pendingConfig = config
  }

  /** The datastore is in sync; the next flush ends with InSync (only ever once). */
  onInSync(): void {
    if (!this.inSyncSent) this.inSyncPending = true
  }

  onIPSetAdded(id: string, type: IPSetType): void {
    this.pendingRemovedIPSets.delete(id)
    this.pendingAddedMembers.delete(id)
    this.pendingRemovedMembers.delete(id)
    this.pendingAddedIPSets.set(id, {type, members: new Set()})
  }

  onIPSetRemoved(id: string): void {
    this.pendingAddedIPSets.delete(id)
    this.pendingAddedMembers.delete(id)
    this.pendingRemovedMembers.delete(id)
    if (this.sentIPSets.has(id)) this.pendingRemovedIPSets.add(id)
  }

  onIPSetMemberAdded(id: string, member: string): void {
    const pending = this.pendingAddedIPSets.get(id)
    if (pending) {
      pending.members.add(member)
      return
    }
    const removed = this.pendingRemovedMembers.get(id)
    if (removed?.delete(member)) {
      if (removed.size === 0) this.pendingRemovedMembers.delete(id)
      return
    }
    getOrCreate(this.pendingAddedMembers, id, newSet).add(member)
  }

  onIPSetMemberRemoved(id: string, member: string): void {
    const pending = this.pendingAddedIPSets.get(id)
    if (pending) {
      pending.members.delete(member)
      return
    }
    const added = this.pendingAddedMembers.get(id)
    if (added?.delete(member)) {
      if (added.size === 0) this.pendingAddedMembers.delete(id)
      return
    }
    getOrCreate(this.pendingRemovedMembers, id, newSet).add(member)
  }

  /** `key` identifies the policy across updates (the datastore key). */
  onPolicyUpdate(key: string, update: ActivePolicyUpdate): void {
    this.pendingPolicyRemoves.delete(key)
    this.pendingPolicies.set(key, update)
  }

  onPolicyRemove(key: string): void {
    this.pendingPolicies.delete(key)
    if (this.sentPolicies.has(key)) this.pendingPolicyRemoves.add(key)
  }

  onProfileUpdate(update: ActiveProfileUpdate): void {
    this.pendingProfileRemoves.delete(update.id)
    this.pendingProfiles.set(update.id, update)
  }

  onProfileRemove(name: string): void {
    this.pendingProfiles.delete(name)
    if (this.sentProfiles.has(name)) this.pendingProfileRemoves.add(name)
  }

  onEndpointUpdate(key: string, update: EndpointUpdate): void {
    this.pendingEndpointRemoves.delete(key)
    this.pendingEndpoints.set(key, update)
  }

  onEndpointRemove(key: string): void {
    this.pendingEndpoints.delete(key)
    if (this.sentEndpoints.has(key)) this.pendingEndpointRemoves.add(key)
  }

  onPoolUpdate(id: string, pool: IPAMPool): void {
    this.pendingPoolRemoves.delete(id)
    this.pendingPools.set(id, pool)
  }

  onPoolRemove(id: string): void {
    this.pendingPools.delete(id)
    if (this.sentPools.has(id)) this.pendingPoolRemoves.add(id)
  }

  /** Everything pending, in dependency order; empties the buffer. */
  flush(): CalcMessage[] {
    const out: CalcMessage[] = []
    if (this.pendingConfig) {
      out.push({type: 'ConfigUpdate', config: this.pendingConfig})
      this.pendingConfig = undefined
    }
    for (const [id, set] of this.pendingAddedIPSets) {
      out.push({type: 'IPSetUpdate', id, ipsetType: set.type, members: [...set.members]})
      this.sentIPSets.add(id)
    }
    this.pendingAddedIPSets.clear()
    for (const [id, added] of this.pendingAddedMembers) {
      const removed = this.pendingRemovedMembers.get(id)
      out.push({type: 'IPSetDeltaUpdate', id, addedMembers: [...added], removedMembers: removed ? [...removed] : []})
    }
    for (const [id, removed] of this.pendingRemovedMembers) {
      if (this.pendingAddedMembers.has(id)) continue
      out.push({type: 'IPSetDeltaUpdate', id, addedMembers: [], removedMembers: [...removed]})
    }
    this.pendingAddedMembers.clear()
    this.pendingRemovedMembers.clear()
    for (const [key, update] of this.pendingPolicies) {
      out.push(update)
      this.sentPolicies.set(key, update.id)
    }
    this.pendingPolicies.clear()
    for (const [name, update] of this.pendingProfiles) {
      out.push(update)
      this.sentProfiles.add(name)
    }
    this.pendingProfiles.clear()
    for (const [key, update] of this.pendingEndpoints) {
      out.push(update)
      this.sentEndpoints.set(
        key,
        update.type === 'WorkloadEndpointUpdate' ? {type: 'WorkloadEndpointRemove', id: update.id} : {type: 'HostEndpointRemove', id: update.id},
      )
    }
    this.pendingEndpoints.clear()
    for (const key of this.pendingEndpointRemoves) {
      out.push(this.sentEndpoints.get(key) as EndpointRemove)
      this.sentEndpoints.delete(key)
    }
    this.pendingEndpointRemoves.clear()
    for (const name of this.pendingProfileRemoves) {
      out.push({type: 'ActiveProfileRemove', id: name})
      this.sentProfiles.delete(name)
    }
    this.pendingProfileRemoves.clear()
    for (const key of this.pendingPolicyRemoves) {
      out.push({type: 'ActivePolicyRemove', id: this.sentPolicies.get(key) as PolicyId})
      this.sentPolicies.delete(key)
    }
    this.pendingPolicyRemoves.clear()
    for (const id of this.pendingRemovedIPSets) {
      out.push({type: 'IPSetRemove', id})
      this.sentIPSets.delete(id)
    }
    this.pendingRemovedIPSets.clear()
    for (const id of this.pendingPoolRemoves) {
      out.push({type: 'IPAMPoolRemove', id})
      this.sentPools.delete(id)
    }
    this.pendingPoolRemoves.clear()
    for (const [id, pool] of this.pendingPools) {
      out.push({type: 'IPAMPoolUpdate', id, pool})
      this.sentPools.add(id)
    }
    this.pendingPools.clear()
    if (this.inSyncPending) {
      out.push({type: 'InSync'})
      this.inSyncPending = false
      this.inSyncSent = true
    }
    return out
  }
}
