/**
 * `ipam check` (calicoctl commands/ipam/check.go): cross-references IPAM allocations with what
 * actually uses addresses (node tunnel addresses, workload endpoints) and with handles, prints
 * calicoctl's progress lines and problem counts, and builds the JSON report that
 * `ipam release --from-report` consumes. loadCheckInputs does the reading; analyse() is pure.
 */
import type {ClusterInformation, KubeControllersConfiguration, Node, WorkloadEndpoint} from '../api/index.js'
import {affinityHost, allocatedOrdinals, attributeOf, ordinalAddr, WINDOWS_RESERVED_HANDLE} from './block.js'
import type {IPAMContext} from './context.js'
import type {AllocationBlock, Attribute} from './model.js'
import {addrString, netContainsAddr, parseAddr, parseNet, type Net} from './net.js'

export interface CheckInputs {
  clusterGUID: string
  clusterType: string
  clusterInformationRevision: string
  datastoreLocked: boolean
  blocks: AllocationBlock[]
  /** Enabled pools' CIDRs as written. */
  activePools: string[]
  nodes: Node[]
  workloadEndpoints: WorkloadEndpoint[]
  /** Handle ID → revision. */
  handles: Map<string, string>
  /** Whether kube-controllers has a LoadBalancer controller configured. */
  loadBalancerConfigured: boolean
}

/** Reads everything the check looks at; fails like calicoctl when ClusterInformation is missing. */
export async function loadCheckInputs(ctx: IPAMContext): Promise<CheckInputs> {
  const info = (await ctx.resources.get('ClusterInformation', 'default')) as ClusterInformation
  const [blocks, pools, nodes, weps, handles, kcc] = await Promise.all([
    ctx.store.listBlocks(),
    ctx.resources.list('IPPool'),
    ctx.resources.list('Node'),
    ctx.resources.list('WorkloadEndpoint'),
    ctx.store.listHandles(),
    ctx.resources.getOptional('KubeControllersConfiguration', 'default'),
  ])
  return {
    clusterGUID: info.spec?.clusterGUID ?? '',
    clusterType: info.spec?.clusterType ?? '',
    clusterInformationRevision: info.metadata.resourceVersion ?? '',
    datastoreLocked: info.spec?.datastoreReady === false,
    blocks: blocks.map((b) => b.value),
    activePools: pools.items.filter((p) => (p.spec as {disabled?: boolean} | undefined)?.disabled !== true).map((p) => String((p.spec as {cidr?: string}).cidr ?? '')),
    nodes: nodes.items as Node[],
    workloadEndpoints: weps.items as WorkloadEndpoint[],
    handles: new Map(handles.map((h) => [h.id, String(h.revision)])),
    loadBalancerConfigured: (kcc as KubeControllersConfiguration | undefined)?.spec?.controllers?.loadBalancer !== undefined,
  }
}

/** One allocation as the report records it (check.go Allocation; JSON names as Go writes them). */
export interface ReportAllocation {
  ip: string
  handle?: string
  sequenceNumber?: bigint
  pod?: string
  namespace?: string
  node?: string
  type?: string
  creationTimestamp?: string
  inUse: boolean
  borrowed?: boolean
  owners: string[] | null
}

export interface HandleInfo {
  ID: string
  UID: string | null
  Revision: string
}

export interface Report {
  version: string
  clusterGUID: string
  datastoreLocked: boolean
  clusterInformationRevision: string
  clusterType: string
  allocations: Map<string, ReportAllocation[]>
  leakedHandles: HandleInfo[]
}

export interface CheckOptions {
  showAllIPs: boolean
  showProblemIPs: boolean
  /** The client version written into the report. */
  version: string
  /** Called once per block processed (for a progress bar). */
  onBlock?: () => void
}

export interface CheckResult {
  report: Report
  problems: number
}

/** check.go formatAttrs: "Main:<handle> Extra:k=v,k=v". */
function attrString(attr: Attribute | undefined): string {
  if (!attr) return '<missing>'
  const extra = Object.keys(attr.secondary ?? {})
    .sort()
    .map((k) => `${k}=${(attr.secondary ?? {})[k]}`)
    .join(',')
  return `Main:${attr.handleId ?? '<none>'} Extra:${extra}`
}

/** Normalises an address the way check.go does (cnet.ParseCIDROrIP then IP.String()). */
function normaliseIP(text: string): string | undefined {
  const addr = parseAddr(text) ?? (text.includes('/') ? parseAddr(text.slice(0, text.indexOf('/'))) : undefined)
  return addr ? addrString(addr) : undefined
}

function compareIPs(a: string, b: string): number {
  const x = parseAddr(a)
  const y = parseAddr(b)
  if (!x || !y || x.version !== y.version) return a < b ? -1 : a > b ? 1 : 0
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0
}

/**
 * The check itself. `print` receives calicoctl's lines in calicoctl's order. Map iteration in Go
 * is random; here problem IPs are listed in address order and tied nodes by name.
 */
export function analyse(inputs: CheckInputs, options: CheckOptions, print: (line: string) => void): CheckResult {
  const allocations = new Map<string, ReportAllocation[]>()
  const attrsByIP = new Map<string, Attribute | undefined>()
  const byNode = new Map<string, number>()
  const inUse = new Map<string, string[]>()
  const inUseHandles = new Set<string>()

  const recordInUse = (ip: string, owner: string) => {
    if (options.showAllIPs) print(`  ${ip} belongs to ${owner}`)
    const owners = inUse.get(ip) ?? []
    owners.push(owner)
    inUse.set(ip, owners)
    for (const a of allocations.get(ip) ?? []) {
      a.inUse = true
      a.owners = [...(a.owners ?? []), owner]
    }
  }

  print('Checking IPAM for inconsistencies...')
  print('')
  print('Loading all IPAM blocks...')
  print(`Found ${inputs.blocks.length} IPAM blocks.`)
  let numAllocs = 0
  for (const b of inputs.blocks) {
    print(` IPAM block ${netText(b.cidr)} affinity=${b.affinity ?? '<none>'}:`)
    const blockHost = affinityHost(b.affinity) ?? ''
    for (const ordinal of allocatedOrdinals(b)) {
      numAllocs++
      const ip = addrString(ordinalAddr(b, ordinal))
      const attr = attributeOf(b, ordinal)
      const alloc: ReportAllocation = {ip, inUse: false, owners: null}
      let node = blockHost
      if (attr) {
        if (attr.handleId !== null && attr.handleId === WINDOWS_RESERVED_HANDLE) recordInUse(ip, 'Reserved for Windows')
        else if (attr.handleId !== null) {
          alloc.handle = attr.handleId
          inUseHandles.add(attr.handleId)
        }
        const s = attr.secondary ?? {}
        if (s.node) node = s.node
        if (s.pod) alloc.pod = s.pod
        if (s.namespace) alloc.namespace = s.namespace
        if (s.type) alloc.type = s.type
        if (s.timestamp) alloc.creationTimestamp = s.timestamp
      }
      alloc.sequenceNumber = b.sequenceNumberForAllocation[String(ordinal)] ?? 0n
      if (node) alloc.node = node
      if (node !== blockHost) alloc.borrowed = true
      const list = allocations.get(ip) ?? []
      list.push(alloc)
      allocations.set(ip, list)
      attrsByIP.set(ip, attr)
      byNode.set(node, (byNode.get(node) ?? 0) + 1)
      if (options.showAllIPs) print(`  ${ip} allocated; attrs ${attrString(attr)}`)
    }
    options.onBlock?.()
  }
  print(`IPAM blocks record ${numAllocs} allocations.`)
  print('')

  print('Loading all IPAM pools...')
  const pools: Net[] = []
  for (const cidr of inputs.activePools) {
    print(`  ${cidr}`)
    const net = parseNet(cidr)
    if (net) pools.push(net)
  }
  print(`Found ${pools.length} active IP pools.`)
  print('')

  print('Loading all nodes.')
  let nodeIPs = 0
  for (const n of inputs.nodes) {
    const spec = n.spec ?? {}
    for (const text of [spec.ipv4VXLANTunnelAddr, spec.wireguard?.interfaceIPv4Address, spec.bgp?.ipv4IPIPTunnelAddr]) {
      if (!text) continue
      const ip = normaliseIP(text)
      if (!ip) continue
      recordInUse(ip, `Node(${n.metadata.name ?? ''})`)
      nodeIPs++
    }
  }
  print(`Found ${nodeIPs} node tunnel IPs.`)
  print('')

  print('Loading all service load balancer IPs.')
  print(
    inputs.loadBalancerConfigured
      ? 'Kubernetes services are not available from this datastore, skipping service check'
      : 'No configuration for LoadBalancer kubecontroller found, skipping service check',
  )
  print('')

  print('Loading all workload endpoints.')
  let wepIPs = 0
  for (const w of inputs.workloadEndpoints) {
    for (const text of w.spec?.ipNetworks ?? []) {
      const ip = normaliseIP(text)
      if (!ip) continue
      recordInUse(ip, `Workload(${w.metadata.namespace ?? ''}/${w.metadata.name ?? ''})`)
      wepIPs++
    }
  }
  print(`Found ${wepIPs} workload IPs.`)
  print(`Workloads and nodes are using ${inUse.size} IPs.`)
  print('')

  print('Loading all handles')
  print('Looking for top (up to 20) nodes by allocations...')
  const nodes = [...byNode.keys()].sort((a, b) => (byNode.get(b) ?? 0) - (byNode.get(a) ?? 0) || (a < b ? -1 : 1))
  for (const n of nodes.slice(0, 20)) print(`  ${n} has ${byNode.get(n)} allocations`)
  if (nodes.length > 0) {
    print(`Node with most allocations has ${byNode.get(nodes[0])}; median is ${byNode.get(nodes[Math.floor(nodes.length / 2)])}`)
  }
  print('')

  let problems = 0
  print('Scanning for IPs that are allocated but not actually in use...')
  let leaked = 0
  for (const ip of [...allocations.keys()].sort(compareIPs)) {
    if (inUse.has(ip)) continue
    if (options.showProblemIPs) for (const _ of allocations.get(ip) ?? []) print(`  ${ip} leaked; attrs ${attrString(attrsByIP.get(ip))}`)
    leaked++
  }
  problems += leaked
  print(`Found ${leaked} IPs that are allocated in IPAM but not actually in use.`)

  print('Scanning for IPs that are in use by a workload or node but not allocated in IPAM...')
  let outside = 0
  let unallocated = 0
  for (const ip of [...inUse.keys()].sort(compareIPs)) {
    const owners = inUse.get(ip) ?? []
    if (options.showProblemIPs && owners.length > 1) print(`  ${ip} has multiple owners.`)
    if (allocations.has(ip)) continue
    const addr = parseAddr(ip)
    if (!addr || !pools.some((p) => netContainsAddr(p, addr))) {
      if (options.showProblemIPs) for (const o of owners) print(`  ${ip} in use by ${o} is not in any active IP pool.`)
      outside++
      continue
    }
    if (options.showProblemIPs) for (const o of owners) print(`  ${ip} in use by ${o} and in active IPAM pool but has no IPAM allocation.`)
    unallocated++
  }
  problems += outside + unallocated
  print(`Found ${outside} in-use IPs that are not in active IP pools.`)
  print(`Found ${unallocated} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.`)
  print('')

  print('Scanning for IPAM handles with no matching IPs...')
  const leakedHandles: HandleInfo[] = []
  let goodHandles = 0
  for (const [id, revision] of [...inputs.handles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (inUseHandles.has(id)) {
      goodHandles++
      continue
    }
    if (options.showAllIPs) print(`  ${id} doesn't have any active IPs.`)
    problems++
    leakedHandles.push({ID: id, UID: null, Revision: revision})
  }
  print(`Found ${leakedHandles.length} handles with no matching IPs (and ${goodHandles} handles with matches).`)

  print('Scanning for IPs with missing handle...')
  let missing = 0
  for (const id of [...inUseHandles].sort()) {
    if (inputs.handles.has(id)) continue
    if (options.showProblemIPs) print(`  ${id} is in use in a block but doesn't exist.`)
    missing++
  }
  print(`Found ${missing} handles mentioned in blocks with no matching handle resource.`)
  print(`Check complete; found ${problems} problems.`)

  return {
    problems,
    report: {
      version: options.version,
      clusterGUID: inputs.clusterGUID,
      datastoreLocked: inputs.datastoreLocked,
      clusterInformationRevision: inputs.clusterInformationRevision,
      clusterType: inputs.clusterType,
      allocations,
      leakedHandles,
    },
  }
}

function netText(net: Net): string {
  return `${addrString({version: net.version, value: net.base})}/${net.prefix}`
}
