/**
 * The rule scanner (Felix's RuleScanner): given the policies and profiles the active-rules
 * calculator says are active, it keeps the set of *active ipsets* (those referenced by at least one
 * active policy or profile) and forwards the rendered rules to the event sequencer. An ipset becomes
 * active on its first reference and inactive on its last, so shared selectors across policies cost
 * one set. On an update, new references are taken before old ones are dropped, so a set both
 * versions use never flaps.
 */
import {getOrCreate} from './label-index.js'
import type {IPSetData, IPSetMemberCalculator} from './ipset-members.js'
import type {EventSequencer} from './event-sequencer.js'
import type {PolicyData} from './policies.js'
import type {ConvertedRules} from './rule-convert.js'

export class RuleScanner {
  private readonly users = new Map<string, Set<string>>()
  private readonly setsOfOwner = new Map<string, readonly IPSetData[]>()

  constructor(
    private readonly ipsets: IPSetMemberCalculator,
    private readonly sequencer: EventSequencer,
  ) {}

  policyActive(key: string, policy: PolicyData): void {
    this.updateUsage(`policy:${key}`, policy.rules.ipsets)
    this.sequencer.onPolicyUpdate(key, {
      type: 'ActivePolicyUpdate',
      id: policy.id,
      policy: {
        tier: policy.tier,
        namespace: policy.id.namespace,
        inboundRules: policy.rules.inbound,
        outboundRules: policy.rules.outbound,
        untracked: policy.doNotTrack,
        preDnat: policy.preDNAT,
        applyOnForward: policy.applyOnForward,
        originalSelector: policy.selector.toString(),
        perfHints: policy.perfHints,
      },
    })
  }

  policyInactive(key: string): void {
    this.updateUsage(`policy:${key}`, [])
    this.sequencer.onPolicyRemove(key)
  }

  profileActive(name: string, rules: ConvertedRules): void {
    this.updateUsage(`profile:${name}`, rules.ipsets)
    this.sequencer.onProfileUpdate({type: 'ActiveProfileUpdate', id: name, profile: {inboundRules: rules.inbound, outboundRules: rules.outbound}})
  }

  profileInactive(name: string): void {
    this.updateUsage(`profile:${name}`, [])
    this.sequencer.onProfileRemove(name)
  }

  /** Number of active ipsets (felix_active_local_selectors, roughly). */
  get activeIPSetCount(): number {
    return this.users.size
  }

  private updateUsage(owner: string, sets: readonly IPSetData[]): void {
    const old = this.setsOfOwner.get(owner) ?? []
    if (sets.length > 0) this.setsOfOwner.set(owner, sets)
    else this.setsOfOwner.delete(owner)
    for (const set of sets) {
      const users = getOrCreate(this.users, set.id, () => new Set<string>())
      if (users.size === 0) this.ipsets.activate(set)
      users.add(owner)
    }
    if (old.length === 0) return
    const now = new Set(sets.map((s) => s.id))
    for (const set of old) {
      if (now.has(set.id)) continue
      const users = this.users.get(set.id)
      if (!users) continue
      users.delete(owner)
      if (users.size === 0) {
        this.users.delete(set.id)
        this.ipsets.deactivate(set.id)
      }
    }
  }
}
