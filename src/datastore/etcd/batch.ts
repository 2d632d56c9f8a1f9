/**
 * Datastore.batch over etcd: many ops per transaction, several transactions in flight.
 *
 * One etcd request per op tops out at a few thousand writes/s (each request costs a gRPC call
 * and a Raft proposal); one transaction carrying a hundred ops costs little more than one op.
 * A group of ops is first sent as one FLAT transaction: every op's compare, every op's write.
 * That is as cheap as raw puts and is the common case (nothing conflicts). But one flat compare
 * list fails as a whole, so if any op's compare fails (then nothing was applied) the group is sent
 * again with each op as its own NESTED transaction (codec.ts opTxn) inside an outer transaction
 * without compares: etcd evaluates every nested compare independently, so each op keeps its own
 * outcome.
 *
 * Consequences, all deliberate:
 * - The ops that succeed in one outer transaction are committed atomically at ONE revision (that
 *   is how etcd works); ops in different transactions get different revisions.
 * - etcd refuses two writes to one key in a transaction, and ops on one key must apply in op
 *   order; so an op whose key is already in the group starts a new group, and a group waits for
 *   every earlier group that touches one of its keys before it is sent.
 * - Groups are capped by op count (etcd's --max-txn-ops, 128 by default, counts the outer ops plus
 *   one nested compare each) and by bytes (--max-request-bytes, 1.5 MiB by default). If a server
 *   is configured lower, etcd rejects the group before applying anything; the group is split
 *   and the smaller size is remembered for later batches.
 * - If etcd becomes unreachable or the connection drops, the affected group's ops fail with
 *   UnavailableError saying whether they were "not written" or "may or may not have been
 *   applied"; groups not yet sent are not attempted and say so. Earlier results stand.
 */
import {type ITxnRequest, type ITxnResponse} from 'etcd3'

import {DatastoreError, UnavailableError, type WriteOp, type WriteResult} from '../datastore.js'
import {EtcdUnavailableError, rejection} from './calls.js'
import {invalidKey, opBytes, opResult, opTxn} from './codec.js'

export interface BatchLimits {
  /** Ops per outer transaction. */
  maxOps: number
  /** Approximate request bytes per outer transaction. */
  maxBytes: number
  /** Outer transactions in flight at once. */
  concurrency: number
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {maxOps: 120, maxBytes: 1024 * 1024, concurrency: 8}

/** What the batch needs from the store. */
export interface TxnSender {
  /** Sends one transaction as a write; rejects with a DatastoreError (see calls.ts). */
  sendTxn(txn: ITxnRequest): Promise<ITxnResponse>
  /** Classifies a rejection by etcd: the group is too big in ops or bytes, or something else. */
  tooBig(error: unknown): 'ops' | 'bytes' | undefined
}

interface Group {
  indexes: number[]
  /** Earlier groups sharing a key with this one. */
  after: number[]
}

export class BatchWriter {
  constructor(
    private readonly sender: TxnSender,
    /** Shared and adjusted across batches when a server turns out to have lower limits. */
    readonly limits: BatchLimits,
  ) {}

  async run(ops: WriteOp[]): Promise<WriteResult[]> {
    const results: Array<WriteResult | undefined> = new Array(ops.length)
    const groups = this.formGroups(ops, results)
    const finished: Array<Promise<void>> = new Array(groups.length)
    let stop: UnavailableError | undefined
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < groups.length) {
        const index = next++
        const group = groups[index]
        const done = (async () => {
          await Promise.all(group.after.map((g) => finished[g]))
          if (stop !== undefined) {
            for (const i of group.indexes) results[i] = {ok: false, error: notAttempted(stop, ops[i].key)}
            return
          }
          const outcome = await this.sendGroup(ops, group.indexes)
          for (const [j, i] of group.indexes.entries()) results[i] = outcome.results[j]
          stop ??= outcome.stop
        })()
        finished[index] = done
        await done
      }
    }
    await Promise.all(Array.from({length: Math.min(this.limits.concurrency, groups.length)}, worker))
    return results.map((r, i) => r ?? {ok: false, error: new DatastoreError('internal error: op not run', ops[i].key)})
  }

  /** Splits ops into groups; invalid ops get their result at once. */
  private formGroups(ops: WriteOp[], results: Array<WriteResult | undefined>): Group[] {
    const groups: Group[] = []
    const lastGroupOfKey = new Map<string, number>()
    let current: Group | undefined
    let keys = new Set<string>()
    let bytes = 0
    ops.forEach((op, i) => {
      const invalid = invalidKey(op)
      if (invalid !== undefined) {
        results[i] = {ok: false, error: invalid}
        return
      }
      const size = opBytes(op)
      const full =
        current !== undefined &&
        (current.indexes.length >= this.limits.maxOps || bytes + size > this.limits.maxBytes || keys.has(op.key))
      if (current === undefined || full) {
        current = {indexes: [], after: []}
        groups.push(current)
        keys = new Set()
        bytes = 0
      }
      const index = groups.length - 1
      const earlier = lastGroupOfKey.get(op.key)
      if (earlier !== undefined && earlier !== index && !current.after.includes(earlier)) current.after.push(earlier)
      lastGroupOfKey.set(op.key, index)
      current.indexes.push(i)
      keys.add(op.key)
      bytes += size
    })
    return groups
  }

  /**
   * Sends ops[indexes]: one op as its own transaction; several first as one FLAT transaction
   * (all the ops' compares, all their writes: the cheapest form, and the common case when
   * nothing conflicts) and, only if some compare failed (then nothing was applied), again as the
   * outer transaction of nested ones, which gives every op its own outcome.
   */
  private async sendGroup(ops: WriteOp[], indexes: number[]): Promise<{results: WriteResult[]; stop?: UnavailableError}> {
    const group = indexes.map((i) => ops[i])
    try {
      if (group.length === 1) {
        const response = await this.sender.sendTxn(opTxn(group[0]))
        return {results: [opResult(group[0], response.succeeded, response.responses, Number(response.header.revision))]}
      }
      const txns = group.map(opTxn)
      if (txns.every((t) => t.compare?.length === 1 && t.success?.length === 1)) {
        const flat = await this.sender.sendTxn({
          compare: txns.map((t) => t.compare?.[0] ?? {}),
          success: txns.map((t) => t.success?.[0] ?? {}),
        })
        if (flat.succeeded) {
          const revision = Number(flat.header.revision)
          return {results: group.map((op, j) => opResult(op, true, flat.responses.slice(j, j + 1), revision))}
        }
      }
      const response = await this.sender.sendTxn({success: txns.map((txn) => ({request_txn: txn}))})
      const revision = Number(response.header.revision)
      return {
        results: group.map((op, j) => {
          const nested = response.responses[j]?.response_txn
          return opResult(op, nested?.succeeded ?? false, nested?.responses ?? [], revision)
        }),
      }
    } catch (error) {
      return this.groupFailed(ops, indexes, error)
    }
  }

  private async groupFailed(
    ops: WriteOp[],
    indexes: number[],
    error: unknown,
  ): Promise<{results: WriteResult[]; stop?: UnavailableError}> {
    const big = this.sender.tooBig(error)
    if (big !== undefined && indexes.length > 1) {
      // Nothing was applied; split, remember the smaller size, and send the halves in order.
      const half = Math.ceil(indexes.length / 2)
      if (big === 'ops') this.limits.maxOps = Math.min(this.limits.maxOps, half)
      const first = await this.sendGroup(ops, indexes.slice(0, half))
      if (first.stop !== undefined) {
        return {results: [...first.results, ...indexes.slice(half).map((i) => fail(notAttempted(first.stop!, ops[i].key)))], stop: first.stop}
      }
      const second = await this.sendGroup(ops, indexes.slice(half))
      return {results: [...first.results, ...second.results], stop: second.stop}
    }
    const results = indexes.map((i) => fail(perOp(error, ops[i].key)))
    return {results, stop: error instanceof UnavailableError ? error : undefined}
  }
}

function fail(error: DatastoreError): WriteResult {
  return {ok: false, error}
}

/** The group's error, restated for one of its ops (so each error carries its own key). */
function perOp(error: unknown, key: string): DatastoreError {
  const mapped = rejection(error)
  if (mapped instanceof EtcdUnavailableError) return new EtcdUnavailableError(mapped.message, mapped.reason, key)
  if (mapped instanceof UnavailableError) return new UnavailableError(mapped.message, key)
  if (mapped instanceof DatastoreError) return new DatastoreError(mapped.message, key)
  return new DatastoreError(`etcd write failed: ${mapped instanceof Error ? mapped.message : String(mapped)}`, key)
}

function notAttempted(cause: UnavailableError, key: string): UnavailableError {
  const reason = cause instanceof EtcdUnavailableError ? cause.reason : cause.message
  return new UnavailableError(`not attempted: an earlier write of this batch failed (${reason})`, key)
}
