/**
 * The raw, mangle and nat tables' fixed chains and kernel hooks (Felix rules/static.go
 * StaticRawTableChains, StaticMangleTableChains, StaticNATTableChains; rules/nat.go). Rule text
 * follows felix/fv/cali-iptables-dump.txt; overlay parts (VXLAN NOTRACK, tunnel MASQUERADE),
 * WireGuard, IPVS, TPROXY and DSCP are omitted, as in the filter table.
 */
import type {NatInfo} from '../../calc/messages.js'
import type {ProtoPort, RenderConfig} from './config.js'
import {M, type Action, type Chain, type Rule} from './model.js'
import {CHAINS, IPSET_ALL_POOLS, IPSET_MASQ_POOLS, MARK, MARK_ALL_CALICO} from './names.js'

const accept: Action = {kind: 'accept'}
const ret: Action = {kind: 'return'}
const clear = (mask: number): Action => ({kind: 'set-mark', mark: 0, mask})
const jump = (target: string): Action => ({kind: 'jump', target})
const HEP_ACCEPTED = 'Host endpoint policy accepted packet.'

/** "Came from a workload" in raw PREROUTING (Felix uses scratch0 for it). */
const FROM_WORKLOAD = MARK.scratch0

// ---- raw ---------------------------------------------------------------------------------------

/**
 * raw cali-PREROUTING: clear our marks; mark packets from `cali+`; workload packets go through
 * cali-rpf-skip (allowed spoofed prefixes) and a strict RPF check (dropped if the source would not
 * route back out of the interface they came in on); everything else goes to the untracked host
 * endpoint dispatch, and what untracked policy allowed is accepted here.
 */
function rawPrerouting(): Chain {
  return {
    name: CHAINS.prerouting,
    rules: [
      {match: [], action: clear(MARK_ALL_CALICO)},
      {match: [M.inIface('cali+')], action: {kind: 'set-mark', mark: FROM_WORKLOAD, mask: FROM_WORKLOAD}},
      {match: [M.markSet(FROM_WORKLOAD)], action: jump(CHAINS.rpfSkip)},
      {match: [M.markSet(FROM_WORKLOAD), M.rpfFailed()], action: {kind: 'drop'}},
      {match: [M.markClear(FROM_WORKLOAD)], action: jump(CHAINS.fromHostDispatch)},
      {match: [M.markSet(MARK.accept)], action: accept},
    ],
  }
}

/** raw cali-OUTPUT: untracked egress host endpoint policy for host-originated traffic. */
function rawOutput(): Chain {
  return {
    name: CHAINS.output,
    rules: [
      {match: [], action: clear(MARK_ALL_CALICO)},
      {match: [], action: jump(CHAINS.toHostDispatch)},
      {match: [M.markSet(MARK.accept)], action: accept},
    ],
  }
}

/** Workloads allowed to send from other prefixes skip the RPF check for those sources. */
export interface SpoofAllowance {
  readonly iface: string
  readonly prefixes: readonly string[]
}

function rpfSkip(allowances: readonly SpoofAllowance[]): Chain {
  const rules: Rule[] = []
  for (const {iface, prefixes} of [...allowances].sort((a, b) => (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0))) {
    for (const prefix of prefixes) if (!prefix.includes(':')) rules.push({match: [M.inIface(iface), M.src(prefix)], action: accept})
  }
  return {name: CHAINS.rpfSkip, rules}
}

const failsafeRule = (p: ProtoPort, port: 'dst' | 'src', net: 'src' | 'dst'): Rule => ({
  match: [
    M.proto(p.protocol),
    ...(p.net === undefined ? [] : [net === 'src' ? M.src(p.net) : M.dst(p.net)]),
    port === 'dst' ? M.dstPorts(`${p.port}`) : M.srcPorts(`${p.port}`),
  ],
  action: accept,
})

/**
 * Failsafe chains for the raw table: besides the usual ports, the replies of the other direction's
 * failsafe connections (source port = a failsafe port), since raw runs before conntrack and a reply
 * must not fall into untracked policy (Felix failsafeInChain/failsafeOutChain with table "raw").
 */
function rawFailsafeChains(cfg: RenderConfig): Chain[] {
  return [
    {
      name: CHAINS.failsafeIn,
      rules: [...cfg.failsafeInbound.map((p) => failsafeRule(p, 'dst', 'src')), ...cfg.failsafeOutbound.map((p) => failsafeRule(p, 'src', 'src'))],
    },
    {
      name: CHAINS.failsafeOut,
      rules: [...cfg.failsafeOutbound.map((p) => failsafeRule(p, 'dst', 'dst')), ...cfg.failsafeInbound.map((p) => failsafeRule(p, 'src', 'dst'))],
    },
  ]
}

export function staticRawChains(cfg: RenderConfig, spoofing: readonly SpoofAllowance[]): Chain[] {
  return [rawPrerouting(), rawOutput(), rpfSkip(spoofing), ...rawFailsafeChains(cfg)]
}

// ---- mangle ------------------------------------------------------------------------------------

/** mangle cali-PREROUTING: established traffic and raw-accepted packets pass; then pre-DNAT policy. */
function manglePrerouting(): Chain {
  return {
    name: CHAINS.prerouting,
    rules: [
      {match: [M.ctState('RELATED,ESTABLISHED')], action: accept},
      {match: [M.markSet(MARK.accept)], action: accept},
      {match: [], action: jump(CHAINS.fromHostDispatch)},
      {match: [M.markSet(MARK.accept)], action: accept, comments: [HEP_ACCEPTED]},
    ],
  }
}

/**
 * mangle cali-POSTROUTING: normal egress host endpoint policy for host-originated traffic that was
 * DNAT'd (its outgoing interface is only known here); forwarded traffic (accept mark from filter
 * FORWARD) is left alone.
 */
function manglePostrouting(): Chain {
  return {
    name: CHAINS.postrouting,
    rules: [
      {match: [M.markSet(MARK.accept)], action: ret},
      {match: [], action: clear(MARK_ALL_CALICO)},
      {match: [M.ctState('DNAT')], action: jump(CHAINS.toHostDispatch)},
      {match: [M.markSet(MARK.accept)], action: ret, comments: [HEP_ACCEPTED]},
    ],
  }
}

function plainFailsafeChains(cfg: RenderConfig): Chain[] {
  return [
    {name: CHAINS.failsafeIn, rules: cfg.failsafeInbound.map((p) => failsafeRule(p, 'dst', 'src'))},
    {name: CHAINS.failsafeOut, rules: cfg.failsafeOutbound.map((p) => failsafeRule(p, 'dst', 'dst'))},
  ]
}

export function staticMangleChains(cfg: RenderConfig): Chain[] {
  return [manglePrerouting(), manglePostrouting(), ...plainFailsafeChains(cfg)]
}

// ---- nat ---------------------------------------------------------------------------------------

export interface NatOptions {
  /** Some IPv4 pool has natOutgoing. */
  readonly natOutgoing: boolean
  /** MASQUERADE --random-fully is supported (iptables ≥ 1.6.2, kernel ≥ 3.14). */
  readonly randomFully: boolean
  /** Floating IPs of local workloads (WorkloadEndpoint ipv4Nat). */
  readonly floatingIps: readonly NatInfo[]
}

/**
 * Felix NATOutgoingChain: source in a natOutgoing pool and destination outside every Calico pool
 * (disabled pools included) → MASQUERADE. Empty when no pool has natOutgoing.
 */
export function natOutgoingChain(options: NatOptions): Chain {
  return {
    name: CHAINS.natOutgoing,
    rules: options.natOutgoing
      ? [{match: [M.srcSet(IPSET_MASQ_POOLS), M.notDstSet(IPSET_ALL_POOLS)], action: {kind: 'masquerade', randomFully: options.randomFully}}]
      : [],
  }
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)

export function staticNatChains(options: NatOptions): Chain[] {
  const v4 = options.floatingIps.filter((n) => !n.extIp.includes(':') && !n.intIp.includes(':'))
  const dnat = [...new Map(v4.map((n) => [n.extIp, n])).values()].sort(byKey((n) => n.extIp))
  const snat = [...new Map(v4.map((n) => [n.intIp, n])).values()].sort(byKey((n) => n.intIp))
  return [
    {name: CHAINS.prerouting, rules: [{match: [], action: jump(CHAINS.fipDnat)}]},
    {name: CHAINS.output, rules: [{match: [], action: jump(CHAINS.fipDnat)}]},
    {name: CHAINS.postrouting, rules: [{match: [], action: jump(CHAINS.fipSnat)}, {match: [], action: jump(CHAINS.natOutgoing)}]},
    {name: CHAINS.fipDnat, rules: dnat.map((n) => ({match: [M.dst(n.extIp)], action: {kind: 'dnat', to: n.intIp}}))},
    {name: CHAINS.fipSnat, rules: snat.map((n) => ({match: [M.dst(n.intIp), M.src(n.intIp)], action: {kind: 'snat', to: n.extIp}}))},
    natOutgoingChain(options),
  ]
}

// ---- kernel hooks ------------------------------------------------------------------------------

/** Rules inserted at the top of each table's kernel chains (the filter table's are in static.ts). */
export function tableInserts(table: 'raw' | 'mangle' | 'nat'): Map<string, Rule[]> {
  const hook = (kernel: string, target: string): [string, Rule[]] => [kernel, [{match: [], action: jump(target)}]]
  switch (table) {
    case 'raw':
      return new Map([hook('PREROUTING', CHAINS.prerouting), hook('OUTPUT', CHAINS.output)])
    case 'mangle':
      return new Map([hook('PREROUTING', CHAINS.prerouting), hook('POSTROUTING', CHAINS.postrouting)])
    case 'nat':
      return new Map([hook('PREROUTING', CHAINS.prerouting), hook('OUTPUT', CHAINS.output), hook('POSTROUTING', CHAINS.postrouting)])
  }
}
