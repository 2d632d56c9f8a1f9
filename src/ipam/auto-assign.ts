/**
 * AutoAssign for one IP family (libcalico-go ipam.go autoAssign / findOrClaimBlock /
 * assignFromExistingBlock), classic v3.18–v3.31 behaviour:
 *  1. pools: enabled, selecting the node (or the requested ones), allowed for the use;
 *  2. the host's affine blocks first, in key order; then new blocks claimed (if
 *     autoAllocateBlocks) until the per-host limit (request, config, else 20);
 *  3. without strict affinity, whatever is still missing is borrowed from other blocks.
 * Returns what it got (possibly less than asked, with Calico's explanatory messages); it never
 * throws once it holds addresses, so the caller can always give back a partial result.
 */
import {hostAffinity, numFreeAddresses, ordinalAddr} from './block.js'
import {claimAffineBlock, getBlockFromAffinity, getPendingAffinity, releaseAffinityRetrying} from './affinity.js'
import {AlreadyExistsError} from '../datastore/datastore.js'
import type {IPAMContext} from './context.js'
import {BlockClaimConflictError, BlockLimitError, MaxRetriesError, NoFreeBlocksError} from './errors.js'
import type {HandleWriter} from './handles.js'
import type {AllocationBlock, IPAMConfig} from './model.js'
import {addrString, netContainsNet, netString, type Addr, type IPVersion, type Net} from './net.js'
import {blocksOfPool, choosePools, poolForAddr, type IntendedUse, type NamespaceInfo, type Pool} from './pools.js'
import type {Reservations} from './reservations.js'
import {backoff, DATASTORE_RETRIES, isConflict, isRace} from './retry.js'
import type {AffinityEntry, Versioned} from './store.js'

/** One address handed out, with what a guarded release of it needs. */
export interface AssignedIP {
  readonly address: string
  readonly addr: Addr
  readonly block: Net
  readonly sequenceNumber: bigint
}

export interface FamilyRequest {
  version: IPVersion
  num: number
  host: string
  handleId: string | null
  /** Writes the handle's counts (shared by the families of one request); null without a handle. */
  handles: HandleWriter | null
  attrs: Readonly<Record<string, string>>
  /** The workload's namespace, for pools' namespaceSelector (not checked when absent). */
  namespace?: NamespaceInfo
  /** Pools named by the caller (used as given); empty for selection by node. */
  pools: readonly Net[]
  use: IntendedUse
  /** Per-request block limit; 0 for none. */
  maxBlocks: number
}

export interface FamilyResult {
  version: IPVersion
  numRequested: number
  ips: AssignedIP[]
  msgs: string[]
  /** Blocks this call claimed for the host (so a failed request can give them back). */
  claimed: Net[]
  /** What stopped the assignment early, if anything did. */
  error?: Error
}

/** Calico's PartialFulfillmentError text. */
export function partialFulfillmentMessage(result: FamilyResult): string {
  return [`Assigned ${result.ips.length} out of ${result.numRequested} requested IPv${result.version} addresses`, ...result.msgs].join('; ')
}

interface State {
  ctx: IPAMContext
  req: FamilyRequest
  config: IPAMConfig
  reservations: Reservations
  usable: Pool[]
  /** The host's affinities not tried yet, as listed (a CAS on a stale one simply fails and re-reads). */
  remainingAffine: AffinityEntry[]
  /** Whether a block lies in a usable pool. */
  inUsable: (net: Net) => boolean
  /**
   * Take the last-known value of an affine block as it is (a long-lived client): no read before
   * the CAS, and a block last seen full is skipped unread. Dropped before claiming a new block,
   * so a block freed meanwhile is found again rather than a new one claimed.
   */
  trustCache: boolean
  /** The host's blocks were just read afresh (refreshHost): their last-known values are current. */
  refreshed: boolean
  allowNewClaim: boolean
  /** Blocks the host is known to own, and the most it may own. */
  owned: number
  maxBlocks: number
  /** Times this request looked at the host's blocks again after another request's claim. */
  rescans: number
}

export async function autoAssignFamily(ctx: IPAMContext, req: FamilyRequest): Promise<FamilyResult> {
  const result: FamilyResult = {version: req.version, numRequested: req.num, ips: [], msgs: [], claimed: []}
  const addMsg = (msg: string) => {
    if (!result.msgs.includes(msg)) result.msgs.push(msg)
  }
  try {
    const [reservations, pools, labels, config] = await Promise.all([
      ctx.reservations(),
      ctx.pools(),
      ctx.nodeLabels(req.host),
      ctx.config(),
    ])
    const {selecting, usable} = choosePools(pools, req.version, req.host, labels, req.pools, req.use, req.namespace)
    const affinities = await ctx.store.hostAffinities(req.host, req.version)
    const inUsable = (net: Net) => usable.some((p) => netContainsNet(p.cidr, net))
    const affine = affinities.filter((a) => inUsable(a.net))
    await releaseDeselectedAffinities(ctx, req.host, affinities.map((a) => a.net).filter((n) => !inUsable(n)), pools, selecting, labels)

    let maxBlocks = req.maxBlocks
    if (config.maxBlocksPerHost > 0 && (maxBlocks === 0 || maxBlocks > config.maxBlocksPerHost)) maxBlocks = config.maxBlocksPerHost
    if (maxBlocks === 0) maxBlocks = 20
    const state: State = {
      ctx,
      req,
      config,
      reservations,
      usable,
      remainingAffine: affine,
      inUsable,
      trustCache: ctx.caching,
      refreshed: false,
      allowNewClaim: true,
      owned: affine.length,
      maxBlocks,
      rescans: 0,
    }

    while (result.ips.length < req.num) {
      state.allowNewClaim = state.owned < maxBlocks
      let found: {block: Versioned<AllocationBlock>; newlyClaimed: boolean}
      try {
        found = await findOrClaimBlock(state)
      } catch (error) {
        if (error instanceof NoFreeBlocksError) {
          if (config.strictAffinity) addMsg('No more free affine blocks and strict affinity enabled')
          break
        }
        if (error instanceof BlockLimitError) {
          addMsg(`Need to allocate an IPAM block but could not - limit of ${maxBlocks} blocks reached for this node`)
          result.error = error
          return result
        }
        throw error
      }
      if (found.newlyClaimed) {
        state.owned++
        result.claimed.push(found.block.value.cidr)
      }
      // The block was found as one of this host's (or just claimed for it): use it only while it
      // still is, strict or not. A caching client's guess may name a block whose affinity was
      // released since; allocating there would borrow while the host may have room elsewhere
      // (the next pass lists the host's blocks afresh).
      await assignFromBlock(state, result, found.block, req.num - result.ips.length, true)
    }

    if (!config.strictAffinity && result.ips.length < req.num) {
      const exhausted = await borrow(state, result)
      if (exhausted.length > 0) addMsg(`No IPs available in pools: [${exhausted.join(' ')}]`)
    }
  } catch (error) {
    result.error = error as Error
  }
  return result
}

/**
 * Affine blocks whose pool no longer selects this node are given up if empty (Calico does this on
 * every request); failures are ignored: the block simply stays.
 */
async function releaseDeselectedAffinities(
  ctx: IPAMContext,
  host: string,
  nets: Net[],
  pools: Pool[],
  selecting: Pool[],
  labels: Record<string, string>,
): Promise<void> {
  for (const net of nets) {
    if (selecting.some((p) => netContainsNet(p.cidr, net))) continue
    const pool = poolForAddr(pools, {version: net.version, value: net.base})
    if (!pool || pool.nodeSelector.evaluate(labels)) continue
    await releaseAffinityRetrying(ctx.store, host, net, {requireEmpty: true}).catch(() => undefined)
  }
}

async function findOrClaimBlock(state: State): Promise<{block: Versioned<AllocationBlock>; newlyClaimed: boolean}> {
  const {ctx, req, reservations} = state
  const mine = hostAffinity(req.host)
  while (state.remainingAffine.length > 0) {
    const listed = state.remainingAffine.shift() as AffinityEntry
    const net = listed.net
    if (reservations.matchesWhole(net)) continue
    if ((state.trustCache || state.refreshed) && (listed.value.state === 'confirmed' || listed.value.state === '')) {
      // The CAS of the allocation confirms or refutes this guess; a refuted one is re-read then.
      const known = ctx.store.lastKnownBlock(net)
      if (known && known.value.affinity === mine) {
        if (numFreeAddresses(known.value, reservations) >= 1) return {block: known, newlyClaimed: false}
        continue
      }
    }
    if (listed.value.state === 'pending' && ctx.store.pendingIsRecent(listed)) {
      // Most likely another allocator of this host is claiming the block right now: wait for
      // its block rather than re-marking the affinity (which would undo its confirmation).
      const sibling = await siblingClaim(state, net, true)
      if (sibling === 'full') continue
      if (sibling) return {block: sibling, newlyClaimed: false}
    }
    for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
      try {
        const affinity = attempt === 0 ? listed : await ctx.store.getAffinity(req.host, net)
        if (!affinity) break
        const block = await getBlockFromAffinity(ctx.store, affinity)
        if (numFreeAddresses(block.value, reservations) >= 1) return {block, newlyClaimed: false}
        break
      } catch (error) {
        if (isConflict(error)) {
          await backoff(attempt)
          continue
        }
        break
      }
    }
  }
  if (state.trustCache) {
    // Before concluding that the host's blocks are full, look again at what the store says: the
    // host's affinities and all their blocks, read afresh in two requests (shared by concurrent
    // requests); the blocks just read are then used as read, as Calico reads each one.
    state.trustCache = false
    state.refreshed = true
    state.remainingAffine = (await ctx.store.refreshHost(req.host, req.version)).filter((a) => state.inUsable(a.net))
    return findOrClaimBlock(state)
  }
  state.refreshed = false
  if (!state.allowNewClaim) throw new BlockLimitError()
  if (!state.config.autoAllocateBlocks) throw new NoFreeBlocksError()
  // One claim at a time per host and family in this client: a request that waited while another
  // claimed a block looks at the host's blocks again (the new one is among them) before claiming.
  const lockKey = `${req.host}/${req.version}`
  const claimsBefore = ctx.claims.made(lockKey)
  const release = await ctx.claims.acquire(lockKey)
  try {
    if (ctx.claims.made(lockKey) === claimsBefore || state.rescans >= DATASTORE_RETRIES) {
      const claimed = await claimNewBlock(state)
      ctx.claims.noteClaim(lockKey)
      return claimed
    }
    state.rescans++
    state.trustCache = ctx.caching
    // The claim patched this client's list of the host's affinities with what it wrote (or, if
    // a write failed, dropped it, and this lists afresh, once for every request that waited).
    state.remainingAffine = (await ctx.store.hostAffinities(req.host, req.version)).filter((a) => state.inUsable(a.net))
    state.owned = Math.max(state.owned, state.remainingAffine.length)
    state.allowNewClaim = state.owned < state.maxBlocks
  } finally {
    release()
  }
  return findOrClaimBlock(state)
}

/** Claims a new block for the host (findUsableBlock, then the pending → confirmed protocol). */
async function claimNewBlock(state: State): Promise<{block: Versioned<AllocationBlock>; newlyClaimed: boolean}> {
  const {ctx, req, reservations} = state
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    const subnet = await findUsableBlock(state)
    // The common case first: nobody has touched the subnet, so the pending affinity is created
    // and the block created and the affinity confirmed (claimAffineBlock) with nothing re-read.
    const fresh = await createPending(state, subnet)
    if (fresh === 'sibling') {
      const sibling = await siblingClaim(state, subnet, false)
      if (sibling === 'full') {
        await backoff(attempt)
        continue
      }
      if (sibling) return {block: sibling, newlyClaimed: false}
    }
    for (let inner = 0; inner < DATASTORE_RETRIES; inner++) {
      try {
        const pending = inner === 0 && fresh !== 'sibling' ? fresh : await getPendingAffinity(ctx.store, req.host, subnet)
        const block = inner === 0 && fresh !== 'sibling' ? await claimAffineBlock(ctx.store, pending) : await getBlockFromAffinity(ctx.store, pending)
        const free = numFreeAddresses(block.value, reservations)
        if (free >= 1) return {block, newlyClaimed: true}
        // Another allocator on this host filled the block after findUsableBlock saw room in it:
        // a race, not an input error — look for another block.
        break
      } catch (error) {
        if (error instanceof BlockClaimConflictError) break
        if (isRace(error)) {
          await backoff(inner)
          continue
        }
        throw error
      }
    }
    await backoff(attempt)
  }
  throw new MaxRetriesError()
}

/** The host's pending affinity for the subnet, created now; 'sibling' when one exists already. */
async function createPending(state: State, subnet: Net): Promise<AffinityEntry | 'sibling'> {
  try {
    return await state.ctx.store.createAffinity(state.req.host, subnet, 'pending')
  } catch (error) {
    if (error instanceof AlreadyExistsError) return 'sibling'
    throw error
  }
}

/** Pauses while waiting for another process's claim of the same subnet to create its block. */
const SIBLING_WAITS_MS = [5, 10, 20, 40, 80]

/**
 * The subnet already has an affinity for this host: usually another allocator process on the
 * same host chose it at the same moment (both walk the host's blocks in the same order) and is
 * part-way through claiming it. Rather than re-marking its affinity pending (which makes that
 * process's confirmation fail and start over, and then this one's), wait a moment for the block
 * to appear: once it exists and names this host, it is the host's block and is used as found
 * (the other process confirms the affinity; a claim left half-done is repaired, as Calico does,
 * when the host's blocks are next read). 'full': it has no room left, look for another subnet.
 * Undefined when no such block appears: Calico's claim takes over the affinity, as for a claim
 * that crashed part-way.
 */
async function siblingClaim(state: State, subnet: Net, knownPending: boolean): Promise<Versioned<AllocationBlock> | 'full' | undefined> {
  const mine = hostAffinity(state.req.host)
  if (!knownPending) {
    // Only a claim under way is waited for: an affinity being released (pendingDeletion) or
    // already gone is left to Calico's claim.
    const affinity = await state.ctx.store.getAffinity(state.req.host, subnet)
    const claimState = affinity?.value.state
    if (claimState !== 'pending' && claimState !== 'confirmed' && claimState !== '') return undefined
  }
  for (const ms of [0, ...SIBLING_WAITS_MS]) {
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
    const block = await state.ctx.store.getBlock(subnet)
    if (!block) continue
    if (block.value.affinity !== mine) return undefined
    return numFreeAddresses(block.value, state.reservations) >= 1 ? block : 'full'
  }
  return undefined
}

/** A block CIDR with no block yet, or one affine to this host with room (findUsableBlock). */
async function findUsableBlock(state: State): Promise<Net> {
  const {ctx, req, reservations, usable} = state
  // Each existing block CIDR, with the block itself when it is affine to this host.
  const existing = await ctx.store.listBlocksFor(req.host, req.version)
  for (const pool of usable) {
    for (const subnet of blocksOfPool(pool, req.host)) {
      if (reservations.matchesWhole(subnet)) continue
      const key = netString(subnet)
      if (!existing.has(key)) return subnet
      const own = existing.get(key)
      if (own && numFreeAddresses(own, reservations) > 0) return subnet
    }
  }
  throw new NoFreeBlocksError()
}

/**
 * assignFromExistingBlock: takes up to `num` addresses from this block and adds them to the
 * result. The write is shared with any concurrent requests of this client for the same block
 * (commit.ts): one transaction carries the block compare-and-swap and the raise of the handle's
 * count, so they land together or not at all, and a lost race is retried against the block the
 * failed write reported. With `affinityCheck` only a block (still) affine to this host is used:
 * the host's own blocks, strict or not; borrowing passes false. Fewer addresses (or none) when the block runs short; the caller looks further.
 */
async function assignFromBlock(state: State, result: FamilyResult, start: Versioned<AllocationBlock>, num: number, affinityCheck: boolean): Promise<void> {
  const {ctx, req, reservations} = state
  const grant = await ctx.committer.submit({
    num,
    handleId: req.handleId,
    handles: req.handles,
    attrs: req.attrs,
    reservations,
    ...(affinityCheck ? {requireAffinity: hostAffinity(req.host)} : {}),
    start,
  })
  for (const ordinal of grant.ordinals) {
    const addr = ordinalAddr(grant.block, ordinal)
    result.ips.push({address: addrString(addr), addr, block: grant.block.cidr, sequenceNumber: grant.block.sequenceNumber})
  }
}

/**
 * Borrowing: with strict affinity off, existing blocks of the usable pools (affine to anyone or to
 * no one) are tried in this host's walk order. Only blocks that exist can have free addresses, so
 * the walk visits the listed blocks rather than every possible block CIDR. Returns the pools
 * found exhausted.
 */
async function borrow(state: State, result: FamilyResult): Promise<string[]> {
  const {ctx, req, reservations} = state
  const exhausted: string[] = []
  const listed = new Map<string, Versioned<AllocationBlock>>()
  for (const b of await ctx.store.listBlocks(req.version)) listed.set(netString(b.value.cidr), b)
  for (const pool of state.usable) {
    const candidates = [...listed.values()]
      .filter((b) => netContainsNet(pool.cidr, b.value.cidr) && !reservations.matchesWhole(b.value.cidr))
      .sort((a, b) => (a.value.cidr.base < b.value.cidr.base ? -1 : 1))
    const order = rotateToHost(candidates, pool, req.host)
    for (const candidate of order) {
      if (result.ips.length >= req.num) break
      if (numFreeAddresses(candidate.value, reservations) === 0) continue
      const fresh = await ctx.store.getBlock(candidate.value.cidr)
      if (!fresh) continue
      await assignFromBlock(state, result, fresh, req.num - result.ips.length, false)
    }
    if (result.ips.length < req.num) exhausted.push(pool.cidrText)
    else break
  }
  return exhausted
}

/** Orders blocks by the host's walk of the pool: those at or after its start first, then the rest. */
function rotateToHost<T extends {value: AllocationBlock}>(sorted: T[], pool: Pool, host: string): T[] {
  const first = blocksOfPool(pool, host).next()
  if (first.done) return sorted
  const start = first.value.base
  const pivot = sorted.findIndex((b) => b.value.cidr.base >= start)
  return pivot <= 0 ? sorted : [...sorted.slice(pivot), ...sorted.slice(0, pivot)]
}
