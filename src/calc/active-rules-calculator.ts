/**
 * The active-rules calculator (Felix's ActiveRulesCalculator): decides which policies and profiles
 * matter to this node. It sees every policy and profile but only this node's endpoints.
 *
 * - A policy is active while its endpoint selector matches at least one local endpoint (labels
 *   including inherited ones). Matching uses its own LabelIndex over the local endpoints only
 *   (~250 items), with the policies' selectors as the selectors.
 * - A profile is active while at least one local endpoint lists it. A listed profile the datastore
 *   lacks is sent as DUMMY_DROP_RULES (one deny each way): fail closed, never fail open.
 * - Active policies and profiles go to the rule scanner (which renders them and activates their
 *   ipsets); every policy↔endpoint match change goes to the policy resolver.
 *
 * Rule selectors are not this node's concern; see rule-scanner.ts and ipset-members.ts.
 */
import {getOrCreate, LabelIndex} from './label-index.js'
import type {LabelRecord} from '../selector/index.js'
import type {PolicyData, ProfileData} from './policies.js'
import type {PolicyResolver} from './policy-resolver.js'
import {DUMMY_DROP_RULES} from './rule-convert.js'
import type {RuleScanner} from './rule-scanner.js'

export class ActiveRulesCalculator {
  private readonly index: LabelIndex
  private readonly policies = new Map<string, PolicyData>()
  private readonly activePolicies = new Set<string>()
  private readonly profiles = new Map<string, ProfileData>()
  private readonly profileUsers = new Map<string, Set<string>>()
  private readonly endpointProfiles = new Map<string, readonly string[]>()

  constructor(
    private readonly scanner: RuleScanner,
    private readonly resolver: PolicyResolver,
  ) {
    this.index = new LabelIndex({
      onMatchStarted: (policyKey, endpointKey) => this.onMatchStarted(policyKey, endpointKey),
      onMatchStopped: (policyKey, endpointKey) => this.onMatchStopped(policyKey, endpointKey),
    })
  }

  updatePolicy(key: string, policy: PolicyData | undefined): void {
    if (!policy) {
      this.policies.delete(key)
      this.index.deleteSelector(key)
      return
    }
    this.policies.set(key, policy)
    this.index.updateSelector(key, policy.selector)
    // Same selector, new rules or metadata: re-render if active.
    if (this.activePolicies.has(key)) this.scanner.policyActive(key, policy)
  }

  updateProfile(name: string, profile: ProfileData | undefined): void {
    if (profile) this.profiles.set(name, profile)
    else this.profiles.delete(name)
    if (this.profileUsers.has(name)) this.scanner.profileActive(name, profile?.rules ?? DUMMY_DROP_RULES)
  }

  /** A local endpoint's labels changed (undefined: it is gone). */
  updateEndpointLabels(key: string, labels: LabelRecord | undefined): void {
    if (labels) this.index.updateItem(key, labels)
    else this.index.deleteItem(key)
  }

  /** A local endpoint's profile list (undefined: it is gone). */
  updateEndpointProfiles(key: string, profileIds: readonly string[] | undefined): void {
    const old = this.endpointProfiles.get(key) ?? []
    const now = profileIds ?? []
    if (now.length > 0) this.endpointProfiles.set(key, now)
    else this.endpointProfiles.delete(key)
    for (const name of now) {
      const users = getOrCreate(this.profileUsers, name, () => new Set<string>())
      if (users.size === 0) this.scanner.profileActive(name, this.profiles.get(name)?.rules ?? DUMMY_DROP_RULES)
      users.add(key)
    }
    for (const name of old) {
      if (now.includes(name)) continue
      const users = this.profileUsers.get(name)
      if (!users) continue
      users.delete(key)
      if (users.size === 0) {
        this.profileUsers.delete(name)
        this.scanner.profileInactive(name)
      }
    }
  }

  /** Evaluates policies added or changed since the last flush against the local endpoints. */
  flush(): void {
    this.index.flush()
  }

  get activePolicyCount(): number {
    return this.activePolicies.size
  }

  private onMatchStarted(policyKey: string, endpointKey: string): void {
    if (!this.activePolicies.has(policyKey)) {
      this.activePolicies.add(policyKey)
      this.scanner.policyActive(policyKey, this.policies.get(policyKey) as PolicyData)
    }
    this.resolver.onPolicyMatch(policyKey, endpointKey)
  }

  private onMatchStopped(policyKey: string, endpointKey: string): void {
    this.resolver.onPolicyMatchStopped(policyKey, endpointKey)
    if (this.index.itemsMatching(policyKey).size === 0 && this.activePolicies.delete(policyKey)) {
      this.scanner.policyInactive(policyKey)
    }
  }
}
