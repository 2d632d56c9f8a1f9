/**
 * EtcdDatastore: the Datastore contract over etcd v3 (the etcdv3 datastore of calicoctl).
 * See src/datastore/DESIGN.md ("etcd backend") for the reasoning; in short:
 * - keys and values verbatim; modRevision/createRevision are etcd's mod/create revisions;
 * - every write is one transaction whose compare makes it conditional (codec.ts), so create,
 *   compare-and-swap and "update only if present" are each a single round trip;
 * - list pages internally, every page at the first page's revision (one consistent snapshot);
 * - batch groups up to 120 ops per transaction, 8 transactions in flight (batch.ts);
 * - watch is one resumable stream per watch (watch.ts);
 * - every call has a time budget and fails over between endpoints (calls.ts, policy.ts).
 */
import type {Etcd3, IRangeRequest, IRangeResponse, ITxnRequest, ITxnResponse} from 'etcd3'

import {
  CompactedError,
  type Datastore,
  DatastoreError,
  invalidTxn,
  type KV,
  type ListOptions,
  type ListResult,
  type TxnResult,
  type WatchHandle,
  type WatchListener,
  type WriteOp,
  type WriteResult,
} from '../datastore.js'
import {BatchWriter, type BatchLimits} from './batch.js'
import {Caller, type CallerOptions, rejection, RejectedError} from './calls.js'
import {atomicResult, atomicTxn, encodeKey, keyAfter, prefixRange, toKV} from './codec.js'
import {EtcdWatch, probeCompactRevision} from './watch.js'

/** Pairs per range request: the first page, and the bounds for later ones (sized by bytes). */
const FIRST_PAGE = 500
const MIN_PAGE = 16
const MAX_PAGE = 1000
/** Later pages aim at about this many bytes of values. */
const PAGE_BYTES = 4 * 1024 * 1024
/** A list without a fixed revision restarts this often if compaction overtakes its paging. */
const LIST_RESTARTS = 3

const COMPACTED = 'required revision has been compacted'
const FUTURE = 'required revision is a future revision'

/** Ranges per read-only transaction in getMany (etcd's default --max-txn-ops is 128). */
const GET_MANY_GROUP = 120
const GET_MANY_IN_FLIGHT = 8

export class EtcdDatastore implements Datastore {
  readonly type = 'etcdv3' as const
  private closed = false
  private readonly watches = new Set<EtcdWatch>()
  private readonly batcher: BatchWriter
  private readonly caller: Caller

  constructor(
    private readonly client: Etcd3,
    callerOptions: Omit<CallerOptions, 'isClosed'>,
    limits: BatchLimits,
  ) {
    this.caller = new Caller({...callerOptions, isClosed: () => this.closed})
    this.batcher = new BatchWriter(
      {
        sendTxn: (txn) => this.txn(txn),
        tooBig: (error) => {
          const text = error instanceof RejectedError ? (error.failure.etcd ?? '') : ''
          if (text.includes('too many operations in txn request')) return 'ops'
          if (text.includes('request is too large')) return 'bytes'
          return undefined
        },
      },
      limits,
    )
  }

  async get(key: string): Promise<KV | undefined> {
    const response = await this.range(key, () => ({key: encodeKey(key)}))
    return response.kvs.length === 0 ? undefined : toKV(response.kvs[0])
  }

  /** Read-only transactions of up to GET_MANY_GROUP ranges each, several in flight. */
  async getMany(keys: readonly string[]): Promise<Array<KV | undefined>> {
    const results: Array<KV | undefined> = new Array(keys.length)
    const groups: number[] = []
    for (let start = 0; start < keys.length; start += GET_MANY_GROUP) groups.push(start)
    let next = 0
    const worker = async () => {
      while (next < groups.length) {
        const start = groups[next++]
        const slice = keys.slice(start, start + GET_MANY_GROUP)
        const response = await this.readTxn({success: slice.map((key) => ({request_range: {key: encodeKey(key)}}))}, slice[0])
        response.responses.forEach((op, i) => {
          const kv = op.response_range?.kvs[0]
          results[start + i] = kv ? toKV(kv) : undefined
        })
      }
    }
    await Promise.all(Array.from({length: Math.min(GET_MANY_IN_FLIGHT, groups.length)}, worker))
    return results
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const {limit, startAfter, revision} = options
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
      throw new DatastoreError(`invalid list limit ${limit}: must be a positive integer`)
    }
    if (revision !== undefined && (!Number.isSafeInteger(revision) || revision < 0)) {
      throw new DatastoreError(`invalid list revision ${revision}`)
    }
    const range = prefixRange(prefix)
    let from = range.key
    if (startAfter !== undefined) {
      const after = keyAfter(encodeKey(startAfter))
      if (Buffer.compare(after, from) > 0) from = after
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listPages(from, range.end, limit, revision)
      } catch (error) {
        // Paging at our own snapshot revision was overtaken by a compaction: take a new snapshot.
        if (!(error instanceof CompactedError) || revision !== undefined || attempt >= LIST_RESTARTS) throw error
      }
    }
  }

  async create(key: string, value: string): Promise<KV> {
    return this.writeOne({op: 'create', key, value})
  }

  async update(key: string, value: string, expectedRevision?: number): Promise<KV> {
    return this.writeOne({op: 'update', key, value, expectedRevision})
  }

  async delete(key: string, expectedRevision?: number): Promise<KV> {
    return this.writeOne({op: 'delete', key, expectedRevision})
  }

  async batch(ops: WriteOp[]): Promise<WriteResult[]> {
    if (this.closed) throw this.caller.closedError()
    if (ops.length === 0) return []
    return this.batcher.run(ops)
  }

  /**
   * One flat transaction: the compares of every op; all writes if they hold, else a read of every
   * op's key, so a failure reports the current pairs in the same round trip.
   */
  async transact(ops: WriteOp[]): Promise<TxnResult> {
    if (this.closed) throw this.caller.closedError()
    const invalid = invalidTxn(ops)
    if (invalid !== undefined) throw invalid
    if (ops.length === 0) return {ok: true, kvs: []}
    const txn = atomicTxn(ops)
    let response: ITxnResponse
    try {
      response = await this.txn(txn)
    } catch (error) {
      throw rejection(error)
    }
    return atomicResult(ops, response)
  }

  /**
   * The store revision. An empty transaction is a linearizable read (etcd serves read-only
   * transactions through a Raft read index), touches no key, and so needs no permission: a
   * user allowed only under /calico/ can still ask.
   */
  async revision(): Promise<number> {
    if (this.closed) throw this.caller.closedError()
    try {
      const response = await this.caller.read((deadline) => this.client.kv.txn({}, {deadline}))
      return Number(response.header.revision)
    } catch (error) {
      throw rejection(error)
    }
  }

  watch(prefix: string, fromRevision: number, listener: WatchListener): WatchHandle {
    if (this.closed) throw this.caller.closedError()
    const watch = new EtcdWatch(
      {
        openStream: () => this.client.watchClient.watch(),
        probe: () => this.caller.read((deadline) => this.client.kv.txn({}, {deadline})),
        forget: (w) => this.watches.delete(w),
      },
      prefix,
      fromRevision,
      listener,
    )
    this.watches.add(watch)
    return watch
  }

  /**
   * etcd compaction (logical: reads and watches below `revision` fail at once; etcd frees the
   * space in the background). Compacting at or below the current compaction point is a no-op,
   * as in the local backend; a future revision is refused.
   */
  async compact(revision: number): Promise<void> {
    if (!Number.isSafeInteger(revision) || revision < 0) throw new DatastoreError(`invalid compaction revision ${revision}`)
    try {
      await this.caller.write((deadline) => this.client.kv.compact({revision, physical: false}, {deadline}))
    } catch (error) {
      const etcd = error instanceof RejectedError ? (error.failure.etcd ?? '') : ''
      if (etcd.includes(COMPACTED)) return
      if (etcd.includes(FUTURE)) throw new DatastoreError(`cannot compact to future revision ${revision}`)
      throw rejection(error)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const watch of [...this.watches]) await watch.close()
    this.client.close()
  }

  // ---- internals ----

  private async listPages(from: Buffer, end: Buffer, limit: number | undefined, revision: number | undefined) {
    const items: KV[] = []
    let at = revision ?? 0
    let key = from
    let pageSize = FIRST_PAGE
    for (;;) {
      const want = limit === undefined ? pageSize : Math.min(pageSize, limit - items.length)
      const page = await this.range('', () => ({key, range_end: end, limit: want, revision: at}), at)
      if (at === 0) at = Number(page.header.revision)
      let bytes = 0
      for (const kv of page.kvs) {
        items.push(toKV(kv))
        bytes += kv.value.length
      }
      if (!page.more || page.kvs.length === 0 || (limit !== undefined && items.length >= limit)) break
      key = keyAfter(page.kvs[page.kvs.length - 1].key)
      const average = Math.max(1, bytes / page.kvs.length)
      pageSize = Math.max(MIN_PAGE, Math.min(MAX_PAGE, Math.floor(PAGE_BYTES / average)))
    }
    return {items, revision: at}
  }

  /** A range request (a read) with etcd's revision errors mapped to the contract's. */
  private async range(
    key: string,
    request: () => IRangeRequest,
    revision = 0,
  ): Promise<IRangeResponse> {
    if (this.closed) throw this.caller.closedError()
    try {
      return await this.caller.read((deadline) => this.client.kv.range(request(), {deadline}))
    } catch (error) {
      const etcd = error instanceof RejectedError ? (error.failure.etcd ?? '') : ''
      if (etcd.includes(COMPACTED)) {
        const compactRevision = await this.compactRevision(revision)
        throw new CompactedError(revision, compactRevision ?? revision)
      }
      if (etcd.includes(FUTURE)) throw new DatastoreError(`required revision ${revision} is a future revision`)
      throw rejection(error, key === '' ? undefined : key)
    }
  }

  private async compactRevision(revision: number): Promise<number | undefined> {
    try {
      return await probeCompactRevision(() => this.client.watchClient.watch(), revision, this.caller.timeoutMs)
    } catch {
      return undefined
    }
  }

  /** A transaction that only reads: safe to retry on another endpoint like any read. */
  private async readTxn(request: ITxnRequest, key: string): Promise<ITxnResponse> {
    if (this.closed) throw this.caller.closedError()
    try {
      return await this.caller.read((deadline) => this.client.kv.txn(request, {deadline}))
    } catch (error) {
      throw rejection(error, key)
    }
  }

  private async txn(request: ITxnRequest): Promise<ITxnResponse> {
    if (this.closed) throw this.caller.closedError()
    return this.caller.write((deadline) => this.client.kv.txn(request, {deadline}))
  }

  private async writeOne(op: WriteOp): Promise<KV> {
    if (this.closed) throw this.caller.closedError()
    const [result] = await this.batcher.run([op])
    if (!result.ok) throw result.error
    return result.kv
  }
}
