/**
 * The block-affinity protocol (libcalico-go ipam_block_reader_writer.go, ipam.go
 * getBlockFromAffinity). A host claims a block in two phases: it writes its affinity as pending,
 * creates the block naming itself, then confirms the affinity. Only a confirmed affinity whose
 * block names the host counts as ownership. Releasing goes the other way: the affinity is marked
 * pendingDeletion, the block is deleted (if empty) or loses its affinity, then the affinity is
 * compare-and-deleted. Every step is a CAS, so a step that loses a race fails and is retried by
 * the caller; a crash between steps leaves state the next claim or release repairs.
 */
import {AlreadyExistsError, ConflictError, NotFoundError} from '../datastore/datastore.js'
import {affinityHost, hostAffinity, isEmpty, newBlock, withAffinity} from './block.js'
import {BlockClaimConflictError, BlockNotEmptyError, MaxRetriesError} from './errors.js'
import type {AllocationBlock} from './model.js'
import {netString, type Net} from './net.js'
import {backoff, DATASTORE_RETRIES} from './retry.js'
import type {AffinityEntry, IPAMStore, Versioned} from './store.js'

/** The host's affinity for the block, created pending, or the existing one (re-marked pending unless confirmed). */
export async function getPendingAffinity(store: IPAMStore, host: string, net: Net): Promise<AffinityEntry> {
  try {
    return await store.createAffinity(host, net, 'pending')
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error
  }
  const existing = await store.getAffinity(host, net)
  if (!existing) throw new NotFoundError('affinity vanished while claiming', netString(net))
  if (existing.value.state === 'confirmed') return existing
  return store.updateAffinity(existing, 'pending')
}

/** Times a claimer confirms again an affinity another process of the host re-marked pending. */
const CONFIRM_ATTEMPTS = 3

/**
 * Confirms the affinity; if that write loses, accepts it when someone else already confirmed it,
 * and confirms it again when it is still pending (another allocator of the same host re-marked
 * it while repairing what looked like a half-done claim: the block this claim created names the
 * host either way, so confirming is what that allocator would do next).
 */
async function confirmAffinity(store: IPAMStore, affinity: AffinityEntry): Promise<AffinityEntry> {
  let current = affinity
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.updateAffinity(current, 'confirmed')
    } catch (error) {
      const seen = await store.getAffinity(affinity.host, affinity.net)
      if (seen?.value.state === 'confirmed') return seen
      if (!(error instanceof ConflictError) || seen?.value.state !== 'pending' || attempt >= CONFIRM_ATTEMPTS) throw error
      current = seen
    }
  }
}

/**
 * Creates the block affine to the host and confirms the pending affinity. If the block already
 * exists and names this host (another process on the host won), confirms and returns it; if it
 * names someone else, drops the pending affinity and fails with BlockClaimConflictError.
 */
export async function claimAffineBlock(store: IPAMStore, affinity: AffinityEntry): Promise<Versioned<AllocationBlock>> {
  const mine = hostAffinity(affinity.host)
  let created: Versioned<AllocationBlock>
  try {
    created = await store.createBlock(newBlock(affinity.net, mine))
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error
    const existing = await store.getBlock(affinity.net)
    if (!existing) throw new NotFoundError('block vanished while claiming', netString(affinity.net))
    if (existing.value.affinity === mine) {
      await confirmAffinity(store, affinity)
      return existing
    }
    await store.deleteAffinity(affinity).catch(() => undefined)
    throw new BlockClaimConflictError(`${netString(affinity.net)} already claimed by ${existing.value.affinity ?? '<none>'}`)
  }
  await confirmAffinity(store, affinity)
  return created
}

/**
 * The block an affinity points at, repairing what a crash or race left: a missing block is
 * claimed; a block naming another host makes the affinity stale (deleted, then
 * BlockClaimConflictError); an unconfirmed affinity is confirmed after a block write that
 * invalidates any concurrent releaser holding the old block revision.
 */
export async function getBlockFromAffinity(store: IPAMStore, affinity: AffinityEntry): Promise<Versioned<AllocationBlock>> {
  const block = await store.getBlock(affinity.net)
  if (!block) {
    const pending = await store.updateAffinity(affinity, 'pending')
    return claimAffineBlock(store, pending)
  }
  if (block.value.affinity !== hostAffinity(affinity.host)) {
    await store.deleteAffinity(affinity)
    throw new BlockClaimConflictError(`affinity is stale: ${netString(affinity.net)} is affine to ${block.value.affinity ?? '<none>'}`)
  }
  const state = affinity.value.state
  if (state === 'confirmed' || state === '') return block
  const pending = await store.updateAffinity(affinity, 'pending')
  const rewritten = await store.updateBlock(block.value, block.revision)
  await store.updateAffinity(pending, 'confirmed')
  return rewritten
}

export interface ReleaseAffinityOptions {
  /** Refuse (BlockNotEmptyError) when the block still has allocations. */
  requireEmpty: boolean
}

/**
 * releaseBlockAffinity: pendingDeletion, then delete the empty block or clear its affinity
 * (leaving an orphan block whose addresses stay allocated), then compare-and-delete the affinity.
 * A block that names another host means the affinity is stale: it is deleted and
 * BlockClaimConflictError reported. A missing affinity or block is NotFoundError.
 */
export async function releaseBlockAffinity(store: IPAMStore, host: string, net: Net, options: ReleaseAffinityOptions): Promise<void> {
  const affinity = await store.getAffinity(host, net)
  if (!affinity) throw new NotFoundError(`no affinity of ${host} for ${netString(net)}`, netString(net))
  const block = await store.getBlock(net)
  if (!block) {
    // The claim never completed (or the block was removed): the affinity alone is left.
    await store.deleteAffinity(affinity)
    return
  }
  if (block.value.affinity !== null && affinityHost(block.value.affinity) !== host) {
    await store.deleteAffinity(affinity).catch(() => undefined)
    throw new BlockClaimConflictError(`${netString(net)} already claimed by ${block.value.affinity}`)
  }
  const empty = isEmpty(block.value)
  if (options.requireEmpty && !empty) throw new BlockNotEmptyError(netString(net))
  const marked = await store.updateAffinity(affinity, 'pendingDeletion')
  if (empty) {
    try {
      await store.deleteBlock(net, block.revision)
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error
    }
  } else {
    await store.updateBlock(withAffinity(block.value, null), block.revision)
  }
  try {
    await store.deleteAffinity(marked)
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
  }
}

/**
 * releaseBlockAffinity retried while it loses CAS races (Calico's ReleaseAffinity wrapper). Other
 * failures, including BlockNotEmptyError and BlockClaimConflictError, are returned at once.
 */
export async function releaseAffinityRetrying(store: IPAMStore, host: string, net: Net, options: ReleaseAffinityOptions): Promise<void> {
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    try {
      await releaseBlockAffinity(store, host, net, options)
      return
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error
      await backoff(attempt)
    }
  }
  throw new MaxRetriesError()
}
