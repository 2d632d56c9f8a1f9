/**
 * Read-side IPAM queries (GetAssignmentAttributes, GetUtilization, IPsByHandle) and the affinity
 * clean-up entry points (ReleaseHostAffinities, and releasing empty affine blocks).
 */
import {NotFoundError} from '../datastore/datastore.js'
import {affinityHost, allocatedOrdinals, attributeOf, isEmpty, ordinalAddr, sanitizeHandle} from './block.js'
import {releaseAffinityRetrying} from './affinity.js'
import type {IPAMContext} from './context.js'
import {BlockClaimConflictError, BlockNotEmptyError} from './errors.js'
import type {AllocationBlock, Attribute} from './model.js'
import {addrString, enclosingNet, netContainsAddr, netsOverlap, netString, parseNet, type Addr, type Net} from './net.js'
import {poolForAddr} from './pools.js'

/** The block holding an address: via its pool's block size, else (pool gone) by scanning blocks. */
async function blockFor(ctx: IPAMContext, addr: Addr): Promise<AllocationBlock | undefined> {
  const pool = poolForAddr(await ctx.pools({lenient: true}), addr)
  if (pool) {
    const found = await ctx.store.getBlock(enclosingNet(addr, pool.blockSize))
    if (found) return found.value
  }
  return (await ctx.store.listBlocks(addr.version)).find((b) => netContainsAddr(b.value.cidr, addr))?.value
}

/** The allocation's attribute record, or undefined when the address is not allocated. */
export async function getAssignmentAttributes(ctx: IPAMContext, addr: Addr): Promise<Attribute | undefined> {
  const block = await blockFor(ctx, addr)
  if (!block) return undefined
  const ordinal = Number(addr.value - block.cidr.base)
  return attributeOf(block, ordinal)
}

export interface BlockUtilization {
  cidr: Net
  capacity: number
  available: number
}

export interface PoolUtilization {
  /** Pool name; the last entry, "orphaned allocation blocks", has a zero-length prefix. */
  name: string
  cidr: Net
  cidrText: string
  blocks: BlockUtilization[]
}

/**
 * GetUtilization: one entry per pool (all pools, disabled too, in name order) with its blocks,
 * then a pseudo-pool 0.0.0.0/0 for blocks outside every pool. A block belongs to the first pool it
 * overlaps.
 */
export async function getUtilization(ctx: IPAMContext): Promise<PoolUtilization[]> {
  const pools = await ctx.pools({lenient: true})
  const usage: PoolUtilization[] = pools.map((p) => ({name: p.name, cidr: p.cidr, cidrText: netString(p.cidr), blocks: []}))
  const orphans = parseNet('0.0.0.0/0') as Net
  usage.push({name: 'orphaned allocation blocks', cidr: orphans, cidrText: '0.0.0.0/0', blocks: []})
  for (const {value: b} of await ctx.store.listBlocks()) {
    const owner = usage.find((u) => netsOverlap(u.cidr, b.cidr))
    owner?.blocks.push({cidr: b.cidr, capacity: b.allocations.length, available: b.unallocated.length})
  }
  return usage
}

/** Addresses allocated to the handle, from the blocks its record names. */
export async function ipsByHandle(ctx: IPAMContext, handleId: string): Promise<string[] | undefined> {
  const handle = await ctx.store.getHandle(handleId)
  if (!handle) return undefined
  const out: string[] = []
  for (const cidr of Object.keys(handle.value.block)) {
    const net = parseNet(cidr)
    const block = net ? await ctx.store.getBlock(net) : undefined
    if (!block) continue
    for (const ordinal of allocatedOrdinals(block.value)) {
      const h = attributeOf(block.value, ordinal)?.handleId
      if (h !== null && h !== undefined && sanitizeHandle(h) === handleId) out.push(addrString(ordinalAddr(block.value, ordinal)))
    }
  }
  return out
}

export interface AffinityReleaseOutcome {
  released: string[]
  /** Blocks left alone: not empty (when emptiness was required) or claimed by another host. */
  skipped: string[]
}

/** ReleaseHostAffinities: gives up the host's affinities of both families. */
export async function releaseHostAffinities(ctx: IPAMContext, host: string, requireEmpty: boolean): Promise<AffinityReleaseOutcome> {
  const outcome: AffinityReleaseOutcome = {released: [], skipped: []}
  for (const affinity of await ctx.store.listAffinities(host)) {
    await releaseOne(ctx, affinity.host, affinity.net, requireEmpty, outcome)
  }
  return outcome
}

/**
 * Releases every affine block that is empty (of one host, or all hosts), with its affinity; what
 * kube-controllers' IPAM GC does once blocks have been empty for its grace period.
 */
export async function releaseEmptyAffineBlocks(ctx: IPAMContext, host?: string): Promise<AffinityReleaseOutcome> {
  const outcome: AffinityReleaseOutcome = {released: [], skipped: []}
  for (const affinity of await ctx.store.listAffinities(host)) {
    const block = await ctx.store.getBlock(affinity.net)
    if (block && (!isEmpty(block.value) || affinityHost(block.value.affinity) !== affinity.host)) continue
    await releaseOne(ctx, affinity.host, affinity.net, true, outcome)
  }
  return outcome
}

async function releaseOne(ctx: IPAMContext, host: string, net: Net, requireEmpty: boolean, outcome: AffinityReleaseOutcome): Promise<void> {
  try {
    await releaseAffinityRetrying(ctx.store, host, net, {requireEmpty})
    outcome.released.push(netString(net))
  } catch (error) {
    if (error instanceof BlockNotEmptyError || error instanceof BlockClaimConflictError || error instanceof NotFoundError) {
      outcome.skipped.push(netString(net))
      return
    }
    throw error
  }
}
