/**
 * Handle bookkeeping (libcalico-go incrementHandle / decrementHandle): a handle counts its
 * addresses per block, so release-by-handle visits only those blocks. Where a raise travels alone
 * (assignIP) it is made before the block write that allocates, and a count is lowered after the
 * block write that releases, so a crash in between leaves a handle that over-counts (found by
 * `ipam check`), never an allocation whose handle is missing. Auto-assignment raises the count
 * in the same transaction as the block write (HandleWriter).
 */
import type {WriteOp} from '../datastore/datastore.js'
import {MaxRetriesError} from './errors.js'
import {handleKey} from './keys.js'
import {encodeHandle, type IPAMHandle} from './model.js'
import {netString, type Net} from './net.js'
import {backoff, DATASTORE_RETRIES, isRace} from './retry.js'
import type {HandleEntry, IPAMStore, Versioned} from './store.js'

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

/**
 * What one request knows of its handle's record between its block writes: nothing at first
 * (handles are nearly always new, so the first write creates it), then the record as that
 * request's last write left it (the other family, a second block), so the next raise is a CAS on
 * that revision. Every raise travels in the same all-or-nothing transaction as the block CAS it
 * accounts for (commit.ts): the count and the allocations land together or not at all, so
 * neither a crash nor a lost race can leave them disagreeing. A wrong guess costs nothing: the
 * failed transaction reports the record as it is, and the retry uses that.
 */
export class HandleWriter {
  /** The record as this request last wrote or saw it; undefined: absent, as far as it knows. */
  known: HandleEntry | undefined

  constructor(readonly id: string) {}
}

/** The write raising `id`'s count for `cidr` by `num`, given its record as last seen. */
export function raiseOp(id: string, known: Versioned<IPAMHandle> | undefined, cidr: string, num: number): {op: WriteOp; value: IPAMHandle} {
  const key = handleKey(id)
  if (!known) {
    const value: IPAMHandle = {block: {[cidr]: num}, deleted: false}
    return {op: {op: 'create', key, value: encodeHandle(value)}, value}
  }
  const value = raised(known.value, cidr, num)
  return {op: {op: 'update', key, value: encodeHandle(value), expectedRevision: known.revision}, value}
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
