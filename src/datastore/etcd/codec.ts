/**
 * Mapping between the Datastore contract and etcd's wire types: keys and key ranges, pairs,
 * and the one transaction that carries each write op.
 *
 * Keys are used verbatim as UTF-8 bytes (the resource client builds Calico's
 * `/calico/resources/v3/projectcalico.org/...` keys), values are stored as given. etcd orders keys
 * by bytes, which for UTF-8 is code-point order, as the contract requires. Revisions arrive as
 * decimal strings (int64); they stay far below 2^53, so Number is exact.
 */
import {CompareResult, CompareTarget, type ICompare, type IKeyValue, type IResponseOp, type ITxnRequest} from 'etcd3'

import {
  AlreadyExistsError,
  ConflictError,
  DatastoreError,
  type KV,
  NotFoundError,
  type TxnResult,
  txnFailures,
  type WriteOp,
  type WriteResult,
} from '../datastore.js'

const ZERO = Buffer.from([0])

export function encodeKey(key: string): Buffer {
  return Buffer.from(key, 'utf8')
}

/**
 * etcd's prefix range: [prefix, end) where end is the prefix with its last byte below 0xff
 * incremented (trailing 0xff bytes dropped). `\0` as end means "to the end of the keyspace",
 * which is also what the empty prefix needs (key `\0`, end `\0`: every key).
 */
export function prefixRange(prefix: string): {key: Buffer; end: Buffer} {
  const key = encodeKey(prefix)
  for (let i = key.length - 1; i >= 0; i--) {
    if (key[i] < 0xff) {
      const end = Buffer.from(key.subarray(0, i + 1))
      end[i]++
      return {key, end}
    }
  }
  return {key: key.length === 0 ? ZERO : key, end: ZERO}
}

/** The first key strictly after `key`. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, ZERO])
}

export function toKV(kv: IKeyValue): KV {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  }
}

/** etcd sends absent message fields as null (proto-loader `defaults`); a real pair has a revision. */
export function presentKV(kv: IKeyValue | null | undefined): KV | undefined {
  return kv && Number(kv.mod_revision) > 0 ? toKV(kv) : undefined
}

/** Rough request size of an op, for keeping transactions under etcd's request size limit. */
export function opBytes(op: WriteOp): number {
  return Buffer.byteLength(op.key) * 2 + (op.op === 'delete' ? 0 : Buffer.byteLength(op.value)) + 64
}

export function invalidKey(op: WriteOp): DatastoreError | undefined {
  if (typeof op.key !== 'string' || op.key.length === 0) return new DatastoreError('key must be a non-empty string', op.key)
  return undefined
}

const exists = (key: Buffer): ICompare => ({key, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0})
const absent = (key: Buffer): ICompare => ({key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0})
const modIs = (key: Buffer, revision: number): ICompare => ({
  key,
  target: CompareTarget.Mod,
  result: CompareResult.Equal,
  mod_revision: revision,
})

/**
 * The transaction for one op: a single compare, the write when it holds, and (for compare-and-
 * swap) a read of the key when it does not, so the outcome tells NotFound from Conflict. Always
 * exactly one compare: etcd counts a nested transaction's ops against its max-txn-ops, so this
 * keeps the batch's outer transaction as large as possible (batch.ts).
 *
 * - create: create_revision == 0 (absent) → put.
 * - update/delete without expectedRevision: create_revision > 0 (present) → put/delete, in the
 *   same transaction, so an absent key fails NotFound without a separate read.
 * - update/delete with expectedRevision: mod_revision == expected → put/delete; else read. An
 *   absent key has mod_revision 0, so a non-positive expectation is turned into a plain
 *   presence check that never writes (it can only conflict or be NotFound).
 */
export function opTxn(op: WriteOp): ITxnRequest {
  const key = encodeKey(op.key)
  const write =
    op.op === 'delete'
      ? {request_delete_range: {key, prev_kv: true}}
      : {request_put: {key, value: Buffer.from(op.value, 'utf8'), prev_kv: op.op === 'update'}}
  if (op.op === 'create') return {compare: [absent(key)], success: [write]}
  if (op.expectedRevision === undefined) return {compare: [exists(key)], success: [write]}
  const read = {request_range: {key}}
  if (!(op.expectedRevision > 0)) return {compare: [exists(key)], success: [read], failure: []}
  return {compare: [modIs(key, op.expectedRevision)], success: [write], failure: [read]}
}

/** Interprets the response to opTxn(op); `revision` is the header revision of the transaction. */
export function opResult(op: WriteOp, succeeded: boolean, responses: IResponseOp[], revision: number): WriteResult {
  const {key} = op
  const nonPositiveExpectation = op.op !== 'create' && op.expectedRevision !== undefined && !(op.expectedRevision > 0)
  if (succeeded && !nonPositiveExpectation) {
    if (op.op === 'create') return {ok: true, kv: {key, value: op.value, createRevision: revision, modRevision: revision}}
    if (op.op === 'update') {
      const prev = presentKV(responses[0]?.response_put?.prev_kv)
      return {ok: true, kv: {key, value: op.value, createRevision: prev?.createRevision ?? revision, modRevision: revision}}
    }
    const prev = presentKV(responses[0]?.response_delete_range?.prev_kvs?.[0])
    if (prev === undefined) return {ok: false, error: new NotFoundError(`key not found: ${key}`, key)}
    return {ok: true, kv: prev}
  }
  if (op.op === 'create') return {ok: false, error: new AlreadyExistsError(`key already exists: ${key}`, key)}
  const current = presentKV(responses[0]?.response_range?.kvs?.[0])
  if (op.expectedRevision === undefined || current === undefined) {
    return {ok: false, error: new NotFoundError(`key not found: ${key}`, key)}
  }
  return {
    ok: false,
    error: new ConflictError(
      `revision conflict on ${key}: expected ${op.expectedRevision}, current ${current.modRevision}`,
      key,
      current.modRevision,
    ),
  }
}

/**
 * The transaction of Datastore.transact: every op's compare (an update/delete expecting a
 * non-positive revision adds a presence compare, since an absent key's mod_revision is 0), every
 * op's write on success, and a read of every op's key on failure. An update asks for no prev_kv
 * (that would send the whole old value back, a large block on IPAM's hot path); a keys-only read
 * of its key after the put reports the create revision instead. A delete keeps prev_kv: its
 * result is the deleted pair.
 */
export function atomicTxn(ops: readonly WriteOp[]): ITxnRequest {
  const compare: ICompare[] = []
  const success: NonNullable<ITxnRequest['success']> = []
  const failure: NonNullable<ITxnRequest['failure']> = []
  for (const op of ops) {
    const key = encodeKey(op.key)
    if (op.op === 'create') compare.push(absent(key))
    else if (op.expectedRevision === undefined) compare.push(exists(key))
    else {
      if (!(op.expectedRevision > 0)) compare.push(exists(key))
      compare.push(modIs(key, op.expectedRevision))
    }
    if (op.op === 'delete') success.push({request_delete_range: {key, prev_kv: true}})
    else {
      success.push({request_put: {key, value: Buffer.from(op.value, 'utf8')}})
      if (op.op === 'update') success.push({request_range: {key, keys_only: true}})
    }
    failure.push({request_range: {key}})
  }
  return {compare, success, failure}
}

/** Interprets the response to atomicTxn(ops). */
export function atomicResult(ops: readonly WriteOp[], response: {succeeded: boolean; responses: IResponseOp[]; header: {revision: string}}): TxnResult {
  const revision = Number(response.header.revision)
  if (response.succeeded) {
    // The success responses follow atomicTxn: one per op, and after an update's put its keys-only read.
    let at = 0
    const kvs = ops.map((op) => {
      const own = response.responses[at++]
      if (op.op === 'create') return {key: op.key, value: op.value, createRevision: revision, modRevision: revision}
      if (op.op === 'update') {
        const created = Number(response.responses[at++]?.response_range?.kvs?.[0]?.create_revision ?? 0)
        return {key: op.key, value: op.value, createRevision: created > 0 ? created : revision, modRevision: revision}
      }
      const result = opResult(op, true, [own], revision)
      // Every compare held, so every write happened; a delete's prev_kv is always present.
      if (!result.ok) throw new DatastoreError(`etcd transaction reported success but ${op.key} was not written`, op.key)
      return result.kv
    })
    return {ok: true, kvs}
  }
  const current = ops.map((_, i) => presentKV(response.responses[i]?.response_range?.kvs?.[0]))
  const failures = txnFailures(ops, current)
  if (!failures.some((f) => f !== undefined)) failures[0] = new DatastoreError('etcd transaction failed its compares but no op explains why', ops[0]?.key)
  return {ok: false, failures, current}
}
