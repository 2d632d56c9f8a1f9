/**
 * A minimal in-memory Datastore for fast IPAM tests: get/list/create/update/delete/batch with the
 * contract's revisions and typed errors. Watch and compaction are not needed by IPAM and throw.
 * Optionally injects conflicts: `conflictRate` makes that share of CAS writes fail as if another
 * writer had won, to drive the retry paths.
 */
import {
  AlreadyExistsError,
  ConflictError,
  type Datastore,
  DatastoreError,
  invalidTxn,
  type KV,
  type ListOptions,
  type ListResult,
  NotFoundError,
  type TxnResult,
  txnFailures,
  type WatchHandle,
  type WriteOp,
  type WriteResult,
} from '../../../src/datastore/datastore.js'

export class MemoryDatastore implements Datastore {
  readonly type = 'local' as const
  private readonly kvs = new Map<string, KV>()
  private rev = 0
  /** Number of CAS writes failed on purpose. */
  injected = 0

  constructor(private readonly options: {conflictRate?: number; random?: () => number} = {}) {}

  async getMany(keys: readonly string[]): Promise<Array<KV | undefined>> {
    return Promise.all(keys.map((key) => this.get(key)))
  }

  async get(key: string): Promise<KV | undefined> {
    const kv = this.kvs.get(key)
    return kv ? {...kv} : undefined
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    let keys = [...this.kvs.keys()].filter((k) => k.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    if (options.startAfter !== undefined) keys = keys.filter((k) => k > (options.startAfter as string))
    if (options.limit !== undefined) keys = keys.slice(0, options.limit)
    return {items: keys.map((k) => ({...(this.kvs.get(k) as KV)})), revision: this.rev}
  }

  async create(key: string, value: string): Promise<KV> {
    if (this.kvs.has(key)) throw new AlreadyExistsError(`key exists: ${key}`, key)
    const kv = {key, value, modRevision: ++this.rev, createRevision: this.rev}
    this.kvs.set(key, kv)
    return {...kv}
  }

  private maybeInject(key: string, expectedRevision?: number): void {
    if (expectedRevision === undefined || !this.options.conflictRate) return
    if ((this.options.random ?? Math.random)() < this.options.conflictRate) {
      this.injected++
      // Simulate a concurrent writer: bump the key's revision without changing its value.
      const kv = this.kvs.get(key)
      if (kv) this.kvs.set(key, {...kv, modRevision: ++this.rev})
      throw new ConflictError(`injected conflict on ${key}`, key, this.rev)
    }
  }

  async update(key: string, value: string, expectedRevision?: number): Promise<KV> {
    const current = this.kvs.get(key)
    if (!current) throw new NotFoundError(`key not found: ${key}`, key)
    if (expectedRevision !== undefined && current.modRevision !== expectedRevision) {
      throw new ConflictError(`revision mismatch on ${key}`, key, current.modRevision)
    }
    this.maybeInject(key, expectedRevision)
    const kv = {key, value, modRevision: ++this.rev, createRevision: current.createRevision}
    this.kvs.set(key, kv)
    return {...kv}
  }

  async delete(key: string, expectedRevision?: number): Promise<KV> {
    const current = this.kvs.get(key)
    if (!current) throw new NotFoundError(`key not found: ${key}`, key)
    if (expectedRevision !== undefined && current.modRevision !== expectedRevision) {
      throw new ConflictError(`revision mismatch on ${key}`, key, current.modRevision)
    }
    this.maybeInject(key, expectedRevision)
    this.kvs.delete(key)
    this.rev++
    return {...current}
  }

  async batch(ops: WriteOp[]): Promise<WriteResult[]> {
    const out: WriteResult[] = []
    for (const op of ops) {
      try {
        const kv =
          op.op === 'create'
            ? await this.create(op.key, op.value)
            : op.op === 'update'
              ? await this.update(op.key, op.value, op.expectedRevision)
              : await this.delete(op.key, op.expectedRevision)
        out.push({ok: true, kv})
      } catch (error) {
        out.push({ok: false, error: error as DatastoreError})
      }
    }
    return out
  }

  /** All or nothing; injected conflicts hit its compare-and-swap ops as they hit single writes. */
  async transact(ops: WriteOp[]): Promise<TxnResult> {
    const invalid = invalidTxn(ops)
    if (invalid !== undefined) throw invalid
    for (const op of ops) {
      if (op.op === 'create') continue
      try {
        if (this.kvs.get(op.key)?.modRevision === op.expectedRevision) this.maybeInject(op.key, op.expectedRevision)
      } catch {
        break
      }
    }
    const current = ops.map((op) => {
      const kv = this.kvs.get(op.key)
      return kv ? {...kv} : undefined
    })
    const failures = txnFailures(ops, current)
    if (failures.some((f) => f !== undefined)) return {ok: false, failures, current}
    const kvs: KV[] = []
    for (const op of ops) {
      if (op.op === 'delete') {
        kvs.push({...(this.kvs.get(op.key) as KV)})
        this.kvs.delete(op.key)
        this.rev++
        continue
      }
      const createRevision = this.kvs.get(op.key)?.createRevision ?? this.rev + 1
      const kv = {key: op.key, value: op.value, modRevision: ++this.rev, createRevision}
      this.kvs.set(op.key, kv)
      kvs.push({...kv})
    }
    return {ok: true, kvs}
  }

  async revision(): Promise<number> {
    return this.rev
  }

  watch(): WatchHandle {
    throw new DatastoreError('watch is not supported by the in-memory test datastore')
  }

  async compact(): Promise<void> {
    throw new DatastoreError('compact is not supported by the in-memory test datastore')
  }

  async close(): Promise<void> {}

  /** Every pair, for snapshots in tests. */
  dump(): Map<string, string> {
    return new Map([...this.kvs].map(([k, kv]) => [k, kv.value]))
  }
}
