/**
 * Releasing addresses (libcalico-go ipam.go ReleaseIPs / releaseIPsFromBlock / ReleaseByHandle),
 * classic semantics: a freed address goes to the back of its block's free list at once (no
 * cooldown). A block left empty with no affinity is deleted; an affine block stays with its host.
 * Handles are lowered after the block write that freed their addresses.
 */
import {releaseAffinityRetrying} from './affinity.js'
import {affinityHost, isEmpty, release, releaseByHandle as releaseHandleInBlock, type ReleaseRequest} from './block.js'
import type {IPAMContext} from './context.js'
import {MaxRetriesError, UnknownHandleError} from './errors.js'
import {decrementHandle} from './handles.js'
import type {AllocationBlock} from './model.js'
import {addrString, enclosingNet, netContainsAddr, netString, nthAddr, ordinalOf, parseAddr, parseNet, type Addr, type Net} from './net.js'
import {poolForAddr, poolSelects} from './pools.js'
import {backoff, DATASTORE_RETRIES, isRace} from './retry.js'
import type {Versioned} from './store.js'

/** One address to release; handle and sequence number, when given, must still match (ABA guard). */
export interface ReleaseOptions {
  address: string
  handle?: string
  sequenceNumber?: bigint
}

export interface ReleaseOutcome {
  /** Addresses (as given) that were released. */
  released: string[]
  /** Addresses (as given) that were not allocated. */
  unallocated: string[]
  /** The first failure, if any; blocks that did not fail were still released. */
  error?: Error
}

/** Releases addresses, grouped per block, each block with its own CAS retries. */
export async function releaseIPs(ctx: IPAMContext, options: readonly ReleaseOptions[]): Promise<ReleaseOutcome> {
  const outcome: ReleaseOutcome = {released: [], unallocated: []}
  const pools = await ctx.pools({lenient: true})
  const groups = new Map<string, {net: Net; items: Array<{opt: ReleaseOptions; addr: Addr}>}>()
  const unplaced: Array<{opt: ReleaseOptions; addr: Addr}> = []
  for (const opt of options) {
    const addr = parseAddr(opt.address)
    if (!addr) {
      outcome.error ??= new Error(`failed to parse the given IP: ${opt.address}`)
      continue
    }
    const pool = poolForAddr(pools, addr)
    if (pool) addToGroup(groups, enclosingNet(addr, pool.blockSize), {opt, addr})
    else unplaced.push({opt, addr})
  }
  if (unplaced.length > 0) {
    // Outside every pool (the pool was deleted): find the block by scanning what exists.
    const blocks = await ctx.store.listBlocks()
    for (const item of unplaced) {
      const block = blocks.find((b) => netContainsAddr(b.value.cidr, item.addr))
      if (block) addToGroup(groups, block.value.cidr, item)
      else outcome.unallocated.push(item.opt.address)
    }
  }
  for (const {net, items} of groups.values()) {
    try {
      const {released, unallocated} = await releaseFromBlock(ctx, net, items)
      outcome.released.push(...released)
      outcome.unallocated.push(...unallocated)
    } catch (error) {
      outcome.error ??= error as Error
    }
  }
  return outcome
}

function addToGroup(groups: Map<string, {net: Net; items: Array<{opt: ReleaseOptions; addr: Addr}>}>, net: Net, item: {opt: ReleaseOptions; addr: Addr}): void {
  const key = netString(net)
  const group = groups.get(key) ?? {net, items: []}
  group.items.push(item)
  groups.set(key, group)
}

async function releaseFromBlock(
  ctx: IPAMContext,
  net: Net,
  items: Array<{opt: ReleaseOptions; addr: Addr}>,
): Promise<{released: string[]; unallocated: string[]}> {
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    const current = await ctx.store.getBlock(net)
    if (!current) return {released: [], unallocated: items.map((i) => i.opt.address)}
    const requests: ReleaseRequest[] = items.map(({opt, addr}) => ({
      ordinal: ordinalOf(current.value.cidr, addr),
      ...(opt.handle !== undefined ? {handle: opt.handle} : {}),
      ...(opt.sequenceNumber !== undefined ? {sequenceNumber: opt.sequenceNumber} : {}),
    }))
    const result = release(current.value, requests)
    const freed = new Set(result.released)
    const released = items.filter((_, i) => freed.has(requests[i].ordinal)).map((i) => i.opt.address)
    const unallocated = items.filter((_, i) => !freed.has(requests[i].ordinal)).map((i) => i.opt.address)
    if (result.released.length === 0) return {released, unallocated}
    try {
      await writeReleased(ctx, current, result.block)
    } catch (error) {
      if (!isRace(error)) throw error
      await backoff(attempt)
      continue
    }
    for (const [handle, count] of result.countByHandle) await decrementHandle(ctx.store, handle, net, count)
    await ensureConsistentAffinity(ctx, result.block)
    return {released, unallocated}
  }
  throw new MaxRetriesError()
}

/**
 * Calico's ensureConsistentAffinity: after a release, a block whose pool no longer selects its
 * host (the pool's nodeSelector or the node's labels changed, or the pool is gone)
 * gives up its affinity -- only if it is now empty (RequireEmpty), so nothing allocated moves.
 * A block still in use keeps its affinity until its last address goes. Failures are ignored, as
 * in Calico: the next release, or the next allocation for the host, tries again.
 */
async function ensureConsistentAffinity(ctx: IPAMContext, block: AllocationBlock): Promise<void> {
  const host = affinityHost(block.affinity)
  if (host === undefined || !isEmpty(block)) return
  try {
    const pools = await ctx.pools({lenient: true})
    const pool = poolForAddr(pools, {version: block.cidr.version, value: block.cidr.base})
    if (pool && poolSelects(pool, await ctx.nodeLabels(host))) return
    await releaseAffinityRetrying(ctx.store, host, block.cidr, {requireEmpty: true})
  } catch {
    // Not empty any more, claimed meanwhile, or unreachable: leave it for next time.
  }
}

/** An empty block nobody is affine to is deleted; anything else is updated in place. */
async function writeReleased(ctx: IPAMContext, current: Versioned<AllocationBlock>, next: AllocationBlock): Promise<void> {
  if (next.affinity === null && isEmpty(next)) await ctx.store.deleteBlock(next.cidr, current.revision)
  else await ctx.store.updateBlock(next, current.revision)
}

/**
 * ReleaseByHandle: frees every address of the handle in the blocks its record names. A block that
 * no longer exists has nothing left to free; its count is dropped from the handle.
 * UnknownHandleError when there is no such handle. Returns the released addresses.
 */
export async function releaseByHandle(ctx: IPAMContext, handleId: string): Promise<string[]> {
  const handle = await ctx.store.getHandle(handleId)
  if (!handle) throw new UnknownHandleError(`IPAM handle ${handleId} does not exist`)
  const released: string[] = []
  for (const [cidr, count] of Object.entries(handle.value.block)) {
    const net = parseNet(cidr)
    if (!net) {
      await decrementHandle(ctx.store, handleId, cidr, count)
      continue
    }
    released.push(...(await releaseHandleFromBlock(ctx, handleId, net, count)))
  }
  return released
}

async function releaseHandleFromBlock(ctx: IPAMContext, handleId: string, net: Net, recorded: number): Promise<string[]> {
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    const current = await ctx.store.getBlock(net)
    if (!current) {
      await decrementHandle(ctx.store, handleId, net, recorded)
      return []
    }
    const result = releaseHandleInBlock(current.value, handleId)
    if (result.released.length === 0) {
      // The block no longer holds the handle's addresses: the record is stale.
      await decrementHandle(ctx.store, handleId, net, recorded)
      return []
    }
    try {
      await writeReleased(ctx, current, result.block)
    } catch (error) {
      if (!isRace(error)) throw error
      await backoff(attempt)
      continue
    }
    // Every address of the handle in this block is gone now, whatever the record said.
    await decrementHandle(ctx.store, handleId, net, Math.max(recorded, result.released.length))
    await ensureConsistentAffinity(ctx, result.block)
    return result.released.map((o) => addrString(nthAddr(current.value.cidr, o)))
  }
  throw new MaxRetriesError()
}

/**
 * release.go deleteHandle: deletes a leaked handle only if it still has the revision the report
 * saw (compare-and-delete); 'skipped' when it is gone or has changed since.
 */
export async function deleteHandleIfUnchanged(ctx: IPAMContext, id: string, revision: string): Promise<'deleted' | 'skipped'> {
  const current = await ctx.store.getHandle(id)
  if (!current || String(current.revision) !== revision) return 'skipped'
  try {
    await ctx.store.deleteHandle(id, current.revision)
    return 'deleted'
  } catch (error) {
    if (isRace(error)) return 'skipped'
    throw error
  }
}
