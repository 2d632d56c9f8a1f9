/**
 * IP pools as IPAM sees them (libcalico-go lib/ipam/pools.go, ipam.go determinePools,
 * filterPoolsByUse, randomBlockGenerator): parsed and checked once per request, chosen for a host
 * by nodeSelector / assignmentMode / allowedUses, and walked block by block in a per-host order.
 */
import type {IPPool} from '../api/index.js'
import {parseSelector, SelectorParseError, type Selector} from '../selector/index.js'
import {IPAMInputError} from './errors.js'
import {addressBits, netContainsAddr, netsOverlap, netString, parseNet, type Addr, type IPVersion, type Net} from './net.js'

export type IntendedUse = 'Workload' | 'Tunnel' | 'LoadBalancer'

export interface Pool {
  readonly name: string
  readonly cidr: Net
  /** The pool CIDR as written in the resource (what calicoctl prints for it). */
  readonly cidrText: string
  readonly blockSize: number
  readonly disabled: boolean
  readonly allowedUses: readonly string[]
  readonly assignmentMode: string
  readonly nodeSelector: Selector
  /** Namespaces whose workloads may use the pool (all() when unset). */
  readonly namespaceSelector: Selector
}

/** The namespace of the workload an assignment is for: its name and labels. */
export interface NamespaceInfo {
  readonly name: string
  readonly labels?: Readonly<Record<string, string>>
}

/**
 * The labels a namespaceSelector is evaluated against: the namespace's own labels plus the
 * `kubernetes.io/metadata.name` label Kubernetes puts on every namespace, so a selector can name
 * namespaces whose labels the caller does not know.
 */
export function namespaceLabels(ns: NamespaceInfo): Record<string, string> {
  return {'kubernetes.io/metadata.name': ns.name, ...ns.labels}
}

function selectorOf(name: string, field: string, text: string | undefined): Selector {
  try {
    return parseSelector(text ?? '')
  } catch (error) {
    if (error instanceof SelectorParseError) throw new IPAMInputError(`IPPool ${name} has an invalid ${field}: ${error.message}`)
    throw error
  }
}

const BLOCK_SIZE_RANGE: Record<IPVersion, [number, number]> = {4: [20, 32], 6: [116, 128]}

/**
 * Parses IPPool resources, applying clientv3's defaults to fields a foreign writer left empty.
 * A pool IPAM cannot use safely (bad CIDR, block size, selector) is an IPAMInputError naming it.
 */
export function parsePools(resources: readonly IPPool[]): Pool[] {
  return resources.map((res) => {
    const name = res.metadata.name ?? ''
    const spec = res.spec ?? {}
    const cidrText = spec.cidr ?? ''
    const cidr = parseNet(cidrText)
    if (!cidr) throw new IPAMInputError(`IPPool ${name} has an invalid CIDR: ${JSON.stringify(cidrText)}`)
    const blockSize = spec.blockSize || (cidr.version === 4 ? 26 : 122)
    const [min, max] = BLOCK_SIZE_RANGE[cidr.version]
    if (!Number.isInteger(blockSize) || blockSize < min || blockSize > max) {
      throw new IPAMInputError(`IPPool ${name} has an invalid blockSize ${blockSize} (IPv${cidr.version} block sizes are ${min}-${max})`)
    }
    if (blockSize < cidr.prefix) {
      throw new IPAMInputError(`IPPool ${name} (${cidrText}) is smaller than its blockSize /${blockSize}`)
    }
    const nodeSelector = selectorOf(name, 'nodeSelector', spec.nodeSelector)
    const namespaceSelector = selectorOf(name, 'namespaceSelector', spec.namespaceSelector)
    return {
      name,
      cidr,
      cidrText,
      blockSize,
      disabled: spec.disabled === true,
      allowedUses: spec.allowedUses && spec.allowedUses.length > 0 ? spec.allowedUses : ['Workload', 'Tunnel'],
      assignmentMode: spec.assignmentMode || 'Automatic',
      nodeSelector,
      namespaceSelector,
    }
  })
}

/** Enabled pools of one family must not overlap: an address would then have two block layouts. */
export function checkNoOverlap(pools: readonly Pool[]): void {
  const enabled = pools.filter((p) => !p.disabled)
  for (let i = 0; i < enabled.length; i++) {
    for (let j = i + 1; j < enabled.length; j++) {
      if (netsOverlap(enabled[i].cidr, enabled[j].cidr)) {
        throw new IPAMInputError(
          `IPPool(${enabled[i].name}) CIDR ${enabled[i].cidrText} overlaps with IPPool(${enabled[j].name}) CIDR ${enabled[j].cidrText}`,
        )
      }
    }
  }
}

export function poolForAddr(pools: readonly Pool[], addr: Addr): Pool | undefined {
  return pools.find((p) => netContainsAddr(p.cidr, addr))
}

export interface PoolChoice {
  /** Pools that select the host (before the use filter). */
  selecting: Pool[]
  /** Of those, the pools allowed for the intended use: the ones to allocate from. */
  usable: Pool[]
}

/** Whether the pool may serve this node (nodeSelector) and this workload's namespace (namespaceSelector). */
export function poolSelects(pool: Pool, nodeLabels: Readonly<Record<string, string>>, namespace?: NamespaceInfo): boolean {
  if (!pool.nodeSelector.evaluate(nodeLabels)) return false
  return namespace === undefined || pool.namespaceSelector.evaluate(namespaceLabels(namespace))
}

/**
 * determinePools + filterPoolsByUse. Requested pools must exist and be enabled and are used as
 * given (selectors ignored, as Calico does); otherwise the enabled Automatic pools whose
 * nodeSelector matches the node's labels and, for an assignment that names its namespace, whose
 * namespaceSelector matches the namespace. LoadBalancer addresses belong to no node, so their
 * pools' nodeSelector is not consulted.
 */
export function choosePools(
  pools: readonly Pool[],
  version: IPVersion,
  host: string,
  nodeLabels: Readonly<Record<string, string>>,
  requested: readonly Net[],
  use: IntendedUse,
  namespace?: NamespaceInfo,
): PoolChoice {
  const enabled = pools.filter((p) => !p.disabled && p.cidr.version === version)
  let selecting: Pool[]
  if (requested.length > 0) {
    selecting = requested.map((net) => {
      const pool = enabled.find((p) => netString(p.cidr) === netString(net))
      if (!pool) throw new IPAMInputError(`the given pool (${netString(net)}) does not exist, or is not enabled`)
      return pool
    })
  } else {
    selecting = enabled.filter(
      (p) => p.assignmentMode === 'Automatic' && (use === 'LoadBalancer' ? true : p.nodeSelector.evaluate(nodeLabels)) && (namespace === undefined || p.namespaceSelector.evaluate(namespaceLabels(namespace))),
    )
  }
  if (selecting.length === 0) {
    throw new IPAMInputError(
      namespace === undefined ? `no configured Calico pools for node ${host}` : `no configured Calico pools for node ${host} and namespace ${namespace.name}`,
    )
  }
  const usable = selecting.filter((p) => p.allowedUses.includes(use))
  if (usable.length === 0) throw new IPAMInputError(`cannot find a qualified ippool, no pools match the required use (${use})`)
  return {selecting, usable}
}

/** FNV-1 (Go's hash/fnv New32) of the host name: each host walks a pool from its own start. */
function fnv1(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = Math.imul(hash, 0x01000193) >>> 0
    hash = (hash ^ byte) >>> 0
  }
  return hash
}

/** mulberry32: small, seedable, good enough to spread hosts over a pool. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Every block-sized CIDR of the pool exactly once, starting at a random index and wrapping
 * (randomBlockGenerator). The start is seeded by the host name, so a host tries blocks in the same
 * order each time and different hosts spread out; single-address blocks use a fresh seed, as
 * Calico does, since locality does not matter for them.
 */
export function* blocksOfPool(pool: Pool, host: string): Generator<Net> {
  const numBlocks = 1n << BigInt(pool.blockSize - pool.cidr.prefix)
  const random = prng(pool.blockSize === addressBits(pool.cidr.version) ? (Math.random() * 2 ** 32) >>> 0 : fnv1(host))
  // Two 32-bit draws cover even IPv6 pools with 2^58 blocks; the bias is irrelevant here.
  const draw = (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32))
  const start = draw % numBlocks
  const step = 1n << BigInt(addressBits(pool.cidr.version) - pool.blockSize)
  for (let i = 0n; i < numBlocks; i++) {
    const index = (start + i) % numBlocks
    yield {version: pool.cidr.version, base: pool.cidr.base + index * step, prefix: pool.blockSize}
  }
}
