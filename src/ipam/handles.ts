/**
 * Handle bookkeeping (libcalico-go incrementHandle / decrementHandle): a handle counts its
 * addresses per block, so release-by-handle visits only those blocks. The count is raised before
 * the block write that allocates and lowered after the block write that releases, so a crash
 * in between leaves a handle that over-counts (found by `ipam check`), never an allocation whose
 * handle is missing.
 */
import {MaxRetriesError} from './errors.js'
import type {IPAMHandle} from './model.js'
import {netString, type Net} from './net.js'
import {backoff, DATASTORE_RETRIES, isRace} from './retry.js'
import type {IPAMStore} from './store.js'

export async function incrementHandle(store: IPAMStore, id: string, block: Net, num: number): Promise<void> {
  const cidr = netString(block)
  for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
    try {
      // Most handles are new (one per workload): try the create first and read only if it exists.
      if (attempt === 0) {
        try {
          await store.createHandle(id, {block: {[cidr]: num}, deleted: false})
          return
        } catch (error) {
          if (!isRace(error)) throw error
        }
      }
      const current = await store.getHandle(id)
      if (!current) {
        await store.createHandle(id, {block: {[cidr]: num}, deleted: false})
      } else {
        const value: IPAMHandle = {block: {...current.value.block, [cidr]: (current.value.block[cidr] ?? 0) + num}, deleted: false}
        await store.updateHandle(current, value)
      }
      return
    } catch (error) {
      if (!isRace(error)) throw error
      await backoff(attempt)
    }
  }
  throw new MaxRetriesError()
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
