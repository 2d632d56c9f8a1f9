/**
 * v3 rules → dataplane rules (Felix's rules.go update processor + RuleScanner.ruleToParsedRule):
 * entity-rule selectors are folded with namespace and service-account matches as Calico does
 * (src/selector/policy-selectors.ts), then every selector and named port becomes an ipset id.
 *
 * - A positive and a negated selector on the same side are combined into one selector
 *   `(<sel>) && (!(<notSel>))` (combineMatchesIfPossible): fewer, smaller sets.
 * - Named ports become ip+port sets filtered by the side's positive selector (all() without one),
 *   id `n:` + hash of `<selector id>,<proto>,<port name>`; when a side has named ports and no
 *   numeric ports the plain selector set is omitted, since the named-port set implies it.
 * - nets stay inline (CIDRs in network form).
 */
import {
  parseCIDROrIP,
  netString,
  portFromJSON,
  type EntityRule,
  type PortJSON,
  type ProtocolJSON,
  type Rule as ApiRule,
} from '../api/index.js'
import {entityRuleSelector, parseSelector, type Selector} from '../selector/index.js'
import {makeUniqueId} from './hash.js'
import type {IPSetData, NamedPortMatch} from './ipset-members.js'
import type {PortRange, Rule, RuleAction} from './messages.js'

/** Parses selector text once per distinct text (rules repeat selectors a lot). */
export class SelectorCache {
  private readonly cache = new Map<string, Selector>()

  parse(text: string): Selector {
    let selector = this.cache.get(text)
    if (!selector) {
      selector = parseSelector(text)
      if (this.cache.size > 50_000) this.cache.clear()
      this.cache.set(text, selector)
    }
    return selector
  }
}

/** Rules converted, and the ipsets they reference (deduplicated by id). */
export interface ConvertedRules {
  readonly inbound: readonly Rule[]
  readonly outbound: readonly Rule[]
  readonly ipsets: readonly IPSetData[]
}

const ACTIONS: Readonly<Record<string, RuleAction>> = {Allow: 'allow', Deny: 'deny', Pass: 'next-tier', Log: 'log'}

function namedPortProtocol(protocol: ProtocolJSON | undefined): NamedPortMatch['protocol'] {
  if (protocol === undefined) return 'any'
  if (protocol === 17 || (typeof protocol === 'string' && protocol.toLowerCase() === 'udp')) return 'udp'
  if (protocol === 132 || (typeof protocol === 'string' && protocol.toLowerCase() === 'sctp')) return 'sctp'
  return 'tcp'
}

function impliedIPVersion(rule: ApiRule): 4 | 6 | undefined {
  if (rule.ipVersion === 4 || rule.ipVersion === 6) return rule.ipVersion
  const p = rule.protocol
  if (p === 'ICMP' || p === 1) return 4
  if (p === 'ICMPv6' || p === 58) return 6
  return undefined
}

function splitPorts(ports: readonly PortJSON[] | undefined): {numeric: PortRange[]; named: string[]} {
  const numeric: PortRange[] = []
  const named: string[] = []
  for (const port of ports ?? []) {
    const value = portFromJSON(port)
    if (value.portName !== '') named.push(value.portName)
    else numeric.push({first: value.minPort, last: value.maxPort})
  }
  return {numeric, named}
}

const normaliseNets = (nets: readonly string[] | undefined): string[] => (nets ?? []).map((n) => netString(parseCIDROrIP(n).net))

class RuleConverter {
  readonly ipsets = new Map<string, IPSetData>()

  constructor(
    private readonly selectors: SelectorCache,
    private readonly namespace: string,
  ) {}

  private selectorSet(selector: Selector): string {
    const id = selector.uniqueId()
    if (!this.ipsets.has(id)) this.ipsets.set(id, {id, selector, namedPort: undefined})
    return id
  }

  private namedPortSet(selector: Selector, name: string, protocol: NamedPortMatch['protocol']): string {
    const id = makeUniqueId('n', `${selector.uniqueId()},${protocol},${name}`)
    if (!this.ipsets.has(id)) this.ipsets.set(id, {id, selector, namedPort: {name, protocol}})
    return id
  }

  convert(rule: ApiRule): Rule {
    const src = this.side(rule.source, rule.protocol)
    const dst = this.side(rule.destination, rule.protocol)
    const ipVersion = impliedIPVersion(rule)
    const http = rule.http
    const annotations = rule.metadata?.annotations
    return {
      action: ACTIONS[rule.action ?? ''] ?? 'deny',
      ...(ipVersion !== undefined ? {ipVersion} : {}),
      ...(rule.protocol !== undefined ? {protocol: rule.protocol} : {}),
      ...(rule.notProtocol !== undefined ? {notProtocol: rule.notProtocol} : {}),
      srcNets: src.nets,
      srcPorts: src.ports,
      srcNamedPortIpSetIds: src.namedPortSets,
      srcIpSetIds: src.selectorSets,
      dstNets: dst.nets,
      dstPorts: dst.ports,
      dstNamedPortIpSetIds: dst.namedPortSets,
      dstIpSetIds: dst.selectorSets,
      ...(rule.icmp?.type !== undefined ? {icmp: {type: rule.icmp.type, ...(rule.icmp.code !== undefined ? {code: rule.icmp.code} : {})}} : {}),
      notSrcNets: src.notNets,
      notSrcPorts: src.notPorts,
      notSrcNamedPortIpSetIds: src.notNamedPortSets,
      notSrcIpSetIds: src.notSelectorSets,
      notDstNets: dst.notNets,
      notDstPorts: dst.notPorts,
      notDstNamedPortIpSetIds: dst.notNamedPortSets,
      notDstIpSetIds: dst.notSelectorSets,
      ...(rule.notICMP?.type !== undefined
        ? {notIcmp: {type: rule.notICMP.type, ...(rule.notICMP.code !== undefined ? {code: rule.notICMP.code} : {})}}
        : {}),
      originalSrcSelector: src.originalSelector,
      originalDstSelector: dst.originalSelector,
      originalNotSrcSelector: src.originalNotSelector,
      originalNotDstSelector: dst.originalNotSelector,
      ...(http ? {httpMatch: {methods: http.methods ?? [], paths: http.paths ?? []}} : {}),
      ...(annotations && Object.keys(annotations).length > 0 ? {annotations} : {}),
    }
  }

  private side(entity: EntityRule | undefined, protocol: ProtocolJSON | undefined) {
    const e = entity ?? {}
    const originalSelector = entityRuleSelector(e, this.namespace)
    const originalNotSelector = e.notSelector ?? ''
    let positive = originalSelector
    let negative = originalNotSelector
    if (positive !== '' && negative !== '') {
      positive = `(${positive}) && (!(${negative}))`
      negative = ''
    }
    const positiveSel = positive !== '' ? this.selectors.parse(positive) : undefined
    const negativeSel = negative !== '' ? this.selectors.parse(negative) : undefined
    const ports = splitPorts(e.ports)
    const notPorts = splitPorts(e.notPorts)
    const proto = namedPortProtocol(protocol)
    const filter = positiveSel ?? this.selectors.parse('all()')
    const selectorSets: string[] = []
    if (positiveSel && (ports.numeric.length > 0 || ports.named.length === 0)) selectorSets.push(this.selectorSet(positiveSel))
    return {
      originalSelector,
      originalNotSelector,
      nets: normaliseNets(e.nets),
      notNets: normaliseNets(e.notNets),
      ports: ports.numeric,
      notPorts: notPorts.numeric,
      namedPortSets: ports.named.map((name) => this.namedPortSet(filter, name, proto)),
      notNamedPortSets: notPorts.named.map((name) => this.namedPortSet(filter, name, proto)),
      selectorSets,
      notSelectorSets: negativeSel ? [this.selectorSet(negativeSel)] : [],
    }
  }
}

/**
 * Converts a policy's or profile's rules (`namespace` '' for global policies and profiles).
 * Throws SelectorParseError (or a CIDR/port parse error) for rules validation should have stopped;
 * the graph then treats the resource as absent.
 */
export function convertRules(
  inbound: readonly ApiRule[] | undefined,
  outbound: readonly ApiRule[] | undefined,
  namespace: string,
  selectors: SelectorCache,
): ConvertedRules {
  const converter = new RuleConverter(selectors, namespace)
  return {
    inbound: (inbound ?? []).map((r) => converter.convert(r)),
    outbound: (outbound ?? []).map((r) => converter.convert(r)),
    ipsets: [...converter.ipsets.values()],
  }
}

/** A rule that matches every packet (no match criteria) with this action; `extra` adds criteria. */
export function matchAllRule(action: Rule['action'], extra: Partial<Rule> = {}): Rule {
  return {
    action,
    srcNets: [],
    srcPorts: [],
    srcNamedPortIpSetIds: [],
    srcIpSetIds: [],
    dstNets: [],
    dstPorts: [],
    dstNamedPortIpSetIds: [],
    dstIpSetIds: [],
    notSrcNets: [],
    notSrcPorts: [],
    notSrcNamedPortIpSetIds: [],
    notSrcIpSetIds: [],
    notDstNets: [],
    notDstPorts: [],
    notDstNamedPortIpSetIds: [],
    notDstIpSetIds: [],
    originalSrcSelector: '',
    originalDstSelector: '',
    originalNotSrcSelector: '',
    originalNotDstSelector: '',
    ...extra,
  }
}

/** Felix's DummyDropRules: what a local endpoint's missing profile becomes (fail closed). */
export const DUMMY_DROP_RULES: ConvertedRules = (() => {
  const deny = matchAllRule('deny')
  return {inbound: [deny], outbound: [deny], ipsets: []}
})()
