/**
 * IP set membership (Felix's SelectorAndNamedPortIndex): for every *active* ipset (one the rule
 * scanner says a sent policy or profile uses), the members contributed by every item in the
 * cluster its selector matches — CIDRs for selector sets, `ip,proto:port` for named-port sets.
 *
 * Members are reference-counted: two items contributing the same member (two endpoints briefly
 * sharing an IP, a network set overlapping an endpoint) add it once and remove it when the last
 * contributor goes. Output is a stream of set added/removed and member added/removed events.
 *
 * Selectors are shared: the plain set and every named-port set filtered by the same selector use one
 * selector in the label index (keyed by its uniqueId).
 */
import type {Selector} from '../selector/index.js'
import type {Addresses, PortProtocol} from './endpoints.js'
import {getOrCreate, LabelIndex} from './label-index.js'
import type {IPSetType} from './messages.js'

export interface NamedPortMatch {
  readonly name: string
  /** 'any' when the rule gives no protocol. */
  readonly protocol: PortProtocol | 'any'
}

/** One ipset as the rule scanner defines it (Felix's IPSetData). */
export interface IPSetData {
  readonly id: string
  readonly selector: Selector
  readonly namedPort: NamedPortMatch | undefined
}

export interface IPSetListener {
  onIPSetAdded(id: string, type: IPSetType): void
  onIPSetRemoved(id: string): void
  onIPSetMemberAdded(id: string, member: string): void
  onIPSetMemberRemoved(id: string, member: string): void
}

interface ActiveSet {
  readonly data: IPSetData
  readonly members: Map<string, number>
}

export class IPSetMemberCalculator {
  readonly index: LabelIndex
  private readonly sets = new Map<string, ActiveSet>()
  private readonly setsBySelector = new Map<string, Set<string>>()
  private readonly addresses = new Map<string, Addresses>()

  constructor(private readonly listener: IPSetListener) {
    this.index = new LabelIndex(
      {
        onMatchStarted: (selectorId, itemId) => this.forSetsOf(selectorId, itemId, 1),
        onMatchStopped: (selectorId, itemId) => this.forSetsOf(selectorId, itemId, -1),
      },
      {indexItems: true},
    )
  }

  activate(data: IPSetData): void {
    if (this.sets.has(data.id)) return
    const set: ActiveSet = {data, members: new Map()}
    this.sets.set(data.id, set)
    this.listener.onIPSetAdded(data.id, data.namedPort ? 'ip-and-port' : 'net')
    const selectorId = data.selector.uniqueId()
    getOrCreate(this.setsBySelector, selectorId, () => new Set<string>()).add(data.id)
    if (this.index.hasSelector(selectorId)) {
      // Shared selector: already-known matches contribute now; a still-pending one reports later.
      for (const itemId of this.index.itemsMatching(selectorId)) this.contribute(set, this.addresses.get(itemId), 1)
    } else {
      this.index.updateSelector(selectorId, data.selector)
    }
  }

  deactivate(id: string): void {
    const set = this.sets.get(id)
    if (!set) return
    this.sets.delete(id)
    this.listener.onIPSetRemoved(id)
    const selectorId = set.data.selector.uniqueId()
    const siblings = this.setsBySelector.get(selectorId)
    siblings?.delete(id)
    if (siblings && siblings.size === 0) {
      this.setsBySelector.delete(selectorId)
      this.index.deleteSelector(selectorId)
    }
  }

  /** Sets (or changes) an item's addresses. Call before its labels reach the index. */
  setAddresses(itemId: string, addresses: Addresses): void {
    const old = this.addresses.get(itemId)
    if (old && sameAddresses(old, addresses)) return
    const matches = this.index.matchesOf(itemId)
    if (old && matches) for (const selectorId of matches) this.forSetsOf(selectorId, itemId, -1)
    this.addresses.set(itemId, addresses)
    if (old && matches) for (const selectorId of matches) this.forSetsOf(selectorId, itemId, 1)
  }

  /** Forgets an item's addresses. Call after the item has left the index. */
  deleteAddresses(itemId: string): void {
    this.addresses.delete(itemId)
  }

  /** Current members of an active set (tests and from-scratch checks). */
  membersOf(id: string): string[] {
    return [...(this.sets.get(id)?.members.keys() ?? [])]
  }

  private forSetsOf(selectorId: string, itemId: string, delta: 1 | -1): void {
    const ids = this.setsBySelector.get(selectorId)
    if (!ids) return
    const addresses = this.addresses.get(itemId)
    for (const id of ids) this.contribute(this.sets.get(id) as ActiveSet, addresses, delta)
  }

  private contribute(set: ActiveSet, addresses: Addresses | undefined, delta: 1 | -1): void {
    if (!addresses) return
    const namedPort = set.data.namedPort
    if (!namedPort) {
      for (const cidr of addresses.cidrs) this.count(set, cidr, delta)
      return
    }
    for (const port of addresses.ports) {
      if (port.name !== namedPort.name) continue
      if (namedPort.protocol !== 'any' && namedPort.protocol !== port.protocol) continue
      for (const ip of addresses.ips) this.count(set, `${ip},${port.protocol}:${port.port}`, delta)
    }
  }

  private count(set: ActiveSet, member: string, delta: 1 | -1): void {
    const current = set.members.get(member) ?? 0
    if (current === 0 && delta === -1) return
    const n = current + delta
    if (n > 0) {
      set.members.set(member, n)
      if (n === 1 && delta === 1) this.listener.onIPSetMemberAdded(set.data.id, member)
      return
    }
    set.members.delete(member)
    this.listener.onIPSetMemberRemoved(set.data.id, member)
  }
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false
  return true
}

function sameAddresses(a: Addresses, b: Addresses): boolean {
  const eq = (x: string, y: string): boolean => x === y
  return (
    sameList(a.cidrs, b.cidrs, eq) &&
    sameList(a.ips, b.ips, eq) &&
    sameList(a.ports, b.ports, (x, y) => x.name === y.name && x.protocol === y.protocol && x.port === y.port)
  )
}
