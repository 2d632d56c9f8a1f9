/**
 * One Calico rule, compiled once and matched against a packet many times, with Felix's
 * semantics (rules/policy.go, calc/rule_scanner.go):
 *
 * - a rule for the other IP version never matches; so does a rule one of whose nets/notNets
 *   lists is non-empty but holds no CIDR of the packet's version, and a rule whose notNets holds
 *   the catch-all CIDR of the packet's version (FilterRuleToIPVersion drops such rules);
 * - selectors match by IP set membership: the peer's IP must belong to some endpoint or network
 *   set the selector selects; a notSelector is folded into the positive selector when there is one
 *   (combineMatchesIfPossible), otherwise it stands alone;
 * - `ports` is an OR over numeric ports, ranges and named ports; a named port matches the IP+port
 *   of an endpoint selected by the rule's positive selector for that side whose port of that name
 *   has the rule's protocol (any protocol when the rule has none); `notPorts` excludes the same;
 * - HTTP matches are not rendered by Felix (L7, enforced only by application-layer policy):
 *   the rule matches on its L3/L4 fields and the trace says so;
 * - `services` matches need Kubernetes Services, which are not in this datastore: such a rule
 *   never matches here, and the trace says so.
 */
import {portFromJSON, type EntityRule, type ProtocolJSON, type Rule} from '../api/index.js'
import {entityRuleSelector, parseSelector, SelectorParseError, type Selector} from '../selector/index.js'
import {inNet, netVersionOf, parseNet, type Addr, type GoIPNet} from './net.js'
import {namedPortProtocol, protocolToNumber} from './protocols.js'
import type {RuleAction} from './types.js'

/** Something that owns an IP for rule-selector purposes: an endpoint, a network set, a labelled IP. */
export interface Contributor {
  readonly labels: Readonly<Record<string, string>>
  /** Named ports of an endpoint: name, member protocol number, port, and the declared protocol. */
  readonly ports: readonly NamedPort[]
}

export interface NamedPort {
  readonly name: string
  /** The declared protocol as a number (undefined when absent or unknown). */
  readonly declared: number | undefined
  /** The protocol of the IP set member it becomes: UDP, SCTP, else TCP. */
  readonly member: number
  readonly port: number
}

/** The packet and its two ends, as one direction's rules see it. */
export interface Packet {
  readonly version: 4 | 6
  readonly protocol: number
  readonly src: Addr
  readonly dst: Addr
  readonly srcPort?: number
  readonly dstPort?: number
  readonly icmp?: {readonly type: number; readonly code?: number}
  readonly srcOwners: readonly Contributor[]
  readonly dstOwners: readonly Contributor[]
  /** Collects what the match had to assume (unknown ports, unknown ICMP type, services). */
  readonly assumptions: Set<string>
}

interface NetList {
  readonly v4: readonly GoIPNet[]
  readonly v6: readonly GoIPNet[]
  /** Whether a catch-all (ones == 0) network of each version is present (matters negated). */
  readonly catchAll4: boolean
  readonly catchAll6: boolean
}

interface PortRange {
  readonly min: number
  readonly max: number
}

interface CompiledEntity {
  readonly nets?: NetList
  readonly notNets?: NetList
  readonly selector?: Selector
  readonly notSelector?: Selector
  readonly ports: readonly PortRange[]
  readonly namedPorts: readonly string[]
  readonly notPorts: readonly PortRange[]
  readonly notNamedPorts: readonly string[]
  readonly service?: string
}

interface ICMPMatch {
  readonly type?: number
  readonly code?: number
}

export interface CompiledRule {
  readonly index: number
  readonly action: RuleAction
  /** Whether Felix renders the rule for IPv4 / IPv6 (ipVersion and nets filtering). */
  readonly rendersV4: boolean
  readonly rendersV6: boolean
  readonly protocol?: number
  readonly notProtocol?: number
  readonly icmp?: ICMPMatch
  readonly notICMP?: ICMPMatch
  /** Protocol of named-port members this rule matches; undefined = any. */
  readonly namedPortProtocol?: number
  readonly src: CompiledEntity
  readonly dst: CompiledEntity
  /** Notes to show when this rule decides (HTTP match not evaluated). */
  readonly notes: readonly string[]
}

const NEVER: Selector = parseSelector('has(projectcalico.org/never) && !has(projectcalico.org/never)')

/** Parses a (rewritten) selector; one that does not parse selects nothing. */
export function compileSelector(text: string): Selector {
  try {
    return parseSelector(text)
  } catch (err) {
    // Validation keeps bad selectors out of the datastore; one that slips through selects nothing.
    if (err instanceof SelectorParseError) return NEVER
    throw err
  }
}

function compileNets(nets: readonly string[] | undefined): NetList | undefined {
  if (!nets || nets.length === 0) return undefined
  const v4: GoIPNet[] = []
  const v6: GoIPNet[] = []
  for (const text of nets) {
    const net = parseNet(text)
    if (!net) continue
    if (netVersionOf(net) === 4) v4.push(net)
    else v6.push(net)
  }
  return {
    v4,
    v6,
    catchAll4: v4.some((n) => n.ones === 0),
    catchAll6: v6.some((n) => n.ones === 0),
  }
}

function splitPorts(ports: EntityRule['ports']): {numeric: PortRange[]; named: string[]} {
  const numeric: PortRange[] = []
  const named: string[] = []
  for (const p of ports ?? []) {
    try {
      const value = portFromJSON(p)
      if (value.portName !== '') named.push(value.portName)
      else numeric.push({min: value.minPort, max: value.maxPort})
    } catch {
      // A port that does not parse never matches; validation rejects it on write.
    }
  }
  return {numeric, named}
}

function compileEntity(entity: EntityRule | undefined, namespace: string): CompiledEntity {
  const e = entity ?? {}
  let positive = entityRuleSelector(e, namespace)
  let negative = e.notSelector ?? ''
  if (positive !== '' && negative !== '') {
    positive = `(${positive}) && (!(${negative}))`
    negative = ''
  }
  const ports = splitPorts(e.ports)
  const notPorts = splitPorts(e.notPorts)
  const service = e.services ? `${e.services.namespace || namespace}/${e.services.name ?? ''}` : undefined
  return {
    nets: compileNets(e.nets),
    notNets: compileNets(e.notNets),
    selector: positive === '' ? undefined : compileSelector(positive),
    notSelector: negative === '' ? undefined : compileSelector(negative),
    ports: ports.numeric,
    namedPorts: ports.named,
    notPorts: notPorts.numeric,
    notNamedPorts: notPorts.named,
    service,
  }
}

/** FilterRuleToIPVersion: whether a rule survives filtering to `version` (computed at compile time). */
function rendersFor(rule: Rule, src: CompiledEntity, dst: CompiledEntity, version: 4 | 6): boolean {
  if (rule.ipVersion !== undefined && rule.ipVersion !== 0 && rule.ipVersion !== version) return false
  const lists: ReadonlyArray<readonly [NetList | undefined, boolean]> = [
    [src.nets, false],
    [src.notNets, true],
    [dst.nets, false],
    [dst.notNets, true],
  ]
  for (const [list, negated] of lists) {
    if (!list) continue
    const sameVersion = version === 4 ? list.v4 : list.v6
    if (sameVersion.length === 0) return false
    if (negated && (version === 4 ? list.catchAll4 : list.catchAll6)) return false
  }
  return true
}

function protocolOf(p: ProtocolJSON | undefined): number | undefined {
  if (p === undefined) return undefined
  // An unknown name cannot match any packet: -1 is no protocol number.
  return protocolToNumber(p) ?? -1
}

function icmpOf(fields: Rule['icmp']): ICMPMatch | undefined {
  if (!fields || (fields.type === undefined && fields.code === undefined)) return undefined
  return {type: fields.type, code: fields.code}
}

function actionOf(action: string | undefined): RuleAction {
  switch ((action ?? '').toLowerCase()) {
    case 'allow':
      return 'Allow'
    case 'log':
      return 'Log'
    case 'pass':
    case 'next-tier':
      return 'Pass'
    default:
      // Deny, and anything validation would have refused: fail closed.
      return 'Deny'
  }
}

/**
 * Compiles a rule of a policy in `namespace` ('' for global policies and profiles), applying
 * Calico's entity-rule selector rewriting (namespace scoping, namespaceSelector, serviceAccounts).
 */
export function compileRule(rule: Rule, index: number, namespace: string): CompiledRule {
  const notes: string[] = []
  if (rule.http && ((rule.http.methods?.length ?? 0) > 0 || (rule.http.paths?.length ?? 0) > 0)) {
    notes.push('this rule has an HTTP match (methods/paths): Felix does not enforce it at L3/L4, so it matched on its other fields; only application-layer policy would check the HTTP request')
  }
  const src = compileEntity(rule.source, namespace)
  const dst = compileEntity(rule.destination, namespace)
  return {
    index,
    action: actionOf(rule.action),
    rendersV4: rendersFor(rule, src, dst, 4),
    rendersV6: rendersFor(rule, src, dst, 6),
    protocol: protocolOf(rule.protocol),
    notProtocol: protocolOf(rule.notProtocol),
    icmp: icmpOf(rule.icmp),
    notICMP: icmpOf(rule.notICMP),
    namedPortProtocol: namedPortProtocol(rule.protocol),
    src,
    dst,
    notes,
  }
}

export function compileRules(rules: readonly Rule[] | undefined, namespace: string): CompiledRule[] {
  return (rules ?? []).map((rule, index) => compileRule(rule, index, namespace))
}

function anyNetContains(list: NetList, addr: Addr): boolean {
  const nets = addr.version === 4 ? list.v4 : list.v6
  for (const net of nets) if (inNet(net, addr)) return true
  return false
}

function inRanges(ranges: readonly PortRange[], port: number): boolean {
  for (const r of ranges) if (port >= r.min && port <= r.max) return true
  return false
}

function selects(selector: Selector, owners: readonly Contributor[]): boolean {
  for (const owner of owners) if (selector.evaluate(owner.labels)) return true
  return false
}

/** Whether the packet's IP+port is in the named-port IP set (selector, protocol, name). */
function inNamedPort(
  name: string,
  selector: Selector | undefined,
  ruleProtocol: number | undefined,
  owners: readonly Contributor[],
  protocol: number,
  port: number,
): boolean {
  for (const owner of owners) {
    if (selector && !selector.evaluate(owner.labels)) continue
    for (const p of owner.ports) {
      if (p.name !== name) continue
      if (ruleProtocol !== undefined && p.declared !== ruleProtocol) continue
      if (p.member === protocol && p.port === port) return true
    }
  }
  return false
}

function anyNamedPort(
  names: readonly string[],
  entity: CompiledEntity,
  rule: CompiledRule,
  owners: readonly Contributor[],
  protocol: number,
  port: number,
): boolean {
  for (const name of names) {
    if (inNamedPort(name, entity.selector, rule.namedPortProtocol, owners, protocol, port)) return true
  }
  return false
}

function entityMatches(rule: CompiledRule, entity: CompiledEntity, side: 'source' | 'destination', addr: Addr, port: number | undefined, owners: readonly Contributor[], packet: Packet): boolean {
  if (entity.service !== undefined) {
    packet.assumptions.add(`rules with a ${side} services match (${entity.service}) never match here: Kubernetes Services are not in this datastore`)
    return false
  }
  if (entity.nets && !anyNetContains(entity.nets, addr)) return false
  if (entity.notNets && anyNetContains(entity.notNets, addr)) return false
  if (entity.selector && !selects(entity.selector, owners)) return false
  if (entity.notSelector && selects(entity.notSelector, owners)) return false
  if (entity.ports.length > 0 || entity.namedPorts.length > 0) {
    if (port === undefined) {
      packet.assumptions.add(`no ${side} port given: rules with ${side} ports were taken not to match`)
      return false
    }
    const hit = inRanges(entity.ports, port) || anyNamedPort(entity.namedPorts, entity, rule, owners, packet.protocol, port)
    if (!hit) return false
  }
  if (entity.notPorts.length > 0 || entity.notNamedPorts.length > 0) {
    if (port === undefined) {
      packet.assumptions.add(`no ${side} port given: ${side} notPorts were taken to match (the port is not listed)`)
      return true
    }
    if (inRanges(entity.notPorts, port)) return false
    if (anyNamedPort(entity.notNamedPorts, entity, rule, owners, packet.protocol, port)) return false
  }
  return true
}

function icmpMatches(m: ICMPMatch, packet: Packet): boolean | undefined {
  if (!packet.icmp) return undefined
  if (m.type !== undefined && packet.icmp.type !== m.type) return false
  if (m.code !== undefined && packet.icmp.code !== m.code) return false
  return true
}

const ICMP_BY_VERSION = {4: 1, 6: 58} as const

/** Whether the rule matches the packet (see the module comment for the semantics). */
export function ruleMatches(rule: CompiledRule, packet: Packet): boolean {
  if (!(packet.version === 4 ? rule.rendersV4 : rule.rendersV6)) return false
  if (rule.protocol !== undefined && rule.protocol !== packet.protocol) return false
  if (rule.notProtocol !== undefined && rule.notProtocol === packet.protocol) return false
  if (rule.icmp || rule.notICMP) {
    // The icmp/icmp6 matches only ever see ICMP packets of the table's version.
    if (packet.protocol !== ICMP_BY_VERSION[packet.version]) return false
    if (rule.icmp) {
      const hit = icmpMatches(rule.icmp, packet)
      if (hit === undefined) packet.assumptions.add('no ICMP type given: rules with an ICMP type/code were taken not to match')
      if (hit !== true) return false
    }
    if (rule.notICMP) {
      const hit = icmpMatches(rule.notICMP, packet)
      if (hit === undefined) packet.assumptions.add('no ICMP type given: rules with notICMP were taken to match')
      if (hit === true) return false
    }
  }
  if (!entityMatches(rule, rule.src, 'source', packet.src, packet.srcPort, packet.srcOwners, packet)) return false
  return entityMatches(rule, rule.dst, 'destination', packet.dst, packet.dstPort, packet.dstOwners, packet)
}
