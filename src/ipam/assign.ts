/**
 * Assigning addresses: all-or-nothing auto-assignment over both families, and assigning one
 * given address (libcalico-go AssignIP).
 *
 * Calico's AutoAssign returns whatever it got and leaves the rollback to its caller; the CNI
 * plugin learnt to release the other family's addresses when one family fails (cni-plugin #1010).
 * assign() here does that itself: if any family comes back short or failing, every address this
 * call took is released again (guarded by handle and sequence number) before the error surfaces.
 */
import {DatastoreError} from '../datastore/datastore.js'
import {hostAffinity, assignOrdinal, AddressInUseError} from './block.js'
import {claimAffineBlock, getBlockFromAffinity, getPendingAffinity, releaseAffinityRetrying} from './affinity.js'
import {autoAssignFamily, partialFulfillmentMessage, type AssignedIP, type FamilyResult} from './auto-assign.js'
import type {IPAMContext} from './context.js'
import {AlreadyAssignedError, BlockClaimConflictError, InsufficientAddressesError, IPAMInputError, MaxRetriesError, NotInPoolError, ReservedAddressError} from './errors.js'
import {decrementHandle, HandleWriter, incrementHandle} from './handles.js'
import {addrString, enclosingNet, netString, ordinalOf, type Addr, type IPVersion, type Net} from './net.js'
import {poolForAddr, type IntendedUse, type NamespaceInfo} from './pools.js'
import {releaseIPs} from './release.js'
import {backoff, DATASTORE_RETRIES, isRace} from './retry.js'
import type {AllocationBlock} from './model.js'
import type {Versioned} from './store.js'

export interface AssignArgs {
  host: string
  /** Allocation handle; addresses can later be released by it. */
  handleId?: string
  /** Attributes stored with the allocation; `node` is always set to the host. */
  attrs?: Readonly<Record<string, string>>
  num4?: number
  num6?: number
  /** Pools to use as given (by CIDR), instead of choosing by nodeSelector. */
  pools?: readonly Net[]
  use?: IntendedUse
  /** Per-request block limit (0: the configured or default limit). */
  maxBlocks?: number
  /** The workload's namespace: only pools whose namespaceSelector matches it are used. */
  namespace?: NamespaceInfo
}

export interface AssignResult {
  v4: AssignedIP[]
  v6: AssignedIP[]
}

function allocationAttrs(host: string, attrs: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return {...attrs, node: host}
}

export async function assign(ctx: IPAMContext, args: AssignArgs): Promise<AssignResult> {
  const taken: AssignedIP[] = []
  const claimed: Net[] = []
  const out: AssignResult = {v4: [], v6: []}
  const handles = args.handleId ? new HandleWriter(args.handleId) : null
  const requests: Array<[IPVersion, number]> = [
    [4, args.num4 ?? 0],
    [6, args.num6 ?? 0],
  ]
  for (const [version, num] of requests) {
    if (num <= 0) continue
    const result: FamilyResult = await autoAssignFamily(ctx, {
      version,
      num,
      host: args.host,
      handleId: args.handleId ?? null,
      handles,
      ...(args.namespace ? {namespace: args.namespace} : {}),
      attrs: allocationAttrs(args.host, args.attrs),
      pools: (args.pools ?? []).filter((p) => p.version === version),
      use: args.use ?? 'Workload',
      maxBlocks: args.maxBlocks ?? 0,
    })
    taken.push(...result.ips)
    claimed.push(...result.claimed)
    ;(version === 4 ? out.v4 : out.v6).push(...result.ips)
    // A datastore failure (unreachable, rejected) is reported as itself, not as a shortage.
    const failure =
      result.error instanceof IPAMInputError || result.error instanceof DatastoreError
        ? result.error
        : result.ips.length < num
          ? new InsufficientAddressesError(partialFulfillmentMessage(result))
          : result.error
    if (failure) {
      await giveBack(ctx, args.host, taken, claimed, args.handleId, failure)
      throw failure
    }
  }
  return out
}

/**
 * Undoes a failed assign(): releases the addresses it took, then gives up the blocks it claimed
 * if they are empty again (a concurrent allocation may already use them; those stay). A failure
 * to release addresses is added to the original error.
 */
async function giveBack(ctx: IPAMContext, host: string, taken: AssignedIP[], claimed: Net[], handleId: string | undefined, cause: Error): Promise<void> {
  if (taken.length > 0) {
    const outcome = await releaseIPs(
      ctx,
      taken.map((ip) => ({address: ip.address, sequenceNumber: ip.sequenceNumber, ...(handleId ? {handle: handleId} : {})})),
    )
    if (outcome.error) cause.message += `; releasing the ${taken.length} address(es) already assigned failed: ${outcome.error.message}`
  }
  for (const net of claimed) await releaseAffinityRetrying(ctx.store, host, net, {requireEmpty: true}).catch(() => undefined)
}

export interface AssignIPArgs {
  addr: Addr
  host: string
  handleId?: string
  attrs?: Readonly<Record<string, string>>
  use?: IntendedUse
}

/**
 * Assigns one given address. It must lie in an enabled pool (allowed for the use) and not be
 * reserved; its block is claimed for the host if it does not exist yet. With strict affinity the
 * block must be affine to the host.
 */
export async function assignIP(ctx: IPAMContext, args: AssignIPArgs): Promise<AssignedIP> {
  const text = addrString(args.addr)
  const [pools, reservations, config] = await Promise.all([ctx.pools(), ctx.reservations(), ctx.config()])
  const pool = poolForAddr(
    pools.filter((p) => !p.disabled),
    args.addr,
  )
  if (!pool) throw new NotInPoolError(`The provided IP address ${text} is not in a configured pool`)
  const use = args.use ?? 'Workload'
  if (!pool.allowedUses.includes(use)) throw new IPAMInputError(`the IP pool ${pool.name} containing ${text} does not allow use ${use}`)
  if (reservations.matchesAddr(args.addr)) throw new ReservedAddressError(`IP address ${text} is reserved by an IPReservation`)
  const blockNet = enclosingNet(args.addr, pool.blockSize)
  const mine = hostAffinity(args.host)
  const attrs = allocationAttrs(args.host, args.attrs)
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    try {
      let current = await ctx.store.getBlock(blockNet)
      if (!current) current = await claimAffineBlock(ctx.store, await getPendingAffinity(ctx.store, args.host, blockNet))
      else if (current.value.affinity === mine) current = await ensureConfirmed(ctx, args.host, blockNet, current)
      const block = current.value
      if (config.strictAffinity && block.affinity !== mine) {
        throw new IPAMInputError(
          block.affinity === null
            ? `Attempt to assign from block ${netString(blockNet)} with no affinity`
            : `Block affinity (${block.affinity}) does not match provided (${args.host}:host)`,
        )
      }
      const ordinal = ordinalOf(block.cidr, args.addr)
      const next = assignOrdinal(block, ordinal, args.handleId ?? null, attrs, text)
      if (args.handleId) await incrementHandle(ctx.store, args.handleId, blockNet, 1)
      try {
        await ctx.store.updateBlock(next, current.revision)
      } catch (error) {
        if (args.handleId) await decrementHandle(ctx.store, args.handleId, blockNet, 1)
        throw error
      }
      return {address: text, addr: args.addr, block: blockNet, sequenceNumber: block.sequenceNumber}
    } catch (error) {
      if (error instanceof AddressInUseError) throw new AlreadyAssignedError(`IP address ${text} is already assigned`)
      if (error instanceof BlockClaimConflictError || isRace(error)) {
        await backoff(attempt)
        continue
      }
      throw error
    }
  }
  throw new MaxRetriesError()
}

/**
 * A block affine to the host whose affinity is not (yet) confirmed — a claim interrupted between
 * its steps — is finished here before it is used, so ownership is never left half-recorded.
 */
async function ensureConfirmed(ctx: IPAMContext, host: string, net: Net, block: Versioned<AllocationBlock>): Promise<Versioned<AllocationBlock>> {
  const affinity = (await ctx.store.getAffinity(host, net)) ?? (await getPendingAffinity(ctx.store, host, net))
  if (affinity.value.state === 'confirmed' || affinity.value.state === '') return block
  return getBlockFromAffinity(ctx.store, affinity)
}
