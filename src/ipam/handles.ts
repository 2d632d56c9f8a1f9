/**
 * Handle bookkeeping (libcalico-go incrementHandle / decrementHandle): a handle counts its
 * addresses per block, so release-by-handle visits only those blocks. The count is raised before
 * the block write that allocates and lowered after the block write that releases, so a crash
 * in between leaves a handle that over-counts (found by `ipam check`), never an allocation whose
 * handle is missing.
 */
import type {WriteOp, WriteResult} from '../datastore/datastore.js'
import {MaxRetriesError} from './errors.js'
import {handleKey} from './keys.js'
import {encodeHandle, type IPAMHandle} from './model.js'
import {netString, type Net} from './net.js'
import {backoff, DATASTORE_RETRIES, isRace} from './retry.js'
import type {HandleEntry, IPAMStore} from './store.js'

export async function incrementHandle(store: IPAMStore, id: string, block: Net, num: number): Promise<HandleEntry> {
  const cidr = netString(block)
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    try {
      // Most handles are new (one per workload): try the create first and read only if it exists.
      if (attempt === 0) {
        try {
          return await store.createHandle(id, {block: {[cidr]: num}, deleted: false})
        } catch (error) {
          if (!isRace(error)) throw error
        }
      }
      const current = await store.getHandle(id)
      if (!current) return await store.createHandle(id, {block: {[cidr]: num}, deleted: false})
      return await store.updateHandle(current, raised(current.value, cidr, num))
    } catch (error) {
      if (!isRace(error)) throw error
      await backoff(attempt)
    }
  }
  throw new MaxRetriesError()
}

function raised(value: IPAMHandle, cidr: string, num: number): IPAMHandle {
  return {block: {...value.block, [cidr]: (value.block[cidr] ?? 0) + num}, deleted: false}
}

function lowered(value: IPAMHandle, cidr: string, num: number): IPAMHandle {
  const counts = {...value.block}
  const left = (counts[cidr] ?? 0) - num
  if (left > 0) counts[cidr] = left
  else delete counts[cidr]
  return {block: counts, deleted: false}
}

/**
 * One request's handle writes, so that raising the count can travel in the same batch as the
 * block CAS it accounts for (one round trip instead of two). It remembers the record as this
 * request last wrote it: the first raise is a create (handles are nearly always new), later ones
 * (the other family, a second block) a CAS on the revision it got back.
 *
 * Ordering. Calico raises the count before the block write, so a crash between them leaves an
 * over-count, never an allocation its handle does not know of. In one batch both writes commit
 * together: on etcd in one transaction (when nothing conflicts; otherwise one transaction with
 * per-op outcomes), on the local store in one SQLite transaction. The one case
 * where the block write can land without the raise is when the raise loses (the handle existed
 * already, or someone else changed it): the count is then raised at once by read-and-CAS
 * (raiseAfter), so only a crash in that window leaves the handle under-counting that block --
 * which `ipam check` reports, and which release-by-handle still covers whenever the handle
 * already counted addresses in that block (it frees every address carrying the handle there).
 */
export class HandleWriter {
  /** The record as this request last wrote or read it; undefined: absent, as far as we know. */
  private known: HandleEntry | undefined
  /** A write lost: the record must be read before the next raise. */
  private stale = false

  constructor(
    private readonly store: IPAMStore,
    readonly id: string,
  ) {}

  /** The op raising the count of `block` by `num`, for a batch; then pass its result to raised(). */
  async raiseOp(block: Net, num: number): Promise<{op: WriteOp; value: IPAMHandle}> {
    if (this.stale) {
      this.known = await this.store.getHandle(this.id)
      this.stale = false
    }
    const cidr = netString(block)
    const key = handleKey(this.id)
    if (!this.known) {
      const value: IPAMHandle = {block: {[cidr]: num}, deleted: false}
      return {op: {op: 'create', key, value: encodeHandle(value)}, value}
    }
    const value = raised(this.known.value, cidr, num)
    return {op: {op: 'update', key, value: encodeHandle(value), expectedRevision: this.known.revision}, value}
  }

  /** Records the outcome of a raiseOp; false when the raise did not happen. */
  raised(result: WriteResult, value: IPAMHandle): boolean {
    if (result.ok) {
      this.known = {id: this.id, value, revision: result.kv.modRevision}
      return true
    }
    this.known = undefined
    this.stale = true
    return false
  }

  /** The block write landed but its raise did not: raise now, by read-and-CAS. */
  async raiseAfter(block: Net, num: number): Promise<void> {
    this.known = await incrementHandle(this.store, this.id, block, num)
    this.stale = false
  }

  /** Takes back a raise whose block write failed (Calico's decrementHandle on that path). */
  async lower(block: Net, num: number): Promise<void> {
    const known = this.known
    if (known) {
      const value = lowered(known.value, netString(block), num)
      try {
        if (Object.keys(value.block).length === 0) {
          await this.store.deleteHandle(this.id, known.revision)
          this.known = undefined
        } else {
          this.known = await this.store.updateHandle(known, value)
        }
        return
      } catch (error) {
        if (!isRace(error)) throw error
      }
    }
    this.known = undefined
    this.stale = true
    await decrementHandle(this.store, this.id, block, num)
  }
}

/**
 * Lowers the handle's count for the block by `num` (never below zero), deleting the block entry at
 * zero and the handle when no entry is left. A missing handle is already as low as it can be.
 */
export async function decrementHandle(store: IPAMStore, id: string, block: Net | string, num: number): Promise<void> {
  const cidr = typeof block === 'string' ? block : netString(block)
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    try {
      const current = await store.getHandle(id)
      if (!current) return
      const counts = {...current.value.block}
      const left = (counts[cidr] ?? 0) - num
      if (left > 0) counts[cidr] = left
      else delete counts[cidr]
      if (Object.keys(counts).length === 0) await store.deleteHandle(id, current.revision)
      else await store.updateHandle(current, {block: counts, deleted: false})
      return
    } catch (error) {
      if (!isRace(error)) throw error
      await backoff(attempt)
    }
  }
  throw new MaxRetriesError()
}
