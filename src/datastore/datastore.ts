/**
 * The Datastore contract: a revisioned key/value store with compare-and-swap and ordered watches,
 * modelled on etcd v3 (and on libcalico-go's backend api.Client). Every backend (local, etcd,
 * kubernetes) implements exactly this; nothing above it knows which backend it talks to.
 *
 * Invariants every backend guarantees (proven by test/datastore/conformance.ts):
 * - Revisions are positive integers, strictly increasing across the whole store; every successful
 *   single write (create, update, delete) gets a new revision, and the successful ops of one batch
 *   transaction may share one (etcd's model). `modRevision` of a pair is the revision of the write
 *   that produced it; `createRevision` the revision of its create.
 * - `list` is a consistent snapshot at its returned `revision`.
 * - `update`/`delete` with `expectedRevision` succeed only if the key's current modRevision equals
 *   it (else ConflictError); without it they are unconditional but still fail with NotFoundError.
 * - `watch(prefix, fromRevision)` delivers every event with revision >= fromRevision, in revision
 *   order, exactly once, including writes made by other processes; if fromRevision has been
 *   compacted away, it reports CompactedError and the caller must re-list.
 * - A failed write changes nothing.
 */

export interface KV {
  key: string
  value: string
  modRevision: number
  createRevision: number
}

export interface ListResult {
  items: KV[]
  /** The store revision at which the list was taken. */
  revision: number
}

export interface ListOptions {
  /** Return at most this many pairs (a page); combine with startAfter to page. */
  limit?: number
  /** Return only keys strictly greater than this one. */
  startAfter?: string
  /** Read at this revision instead of the newest; fails with CompactedError if compacted. */
  revision?: number
}

export type WatchEvent =
  | {type: 'put'; kv: KV; prev?: KV}
  | {type: 'delete'; key: string; modRevision: number; prev?: KV}

export interface WatchListener {
  /** Events in revision order; one call may carry the events of several revisions. */
  onEvents(events: WatchEvent[]): void
  /** The watch has ended with an error (CompactedError: re-list and watch again). */
  onError(error: Error): void
  /**
   * Optional: a watch that reconnects by itself (etcd) reports losing its connection (with the
   * reason) and getting it back, so a caller can say it is not ready meanwhile. Events resume
   * where they stopped; nothing needs re-listing.
   */
  onConnection?(state: {connected: boolean; reason?: string}): void
}

export interface WatchHandle {
  close(): Promise<void>
}

/** One write of a batch; see Datastore.batch. */
export type WriteOp =
  | {op: 'create'; key: string; value: string}
  | {op: 'update'; key: string; value: string; expectedRevision?: number}
  | {op: 'delete'; key: string; expectedRevision?: number}

/** Outcome of one WriteOp: the written pair (for delete, the pair as it was) or the typed error. */
export type WriteResult = {ok: true; kv: KV} | {ok: false; error: DatastoreError}

/**
 * Outcome of Datastore.transact: every op written (each op's pair as in WriteResult), or none,
 * with the typed error each op's check met (undefined for the ops whose check held) and every
 * op's key as it stood when the checks were made (undefined: absent), so a caller can retry a
 * compare-and-swap without reading again.
 */
export type TxnResult =
  | {ok: true; kvs: KV[]}
  | {ok: false; failures: Array<DatastoreError | undefined>; current: Array<KV | undefined>}

/** Most ops one Datastore.transact may carry (below etcd's default --max-txn-ops of 128). */
export const MAX_TXN_OPS = 64

/** Why a transaction of `ops` fails, given the current pair of each op's key (shared by the backends). */
export function txnFailures(ops: readonly WriteOp[], current: ReadonlyArray<KV | undefined>): Array<DatastoreError | undefined> {
  return ops.map((op, i) => {
    const kv = current[i]
    if (op.op === 'create') return kv === undefined ? undefined : new AlreadyExistsError(`key already exists: ${op.key}`, op.key)
    if (kv === undefined) return new NotFoundError(`key not found: ${op.key}`, op.key)
    if (op.expectedRevision !== undefined && kv.modRevision !== op.expectedRevision) {
      return new ConflictError(`revision conflict on ${op.key}: expected ${op.expectedRevision}, current ${kv.modRevision}`, op.key, kv.modRevision)
    }
    return undefined
  })
}

/** The request errors of a transaction (checked before anything is sent): too many ops, repeated or empty keys. */
export function invalidTxn(ops: readonly WriteOp[]): DatastoreError | undefined {
  if (ops.length > MAX_TXN_OPS) return new DatastoreError(`a transaction carries at most ${MAX_TXN_OPS} ops, not ${ops.length}`)
  const keys = new Set<string>()
  for (const op of ops) {
    if (typeof op.key !== 'string' || op.key.length === 0) return new DatastoreError('key must be a non-empty string', op.key)
    if (keys.has(op.key)) return new DatastoreError(`a transaction may write a key only once: ${op.key}`, op.key)
    keys.add(op.key)
  }
  return undefined
}

export type DatastoreType = 'local' | 'etcdv3' | 'kubernetes'

export interface Datastore {
  readonly type: DatastoreType
  get(key: string): Promise<KV | undefined>
  /**
   * Several gets in as few round trips as the backend allows; results in the order of `keys`
   * (undefined where absent). Each value is at least as new as the call; the set is not one
   * snapshot on every backend, so callers write with CAS against each pair's own modRevision.
   */
  getMany(keys: readonly string[]): Promise<Array<KV | undefined>>
  list(prefix: string, options?: ListOptions): Promise<ListResult>
  /** Fails with AlreadyExistsError if the key exists. */
  create(key: string, value: string): Promise<KV>
  /** Fails with NotFoundError if absent, ConflictError if expectedRevision is stale. */
  update(key: string, value: string, expectedRevision?: number): Promise<KV>
  /** Returns the pair as it was before deletion. */
  delete(key: string, expectedRevision?: number): Promise<KV>
  /**
   * Independent writes, each with its own outcome (not a transaction across ops). Backends may
   * pipeline or group them; results are in op order and each op is atomic on its own.
   */
  batch(ops: WriteOp[]): Promise<WriteResult[]>
  /**
   * All ops or none, atomically (one etcd transaction; one SQLite transaction): every op's check
   * (create: absent; update/delete: present and, with expectedRevision, at that revision) is made
   * against one state, and only if all hold are all ops written. A failed check is an outcome
   * (`ok: false`, with the current pairs), not a rejection. At most MAX_TXN_OPS ops, each key at
   * most once, else it rejects with DatastoreError before anything is sent; it also rejects when
   * the store cannot be reached (UnavailableError says whether it may have been applied).
   */
  transact(ops: WriteOp[]): Promise<TxnResult>
  /** The store's current revision. */
  revision(): Promise<number>
  watch(prefix: string, fromRevision: number, listener: WatchListener): WatchHandle
  /** Discard history before `revision`; watches and reads older than it fail with CompactedError. */
  compact(revision: number): Promise<void>
  close(): Promise<void>
}

export class DatastoreError extends Error {
  constructor(message: string, readonly key?: string) {
    super(message)
    this.name = new.target.name
  }
}

export class NotFoundError extends DatastoreError {}

export class AlreadyExistsError extends DatastoreError {}

export class ConflictError extends DatastoreError {
  constructor(message: string, key: string, readonly currentRevision?: number) {
    super(message, key)
  }
}

export class CompactedError extends DatastoreError {
  constructor(readonly requestedRevision: number, readonly compactRevision: number) {
    super(`required revision ${requestedRevision} has been compacted (compacted up to ${compactRevision})`)
  }
}

/** The datastore could not be reached or failed in a way that is not about one key. */
export class UnavailableError extends DatastoreError {}
