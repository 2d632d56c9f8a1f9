/**
 * Group commit of allocations: the requests of one client that want addresses from the same
 * block at the same time share ONE write of it. While a block's write is in flight, further
 * requests for that block queue; when it returns, everything queued goes out together as one
 * transaction: the block compare-and-swap carrying all their allocations, plus one raise of each
 * handle's count (Datastore.transact, all or nothing). No timer is involved: a request that finds
 * no write of its block under way is written as soon as the current turn of the event loop is
 * over (setImmediate), so the requests that became ready in the same turn (typically all those
 * a finished write just answered, whose callers came straight back for more) share its write
 * instead of queueing behind a write of one; otherwise requests wait only for a write already
 * under way.
 *
 * Calico's semantics are kept: each request takes its addresses from the front of the free list
 * under its own attribute record (as assignFromExistingBlock does, request after request in
 * queue order), every allocation of a write carries the block's sequence number, and the write
 * increments it once. A write that loses is retried for the whole group against the block the
 * failed transaction reported, so a conflict costs one round trip and no read; requests are
 * re-applied from scratch each time, so a retry never hands out an address twice. A request
 * whose write fails for good gets the error and nothing else; a request learns of its addresses
 * only from a write that landed, so a failed group has taken nothing that could be given back.
 */
import type {Datastore, KV, WriteOp} from '../datastore/datastore.js'
import {autoAssign as assignInBlock} from './block.js'
import {MaxRetriesError} from './errors.js'
import {raiseOp, type HandleWriter} from './handles.js'
import {decodeHandle, type AllocationBlock, type IPAMHandle} from './model.js'
import {netString} from './net.js'
import type {Reservations} from './reservations.js'
import {backoff, DATASTORE_RETRIES, isRace} from './retry.js'
import type {IPAMStore, Versioned} from './store.js'

/** Requests per write (each may add a handle op; Datastore.transact takes at most 64 ops). */
export const MAX_GROUP = 32

export interface BlockRequest {
  num: number
  handleId: string | null
  /** The request's handle knowledge (shared across its families); null without a handle. */
  handles: HandleWriter | null
  attrs: Readonly<Record<string, string>>
  reservations: Reservations
  /** Strict affinity: use the block only while its affinity is this ("host:<node>"). */
  requireAffinity?: string
  /** The block as the request found it. */
  start: Versioned<AllocationBlock>
}

/** What a request got: its ordinals (possibly fewer than asked, or none) and the block they came from. */
export interface BlockGrant {
  ordinals: number[]
  /** The block before the write (its cidr and the sequence number the allocations carry). */
  block: AllocationBlock
}

interface Waiting {
  request: BlockRequest
  resolve: (grant: BlockGrant) => void
  reject: (error: unknown) => void
}

export class BlockCommitter {
  private readonly queues = new Map<string, Waiting[]>()

  constructor(
    private readonly datastore: Datastore,
    private readonly store: IPAMStore,
  ) {}

  /** Takes up to `request.num` addresses from the block, in a write shared with concurrent requests. */
  submit(request: BlockRequest): Promise<BlockGrant> {
    const key = netString(request.start.value.cidr)
    return new Promise<BlockGrant>((resolve, reject) => {
      const queue = this.queues.get(key)
      if (queue) {
        queue.push({request, resolve, reject})
        return
      }
      const fresh: Waiting[] = [{request, resolve, reject}]
      this.queues.set(key, fresh)
      setImmediate(() => void this.drain(key, fresh))
    })
  }

  /** Writes the queue in groups until it is empty; the queue is dropped when done. */
  private async drain(key: string, queue: Waiting[]): Promise<void> {
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, MAX_GROUP)
        try {
          const grants = await this.commit(group.map((w) => w.request))
          group.forEach((w, i) => w.resolve(grants[i]))
        } catch (error) {
          for (const w of group) w.reject(error)
        }
      }
    } finally {
      this.queues.delete(key)
    }
  }

  /** One group: apply every request to the newest known block, write, retry on a lost race. */
  private async commit(group: BlockRequest[]): Promise<BlockGrant[]> {
    const net = group[0].start.value.cidr
    let current: Versioned<AllocationBlock> | undefined = newest([this.store.lastKnownBlock(net), ...group.map((r) => r.start)])
    // Each handle's record as far as this group knows it; a failed transaction corrects it.
    const handles = new Map<string, {known: Versioned<IPAMHandle> | undefined}>()
    for (const r of group) if (r.handleId !== null && !handles.has(r.handleId)) handles.set(r.handleId, {known: r.handles?.known})
    for (let attempt = 0; attempt < DATASTORE_RETRIES; attempt++) {
      if (!current) return group.map(() => ({ordinals: [], block: group[0].start.value}))
      const block = current.value
      let next = block
      const ordinals = group.map((r) => {
        if (r.requireAffinity !== undefined && block.affinity !== r.requireAffinity) return []
        const taken = assignInBlock(next, r.num, r.handleId, r.attrs, r.reservations)
        next = taken.block
        return taken.ordinals
      })
      if (ordinals.every((o) => o.length === 0)) return group.map(() => ({ordinals: [], block}))
      const counts = new Map<string, number>()
      group.forEach((r, i) => {
        if (r.handleId !== null && ordinals[i].length > 0) counts.set(r.handleId, (counts.get(r.handleId) ?? 0) + ordinals[i].length)
      })
      const write = this.store.blockUpdateOp(next, current.revision)
      const ops: WriteOp[] = [write.op]
      const raises: Array<{id: string; value: IPAMHandle}> = []
      for (const [id, num] of counts) {
        const raise = raiseOp(id, handles.get(id)?.known, netString(block.cidr), num)
        ops.push(raise.op)
        raises.push({id, value: raise.value})
      }
      let result
      try {
        result = await this.datastore.transact(ops)
      } catch (error) {
        this.store.forgetBlock(net)
        throw error
      }
      if (result.ok) {
        this.store.wroteBlock(write.value, result.kvs[0])
        raises.forEach(({id, value}, i) => {
          const entry = {id, value, revision: result.kvs[i + 1].modRevision}
          for (const r of group) if (r.handleId === id && r.handles) r.handles.known = entry
        })
        return group.map((_, i) => ({ordinals: ordinals[i], block}))
      }
      // Nothing was written. Take what the failed transaction saw, and try again from there.
      const blockFailure = result.failures[0]
      if (blockFailure !== undefined && !isRace(blockFailure)) throw blockFailure
      raises.forEach(({id}, i) => {
        const failure = result.failures[i + 1]
        if (failure !== undefined && !isRace(failure)) throw failure
        handles.set(id, {known: handleFrom(result.current[i + 1])})
      })
      current = blockFailure === undefined ? current : this.store.sawBlock(net, result.current[0])
      // A wrong guess about a handle needs no pause; a block another writer changed does.
      if (blockFailure !== undefined) await backoff(attempt)
    }
    throw new MaxRetriesError()
  }
}

function handleFrom(kv: KV | undefined): Versioned<IPAMHandle> | undefined {
  return kv ? {value: decodeHandle(kv.value), revision: kv.modRevision} : undefined
}

function newest(blocks: Array<Versioned<AllocationBlock> | undefined>): Versioned<AllocationBlock> | undefined {
  let best: Versioned<AllocationBlock> | undefined
  for (const b of blocks) if (b && (!best || b.revision > best.revision)) best = b
  return best
}
