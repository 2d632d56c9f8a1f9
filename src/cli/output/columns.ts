/**
 * Table columns per kind, as calicoctl v3.32.1's resourcemgr registers them: the default (ps)
 * and wide heading lists, and the heading map from column name to value.
 *
 * calicoctl computes each value with a Go template over the typed Go struct; here each value is
 * a function over the resource's JSON that reproduces what that template prints for the Go
 * field type, including zero values the JSON omits:
 *   string → "" when absent; bool → "false"; *bool / *float64 / *AssignmentMode → "<nil>";
 *   float64 via %v (a million prints "1e+06"); ASNumber (uint32) → "0" when absent;
 *   `{{if .Ptr}}` is true for any present pointer, even to false or 0.
 *
 * IPAMConfiguration and CalicoNodeStatus have no table in v3.32.1 (their resourcemgr files
 * arrived after it); the maps here are master's, so the kinds this tree registers can print.
 */

import {formatFloat} from './gofloat.js'
import {formatValue} from './gofmt.js'
import {type GoObject, type GoValue, isObject, numberOf} from './govalue.js'
import {join, joinAndTruncate} from './join.js'

/** What a value function may ask of the caller: the `config "asnumber"` lookup. */
export interface ColumnContext {
  asNumber(): string
}

export type ColumnValue = (resource: GoObject, ctx: ColumnContext) => string

export interface KindColumns {
  headings: readonly string[]
  wideHeadings: readonly string[]
  /** Column name → value, in the order of calicoctl's map literal. */
  values: ReadonlyMap<string, ColumnValue>
}

/** A custom-columns name the kind does not know. */
export class UnknownHeadingError extends Error {
  constructor(heading: string, valid: readonly string[]) {
    super(`unknown heading ${heading}, valid values are: ${valid.join(', ')}`)
    this.name = 'UnknownHeadingError'
  }
}

function at(r: GoValue | undefined, ...path: string[]): GoValue | undefined {
  let v = r
  for (const p of path) v = isObject(v) ? v[p] : undefined
  return v
}

const present = (v: GoValue | undefined): boolean => v !== undefined && v !== null
const str = (v: GoValue | undefined): string => (typeof v === 'string' ? v : present(v) ? formatValue(v) : '')
const bool = (v: GoValue | undefined): string => (v === true ? 'true' : 'false')
const ptr = (v: GoValue | undefined, show: (v: GoValue) => string): string => (present(v) ? show(v as GoValue) : '<nil>')
const float = (v: GoValue): string => formatFloat(numberOf(v) ?? 0, 'g', -1)

/** numorstring.ASNumber prints as a plain uint32; the JSON may hold a number or "a.b" dotted form. */
export function asNumberString(v: GoValue | undefined): string {
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return String(Number(v))
    const m = /^(\d+)\.(\d+)$/.exec(v)
    if (m) return String(Number(m[1]) * 65536 + Number(m[2]))
    return v
  }
  return '0'
}

const name: ColumnValue = (r) => str(at(r, 'metadata', 'name'))
const namespace: ColumnValue = (r) => str(at(r, 'metadata', 'namespace'))
const spec = (field: string): ColumnValue => (r) => str(at(r, 'spec', field))
const specBool = (field: string): ColumnValue => (r) => bool(at(r, 'spec', field))
const specJoin = (field: string): ColumnValue => (r) => join(at(r, 'spec', field), ',')
const specJoin80 = (field: string): ColumnValue => (r) => joinAndTruncate(at(r, 'spec', field), ',', 80)
const order: ColumnValue = (r) => ptr(at(r, 'spec', 'order'), float)
const len = (field: string): ColumnValue => (r) => {
  const v = at(r, 'spec', field)
  return String(Array.isArray(v) ? v.length : 0)
}
/** `{{if .Spec.X}}{{.Spec.X}}{{else}}Never{{end}}` over a string-typed mode. */
const modeOrNever = (field: string): ColumnValue => (r) => str(at(r, 'spec', field)) || 'Never'

function kind(headings: string[], wide: string[], values: [string, ColumnValue][]): KindColumns {
  return {headings, wideHeadings: wide, values: new Map(values)}
}

const policyColumns = (namespaced: boolean): KindColumns =>
  kind(['NAME', 'TIER'], ['NAME', 'TIER', 'ORDER', 'SELECTOR'], [
    ['NAME', name],
    ...(namespaced ? [['NAMESPACE', namespace] as [string, ColumnValue]] : []),
    ['ORDER', order],
    ['SELECTOR', spec('selector')],
    ['TIER', spec('tier')],
  ])

const nameOnly = (): KindColumns => kind(['NAME'], ['NAME'], [['NAME', name]])

const TABLES: Record<string, KindColumns> = {
  BGPConfiguration: kind(['NAME', 'LOGSEVERITY', 'MESHENABLED', 'ASNUMBER'], ['NAME', 'LOGSEVERITY', 'MESHENABLED', 'ASNUMBER'], [
    ['NAME', name],
    ['LOGSEVERITY', spec('logSeverityScreen')],
    ['MESHENABLED', (r) => ptrOr(at(r, 'spec', 'nodeToNodeMeshEnabled'), bool, '-')],
    ['ASNUMBER', (r) => ptrOr(at(r, 'spec', 'asNumber'), asNumberString, '-')],
  ]),
  BGPFilter: kind(
    ['NAME', 'NUMEXPORTV4', 'NUMIMPORTV4', 'NUMEXPORTV6', 'NUMIMPORTV6'],
    ['NAME', 'NUMEXPORTV4', 'NUMIMPORTV4', 'NUMEXPORTV6', 'NUMIMPORTV6'],
    [
      ['NAME', name],
      ['NUMEXPORTV4', len('exportV4')],
      ['NUMIMPORTV4', len('importV4')],
      ['NUMEXPORTV6', len('exportV6')],
      ['NUMIMPORTV6', len('importV6')],
    ],
  ),
  BGPPeer: kind(['NAME', 'PEERIP', 'NODE', 'ASN'], ['NAME', 'PEERIP', 'NODE', 'ASN'], [
    ['NAME', name],
    ['PEERIP', spec('peerIP')],
    ['NODE', (r) => str(at(r, 'spec', 'node')) || str(at(r, 'spec', 'nodeSelector')) || '(global)'],
    ['ASN', (r) => asNumberString(at(r, 'spec', 'asNumber'))],
  ]),
  CalicoNodeStatus: kind(['NAME', 'NODE'], ['NAME', 'NODE', 'CLASSES'], [
    ['NAME', name],
    ['NODE', spec('node')],
    ['CLASSES', specJoin('classes')],
  ]),
  ClusterInformation: kind(
    ['NAME', 'CLUSTERGUID', 'CLUSTERTYPE', 'CALICOVERSION', 'DATASTOREREADY'],
    ['NAME', 'CLUSTERGUID', 'CLUSTERTYPE', 'CALICOVERSION', 'DATASTOREREADY'],
    [
      ['NAME', name],
      ['CLUSTERGUID', spec('clusterGUID')],
      ['CLUSTERTYPE', spec('clusterType')],
      ['CALICOVERSION', spec('calicoVersion')],
      ['DATASTOREREADY', (r) => ptr(at(r, 'spec', 'datastoreReady'), bool)],
    ],
  ),
  FelixConfiguration: nameOnly(),
  GlobalNetworkPolicy: policyColumns(false),
  GlobalNetworkSet: kind(['NAME'], ['NAME', 'NETS'], [
    ['NAME', name],
    ['NETS', specJoin80('nets')],
  ]),
  HostEndpoint: kind(['NAME', 'NODE'], ['NAME', 'NODE', 'INTERFACE', 'IPS', 'PROFILES'], [
    ['NAME', name],
    ['NODE', spec('node')],
    ['INTERFACE', spec('interfaceName')],
    ['IPS', specJoin('expectedIPs')],
    ['PROFILES', specJoin('profiles')],
  ]),
  IPAMConfiguration: kind(['NAME', 'STRICTAFFINITY', 'AUTOALLOCATEBLOCKS'], ['NAME', 'STRICTAFFINITY', 'AUTOALLOCATEBLOCKS', 'MAXBLOCKSPERHOST'], [
    ['NAME', name],
    ['STRICTAFFINITY', specBool('strictAffinity')],
    ['AUTOALLOCATEBLOCKS', specBool('autoAllocateBlocks')],
    ['MAXBLOCKSPERHOST', (r) => String(numberOf(at(r, 'spec', 'maxBlocksPerHost')) ?? 0)],
  ]),
  IPPool: kind(
    ['NAME', 'CIDR', 'SELECTOR'],
    ['NAME', 'CIDR', 'NAT', 'IPIPMODE', 'VXLANMODE', 'DISABLED', 'DISABLEBGPEXPORT', 'SELECTOR', 'ASSIGNMENTMODE'],
    [
      ['NAME', name],
      ['CIDR', spec('cidr')],
      ['NAT', specBool('natOutgoing')],
      ['IPIPMODE', modeOrNever('ipipMode')],
      ['VXLANMODE', modeOrNever('vxlanMode')],
      ['DISABLED', specBool('disabled')],
      ['DISABLEBGPEXPORT', specBool('disableBGPExport')],
      ['SELECTOR', spec('nodeSelector')],
      ['ASSIGNMENTMODE', (r) => ptr(at(r, 'spec', 'assignmentMode'), str)],
    ],
  ),
  IPReservation: kind(['NAME'], ['NAME', 'CIDRS'], [
    ['NAME', name],
    ['CIDRS', specJoin80('reservedCIDRs')],
  ]),
  KubeControllersConfiguration: nameOnly(),
  NetworkPolicy: policyColumns(true),
  NetworkSet: kind(['NAME'], ['NAME', 'NETS'], [
    ['NAME', name],
    ['NAMESPACE', namespace],
    ['NETS', specJoin80('nets')],
  ]),
  Node: kind(['NAME'], ['NAME', 'ASN', 'IPV4', 'IPV6'], [
    ['NAME', name],
    ['ASN', nodeASN],
    ['IPV4', (r) => (present(at(r, 'spec', 'bgp')) ? str(at(r, 'spec', 'bgp', 'ipv4Address')) : '')],
    ['IPV6', (r) => (present(at(r, 'spec', 'bgp')) ? str(at(r, 'spec', 'bgp', 'ipv6Address')) : '')],
  ]),
  Profile: kind(['NAME'], ['NAME', 'LABELS'], [
    ['NAME', name],
    ['LABELS', specJoin('labelsToApply')],
  ]),
  StagedGlobalNetworkPolicy: policyColumns(false),
  StagedKubernetesNetworkPolicy: kind(['NAME'], ['NAME', 'PODSELECTOR'], [
    ['NAME', name],
    ['NAMESPACE', namespace],
    ['PODSELECTOR', spec('podSelector')],
  ]),
  StagedNetworkPolicy: policyColumns(true),
  Tier: kind(['NAME', 'ORDER'], ['NAME', 'ORDER'], [
    ['NAME', name],
    ['ORDER', order],
  ]),
  WorkloadEndpoint: kind(
    ['WORKLOAD', 'NODE', 'NETWORKS', 'INTERFACE'],
    ['NAME', 'WORKLOAD', 'NODE', 'NETWORKS', 'INTERFACE', 'PROFILES', 'NATS'],
    [
      ['NAME', name],
      ['NAMESPACE', namespace],
      ['NODE', spec('node')],
      ['ORCHESTRATOR', spec('orchestrator')],
      ['WORKLOAD', (r) => str(at(r, 'spec', 'workload')) || str(at(r, 'spec', 'pod'))],
      ['NETWORKS', specJoin('ipNetworks')],
      ['NATS', (r) => join(ipNATs(at(r, 'spec', 'ipNATs')), ',')],
      ['PROFILES', specJoin('profiles')],
      ['INTERFACE', spec('interfaceName')],
    ],
  ),
}

function ptrOr(v: GoValue | undefined, show: (v: GoValue) => string, otherwise: string): string {
  return present(v) ? show(v as GoValue) : otherwise
}

/** `{{if .Spec.BGP}}{{if .Spec.BGP.ASNumber}}…{{else}}({{config "asnumber"}}){{end}}{{end}}` */
function nodeASN(r: GoObject, ctx: ColumnContext): string {
  const bgp = at(r, 'spec', 'bgp')
  if (!present(bgp)) return ''
  const asn = at(bgp, 'asNumber')
  return present(asn) ? asNumberString(asn) : `(${ctx.asNumber()})`
}

/** IPNAT is a struct {InternalIP, ExternalIP}; fmt prints it as "{internal external}". */
function ipNATs(v: GoValue | undefined): GoValue | undefined {
  if (!Array.isArray(v)) return v
  return v.map((nat) => `{${str(at(nat, 'internalIP'))} ${str(at(nat, 'externalIP'))}}`)
}

/** The column set for a kind, or undefined when calicoctl has no table for it. */
export function kindColumns(kindName: string): KindColumns | undefined {
  return TABLES[kindName]
}

/**
 * The headings a table shows: the requested ones (custom-columns) or the kind's ps/wide set,
 * with NAMESPACE first when asked for and the kind has it. Unknown names fail the way
 * resourcemgr's GetTableTemplate does, naming the first bad one.
 */
export function resolveHeadings(
  columns: KindColumns,
  opts: {wide?: boolean; custom?: readonly string[]; namespaceColumn?: boolean},
): string[] {
  let headings = [...(opts.custom ?? (opts.wide ? columns.wideHeadings : columns.headings))]
  if (opts.namespaceColumn && columns.values.has('NAMESPACE')) headings = ['NAMESPACE', ...headings]
  for (const h of headings) if (!columns.values.has(h)) throw new UnknownHeadingError(h, [...columns.values.keys()])
  return headings
}

/** Whether printing these columns for this resource would call `config "asnumber"`. */
export function needsAsNumber(kindName: string, headings: readonly string[], resource: GoObject): boolean {
  if (kindName !== 'Node' || !headings.includes('ASN')) return false
  const bgp = at(resource, 'spec', 'bgp')
  return present(bgp) && !present(at(bgp, 'asNumber'))
}
