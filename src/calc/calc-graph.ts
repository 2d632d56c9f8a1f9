/**
 * The calculation graph for one node: datastore updates in, dataplane messages out. Synchronous,
 * no I/O, no clock; the agent owns the loop (when to feed, when to flush, how often).
 *
 * Wiring (Felix's calc_graph.go, reduced to what this implementation computes):
 *
 *   update ─┬─ WorkloadEndpoint / HostEndpoint / (Global)NetworkSet ──► endpoints.ts decode
 *           │      ├─ addresses ─────────────────────────────────────► IPSetMemberCalculator
 *           │      ├─ label source ─► LabelInheritance ─► effective labels
 *           │      │                        ├─► all items: IPSetMemberCalculator.index (rule selectors)
 *           │      │                        └─► local endpoints: ActiveRulesCalculator.index (policy selectors)
 *           │      └─ local endpoint ─► PolicyResolver, ActiveRulesCalculator (profiles)
 *           ├─ Profile ─► LabelInheritance (labelsToApply), ActiveRulesCalculator (rules)
 *           ├─ (Global)NetworkPolicy ─► PolicyResolver (metadata), ActiveRulesCalculator (selector, rules)
 *           ├─ Tier ─► PolicyResolver
 *           ├─ IPPool ─► IPPoolTracker (ip-pools.ts) ─► EventSequencer
 *           └─ FelixConfiguration ─► ConfigResolver
 *   ActiveRulesCalculator ─ active policies/profiles ─► RuleScanner ─ active ipsets ─► IPSetMemberCalculator
 *                         └ policy↔endpoint matches ─► PolicyResolver
 *   RuleScanner, IPSetMemberCalculator, PolicyResolver, ConfigResolver ─► EventSequencer ─► messages
 *
 * Deferred work: new selectors are evaluated, and endpoint policy lists sorted, in flush(). flush()
 * does nothing until inSync() (the agent calls it after the snapshot), so start of day is one pass
 * per index instead of work per update, and nothing is emitted before the snapshot is complete.
 *
 * Validation: a resource that does not decode (a selector that does not parse, a bad CIDR, the
 * wrong kind under a key) is treated as absent — Felix's validation filter does the same.
 */
import type {
  FelixConfiguration,
  GlobalNetworkPolicy,
  IPPool,
  NetworkPolicy,
  Profile,
  Resource,
  Tier,
} from '../api/index.js'
import type {LabelRecord} from '../selector/index.js'
import {ActiveRulesCalculator} from './active-rules-calculator.js'
import {ConfigResolver} from './config-resolver.js'
import {decodeItem, type Item} from './endpoints.js'
import {EventSequencer} from './event-sequencer.js'
import {decodeIPPool, IPPoolTracker} from './ip-pools.js'
import {parseResourceKey, type CalcUpdate} from './input.js'
import {IPSetMemberCalculator} from './ipset-members.js'
import {LabelInheritance} from './label-inheritance.js'
import type {CalcMessage} from './messages.js'
import {decodePolicy, decodeProfile, decodeTier} from './policies.js'
import {PolicyResolver} from './policy-resolver.js'
import {SelectorCache} from './rule-convert.js'
import {RuleScanner} from './rule-scanner.js'

export interface CalcGraphOptions {
  /** This node's name (Node resource name; WorkloadEndpoint/HostEndpoint spec.node). */
  readonly nodeName: string
}

/** Counts for health, metrics and benches (cf. Felix's felix_* gauges). */
export interface CalcGraphStats {
  readonly items: number
  readonly localEndpoints: number
  readonly activePolicies: number
  readonly activeIPSets: number
  readonly selectorEvaluations: number
  readonly invalidUpdates: number
}

const ITEM_PLURALS: Readonly<Record<string, string>> = {
  workloadendpoints: 'WorkloadEndpoint',
  hostendpoints: 'HostEndpoint',
  networksets: 'NetworkSet',
  globalnetworksets: 'GlobalNetworkSet',
}

export class CalcGraph {
  private readonly nodeName: string
  private readonly selectors = new SelectorCache()
  private readonly sequencer = new EventSequencer()
  private readonly ipsets = new IPSetMemberCalculator(this.sequencer)
  private readonly scanner = new RuleScanner(this.ipsets, this.sequencer)
  private readonly resolver = new PolicyResolver(this.sequencer)
  private readonly arc = new ActiveRulesCalculator(this.scanner, this.resolver)
  private readonly config: ConfigResolver
  private readonly pools = new IPPoolTracker(this.sequencer)
  private readonly inheritance = new LabelInheritance((id, labels) => this.onEffectiveLabels(id, labels))
  private readonly items = new Set<string>()
  private readonly localKeys = new Set<string>()
  private synced = false
  private invalid = 0

  constructor(options: CalcGraphOptions) {
    this.nodeName = options.nodeName
    this.config = new ConfigResolver(this.nodeName, this.sequencer)
  }

  onUpdates(updates: Iterable<CalcUpdate>): void {
    for (const update of updates) this.onUpdate(update)
  }

  onUpdate(update: CalcUpdate): void {
    const key = parseResourceKey(update.key)
    if (!key) return
    const value = update.value
    const itemKind = ITEM_PLURALS[key.plural]
    if (itemKind !== undefined) {
      this.updateItem(update.key, this.decode(value, itemKind, (res) => decodeItem(res, this.nodeName)))
      return
    }
    switch (key.plural) {
      case 'networkpolicies':
      case 'globalnetworkpolicies': {
        const kind = key.plural === 'networkpolicies' ? 'NetworkPolicy' : 'GlobalNetworkPolicy'
        const policy = this.decode(value, kind, (res) => decodePolicy(res as NetworkPolicy | GlobalNetworkPolicy, this.selectors))
        this.resolver.updatePolicy(update.key, policy)
        this.arc.updatePolicy(update.key, policy)
        return
      }
      case 'profiles': {
        const profile = this.decode(value, 'Profile', (res) => decodeProfile(res as Profile, this.selectors))
        this.inheritance.updateParent(key.name, profile?.labels)
        this.arc.updateProfile(key.name, profile)
        return
      }
      case 'tiers':
        this.resolver.updateTier(key.name, this.decode(value, 'Tier', (res) => decodeTier(res as Tier)))
        return
      case 'ippools':
        this.pools.update(update.key, this.decode(value, 'IPPool', (res) => decodeIPPool(res as IPPool)))
        return
      case 'felixconfigurations':
        this.config.update(key.name, this.decode(value, 'FelixConfiguration', (res) => (res as FelixConfiguration).spec ?? {}))
        return
      default:
      // Staged policies are never enforced; other kinds are not the graph's business.
    }
  }

  /** The datastore's first full snapshot has been fed; the next flush emits everything + InSync. */
  inSync(): void {
    this.synced = true
    this.sequencer.onInSync()
  }

  /** Runs the deferred work and returns the messages since the last flush (none before inSync). */
  flush(): CalcMessage[] {
    if (!this.synced) return []
    this.arc.flush()
    this.ipsets.index.flush()
    this.resolver.flush()
    this.config.flush()
    return this.sequencer.flush()
  }

  stats(): CalcGraphStats {
    return {
      items: this.items.size,
      localEndpoints: this.localKeys.size,
      activePolicies: this.arc.activePolicyCount,
      activeIPSets: this.scanner.activeIPSetCount,
      selectorEvaluations: this.ipsets.index.evaluations,
      invalidUpdates: this.invalid,
    }
  }

  private decode<T>(value: Resource | undefined, kind: string, decode: (res: Resource) => T | undefined): T | undefined {
    if (!value) return undefined
    if (value.kind !== kind) {
      this.invalid++
      return undefined
    }
    try {
      return decode(value)
    } catch {
      this.invalid++
      return undefined
    }
  }

  private updateItem(key: string, item: Item | undefined): void {
    const wasLocal = this.localKeys.has(key)
    if (!item) {
      if (!this.items.delete(key)) return
      this.inheritance.deleteItem(key)
      this.ipsets.deleteAddresses(key)
      if (wasLocal) this.dropLocal(key)
      return
    }
    this.items.add(key)
    this.ipsets.setAddresses(key, item.addresses)
    if (wasLocal && !item.local) {
      this.arc.updateEndpointLabels(key, undefined)
      this.dropLocal(key)
    }
    if (item.local) {
      this.localKeys.add(key)
      this.resolver.updateEndpoint(key, item.local)
      this.arc.updateEndpointProfiles(key, item.local.profileIds)
    }
    this.inheritance.updateItem(key, item.labels)
    if (item.local && !wasLocal) {
      // Inheritance reports only changes; an endpoint that just became local needs its labels now.
      const labels = this.inheritance.labelsOf(key)
      if (labels) this.arc.updateEndpointLabels(key, labels)
    }
  }

  private dropLocal(key: string): void {
    this.arc.updateEndpointProfiles(key, undefined)
    this.resolver.updateEndpoint(key, undefined)
    this.localKeys.delete(key)
  }

  private onEffectiveLabels(id: string, labels: LabelRecord | undefined): void {
    if (labels) this.ipsets.index.updateItem(id, labels)
    else this.ipsets.index.deleteItem(id)
    if (this.localKeys.has(id)) this.arc.updateEndpointLabels(id, labels)
  }
}
