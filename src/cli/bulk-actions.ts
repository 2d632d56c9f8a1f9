/**
 * create, apply and delete of many resources, with calicoctl's per-resource semantics and
 * results but batched writes: resources are checked one by one, then written in groups through
 * Datastore.batch (one transaction locally, pipelined transactions on etcd) instead of one round
 * trip each. Go calicoctl does a GET and a write per resource.
 *
 * Equivalence with the one-at-a-time path (resource-actions.ts) is kept by construction:
 * - kinds whose writes other resources' checks read (Tier: policy tier checks and tier deletion;
 *   IPPool: overlap checks; BGPFilter: a BGPPeer's filters must exist) are written alone, in
 *   input order, after flushing pending writes;
 * - once the datastore is unreachable, the remaining resources are reported "not attempted"
 *   instead of each waiting out the datastore's timeout;
 * - apply first creates; the resources that already exist are then read and updated in a second
 *   batch, conditional on the revision just read; anything that conflicts or vanished in between
 *   falls back to the one-at-a-time path, which retries as calicoctl does.
 *
 * Pipelining: while batches are being written, the next batch is pulled from the (lazy) input
 * and prepared — decoded, defaulted, validated, encoded, and for apply-against-current also read,
 * after any batch in flight that writes one of its keys. Batches are sent in input order, up to
 * MAX_IN_FLIGHT at once; a batch sharing a key with one in flight waits for it, so writes to one
 * key keep their input order. When a batch finds the datastore unavailable, everything not yet
 * sent is reported "not attempted"; a batch already in flight (with MAX_IN_FLIGHT above one)
 * reports its own outcome per resource (written, not written, or "may or may not have been
 * applied"), as the groups of one etcd batch do.
 *
 * Preparing is synchronous CPU work between awaits of settled promises, which never yields to
 * the event loop: the gRPC requests of the batch in flight would not go out, nor their replies
 * be read, until the next batch was ready, and writing would not overlap preparing at all. So
 * while writes are in flight, preparation yields to the event loop every YIELD_EVERY resources.
 */
import {setImmediate as nextIoTurn} from 'node:timers/promises'

import type {Resource} from '../api/resource.js'
import {UnavailableError, type KV, type WriteResult} from '../datastore/datastore.js'
import {ResourceAlreadyExistsError, ResourceDoesNotExistError} from '../datastore/resource-errors.js'
import {outcomeToResource, resourceFromKV, resourceKey, type PreparedWrite, type ResourceClient} from '../datastore/resources.js'
import type {Progress} from './progress.js'
import {
  checkWritable,
  executeResourceAction,
  forCreate,
  handleNamespace,
  withStoredMetadata,
  type ActionOptions,
} from './resource-actions.js'

export type BulkAction = 'create' | 'apply' | 'delete'

/** The outcome of one input resource: what it produced, or why it failed. */
export interface Outcome {
  resources?: Resource[]
  /**
   * A batched write's stored pair, kept instead of the resource it decodes to (resourceFromKV),
   * so that a run of many resources holds strings rather than object trees until someone asks.
   */
  written?: KV
  error?: unknown
}

interface Pending {
  outcome: Outcome
  /** The input after namespace handling (labels and annotations intact, for apply's update). */
  input: Resource
  /** Its store key, worked out once (read ahead, flush and apply's update all need it). */
  key: string
}

type Ready = Pending & {prepared: PreparedWrite}

/** A batch prepared ahead: its writes, and an unavailability met while preparing it. */
interface PreparedBatch {
  commit: () => Promise<void>
  unavailable?: UnavailableError
}

const WRITTEN_ALONE = new Set(['Tier', 'IPPool', 'BGPFilter'])
const BATCH_SIZE = 500
/**
 * The first batch: nothing is written while it is prepared, so it is small and the writes start
 * early; each following batch doubles, up to BATCH_SIZE.
 */
const FIRST_BATCH_SIZE = 64
/**
 * Batches whose writes may be under way at once. One keeps the sequential order's failure
 * semantics exactly (when etcd goes away, at most one batch's writes are uncertain and everything
 * after it is "not attempted"). Two measured about 20% more throughput into etcd here while
 * preparing did not yield to the event loop; since it does, one batch in flight overlaps fully and
 * two measured no different, so two would only double what is uncertain after a failure.
 */
const MAX_IN_FLIGHT = 1
/** Resources prepared between turns of the event loop while writes are in flight (see above). */
const YIELD_EVERY = 16
/** apply against current objects: keys read ahead per request while a batch is gathered. */
const READ_AHEAD_CHUNK = 100

export class BulkExecutor {
  private pending: Pending[] = []
  /** Every outcome of the batch being gathered, settled early or not (see flush). */
  private gathered: Outcome[] = []
  /** Set once the datastore is found unreachable: the rest is reported, not attempted. */
  private unavailable: UnavailableError | undefined
  /** apply: most of the last batch already existed, so read before writing. */
  private mostlyExisting = false
  /** Batches whose writes are under way (oldest first), with their keys. */
  private inFlight: Array<{done: Promise<void>; keys: Set<string>}> = []
  /** Resources prepared since the event loop last had a turn. */
  private sinceIoTurn = 0
  /** The size the batch being gathered is flushed at (see FIRST_BATCH_SIZE). */
  private batchSize = FIRST_BATCH_SIZE
  /** Reads of the gathered batch's keys started while gathering it (see readAhead). */
  private readsAhead: ReadAhead[] = []
  /** How many of the gathered batch's resources readsAhead covers. */
  private readAheadUpTo = 0

  constructor(
    private readonly client: ResourceClient,
    private readonly action: BulkAction,
    private readonly options: ActionOptions,
    private readonly progress?: Progress,
  ) {}

  /**
   * Runs every resource; outcomes are in input order. `resources` may be lazy: it is pulled
   * while the previous batch's writes are in flight, so decoding overlaps the round trips.
   */
  async run(resources: Iterable<Resource>): Promise<Outcome[]> {
    const outcomes: Outcome[] = []
    for (const original of resources) {
      const outcome: Outcome = {}
      outcomes.push(outcome)
      const queued = await this.add(original, outcome)
      if (!queued) this.progress?.advance()
      if (this.pending.length >= this.batchSize) await this.flush()
      else {
        this.readAhead()
        await this.letIoProceed()
      }
    }
    await this.flush()
    await this.drain()
    return outcomes
  }

  /** Returns whether the resource was queued for the next batch (false: already settled). */
  private async add(original: Resource, outcome: Outcome): Promise<boolean> {
    if (this.unavailable) {
      outcome.error = notAttempted(this.unavailable)
      return false
    }
    // handleNamespace writes metadata.namespace only; the original stays as the input named it.
    const input: Resource = {...original, metadata: {...original.metadata}}
    try {
      handleNamespace(input, this.options)
      checkWritable(this.action, input)
      if (WRITTEN_ALONE.has(input.kind) || (this.action === 'apply' && input.metadata.resourceVersion)) {
        // As in the sequential order: the batches before this resource's own are complete when
        // it is looked at; the one gathered with it is written before it.
        await this.drain()
        if (this.unavailable) {
          outcome.error = notAttempted(this.unavailable)
          return false
        }
        await this.flush()
        await this.drain()
        outcome.resources = await executeResourceAction(this.client, this.action, structuredClone(original), this.options)
        return false
      }
      this.pending.push({outcome, input, key: resourceKey(input.kind, input.metadata.name ?? '', input.metadata.namespace)})
      this.gathered.push(outcome)
      return true
    } catch (error) {
      this.settleError(outcome, input, error)
      this.gathered.push(outcome)
      return false
    }
  }

  /**
   * The skip flags turn some failures into successes, as in ExecuteResourceAction. An
   * unavailability is recorded for the run, or in `ahead` when met preparing a batch ahead (it
   * then counts only once the batches before it are known to have been available).
   */
  private settleError(outcome: Outcome, input: Resource, error: unknown, ahead?: {unavailable?: UnavailableError}): void {
    if (error instanceof UnavailableError) {
      if (ahead) ahead.unavailable ??= error
      else this.unavailable ??= error
    }
    if (error instanceof ResourceAlreadyExistsError && this.options.skipExists) outcome.resources = [input]
    else if (error instanceof ResourceDoesNotExistError && this.options.skipNotExists) outcome.resources = [input]
    else outcome.error = error
  }

  /**
   * apply, when objects mostly exist already: reads the current objects of the batch being
   * gathered a chunk at a time as it fills, so the reads overlap decoding instead of waiting at
   * flush. A chunk is read ahead only if no batch in flight writes one of its keys (otherwise it
   * is read at flush, after that batch): nothing else is written between here and its flush.
   */
  private readAhead(): void {
    if (this.action !== 'apply' || !this.mostlyExisting) return
    const from = this.readAheadUpTo
    if (this.pending.length - from < READ_AHEAD_CHUNK) return
    this.readAheadUpTo = from + READ_AHEAD_CHUNK
    const keys = this.pending.slice(from, from + READ_AHEAD_CHUNK).map((p) => p.key)
    if (this.inFlight.some((batch) => keys.some((key) => batch.keys.has(key)))) return
    const read = this.client.datastore.getMany(keys)
    // Awaited at flush; a read nobody waits for (the mode changed) must not go unhandled.
    read.catch(() => undefined)
    this.readsAhead.push({from, read})
  }

  /** Gives the event loop a turn every YIELD_EVERY calls while writes are in flight. */
  private async letIoProceed(): Promise<void> {
    if (this.inFlight.length === 0 || ++this.sinceIoTurn < YIELD_EVERY) return
    this.sinceIoTurn = 0
    await nextIoTurn()
  }

  /** Waits for every batch in flight. */
  private async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift()?.done
  }

  /** Waits for the batches in flight that write one of `keys` (and those sent before them). */
  private async waitForKeys(keys: readonly string[]): Promise<void> {
    let last = -1
    this.inFlight.forEach((batch, i) => {
      if (keys.some((key) => batch.keys.has(key))) last = i
    })
    for (; last >= 0; last--) await this.inFlight.shift()?.done
  }

  /**
   * Waits until a batch writing `keys` may be sent: every batch in flight that writes one of
   * them has finished (ops on one key keep their input order), and fewer than MAX_IN_FLIGHT
   * batches are under way. Batches finish in the order they were sent.
   */
  private async waitForRoom(keys: readonly string[]): Promise<void> {
    await this.waitForKeys(keys)
    while (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift()?.done
  }

  /**
   * Prepares the gathered batch (checks, defaults, encoding; for apply against current objects
   * also the read) while earlier batches are still being written, then waits for room (see
   * waitForRoom) and starts this one's writes without waiting for them. Should an earlier batch
   * have found the datastore unavailable by then, every resource gathered since is reported not
   * attempted, as it would have been had it been looked at only afterwards; an unavailability
   * met while preparing this batch counts from this batch on, as it did when preparing came
   * after the previous writes.
   */
  private async flush(): Promise<void> {
    const batch = this.pending
    const gathered = this.gathered
    const readsAhead = this.readsAhead
    this.pending = []
    this.gathered = []
    this.readsAhead = []
    this.readAheadUpTo = 0
    this.batchSize = Math.min(BATCH_SIZE, this.batchSize * 2)
    if (gathered.length === 0) return
    const keys = batch.map((p) => p.key)
    const prepared =
      this.action === 'apply' && this.mostlyExisting
        ? await this.prepareAgainstCurrent(batch, keys, true, readsAhead)
        : await this.prepareBlind(batch)
    await this.waitForRoom(keys)
    if (this.unavailable) {
      for (const outcome of gathered) {
        delete outcome.resources
        delete outcome.written
        outcome.error = notAttempted(this.unavailable)
      }
      this.progress?.advance(batch.length)
      return
    }
    this.unavailable ??= prepared.unavailable
    const done = prepared.commit().then(() => this.progress?.advance(batch.length))
    // A failure is rethrown when the batch is waited for; until then it is not unhandled.
    done.catch(() => undefined)
    this.inFlight.push({done, keys: new Set(keys)})
  }

  /**
   * Creates (or deletes) without reading first. For apply, what turned out to exist is then
   * updated against its current revision; when most of a batch existed, the next batches read
   * first instead (a re-apply of the same files is the common case).
   */
  private async prepareBlind(batch: Pending[]): Promise<PreparedBatch> {
    const ready: Ready[] = []
    const ahead: {unavailable?: UnavailableError} = {}
    for (const pending of batch) {
      try {
        ready.push({...pending, prepared: await this.prepareOne(pending.input)})
        await this.letIoProceed()
      } catch (error) {
        this.settleError(pending.outcome, pending.input, error, ahead)
      }
    }
    const commit = async () => {
      const existing: Pending[] = []
      for (const [pending, result] of this.zip(ready, await this.write(ready))) {
        if (result.ok) {
          pending.outcome.written = result.kv
          continue
        }
        try {
          outcomeToResource(result, pending.prepared.identifier)
        } catch (error) {
          if (error instanceof ResourceAlreadyExistsError && this.action === 'apply') existing.push(pending)
          else this.settleError(pending.outcome, pending.input, error)
        }
      }
      if (existing.length > 0) {
        const keys = existing.map((p) => p.key)
        await (await this.prepareAgainstCurrent(existing, keys, false)).commit()
      }
      if (this.action === 'apply') this.mostlyExisting = existing.length * 2 > batch.length
    }
    return {commit, unavailable: ahead.unavailable}
  }

  /**
   * apply against what is stored now: read every key, update what exists (conditional on the
   * revision just read) and create the rest. Anything that changed in between — a conflict, a
   * create racing another writer — goes through the one-at-a-time path, which retries. The read
   * made ahead waits for the batch in flight only if that batch writes one of the same keys
   * (`ahead` false: this is the batch in flight, finishing its own creates that found objects).
   */
  private async prepareAgainstCurrent(batch: Pending[], keys: string[], isAhead: boolean, readsAhead: ReadAhead[] = []): Promise<PreparedBatch> {
    if (isAhead) await this.waitForKeys(keys)
    let current: Array<KV | undefined>
    try {
      current = await this.readCurrent(keys, readsAhead)
    } catch (error) {
      // Read ahead, this may fail because the batch in flight found the datastore gone; then
      // this batch is not attempted (flush says so) rather than the run failing.
      if (!isAhead) throw error
      await this.drain()
      if (!this.unavailable) throw error
      return {commit: async () => undefined}
    }
    const ready: Ready[] = []
    const ahead: {unavailable?: UnavailableError} | undefined = isAhead ? {} : undefined
    for (const [i, pending] of batch.entries()) {
      const kv = current[i]
      try {
        let prepared: PreparedWrite
        if (kv) {
          const stored = resourceFromKV(kv)
          prepared = await this.client.prepareUpdate(withStoredMetadata(pending.input, stored), kv, stored)
        } else {
          prepared = await this.client.prepareCreate(forCreate(pending.input))
        }
        ready.push({...pending, prepared})
        await this.letIoProceed()
      } catch (error) {
        this.settleError(pending.outcome, pending.input, error, ahead)
      }
    }
    this.mostlyExisting = current.filter(Boolean).length * 2 > batch.length
    const commit = async () => {
      const retry: Pending[] = []
      for (const [pending, result] of this.zip(ready, await this.write(ready))) {
        if (result.ok) pending.outcome.written = result.kv
        else if (result.error instanceof UnavailableError) this.settleError(pending.outcome, pending.input, result.error)
        else retry.push(pending)
      }
      for (const pending of retry) {
        try {
          pending.outcome.resources = await executeResourceAction(this.client, 'apply', pending.input, this.options)
        } catch (error) {
          this.settleError(pending.outcome, pending.input, error)
        }
      }
    }
    return {commit, unavailable: ahead?.unavailable}
  }

  /** getMany of `keys`, taking the chunks already read ahead and reading the rest now. */
  private async readCurrent(keys: string[], readsAhead: readonly ReadAhead[]): Promise<Array<KV | undefined>> {
    if (readsAhead.length === 0) return this.client.datastore.getMany(keys)
    const parts: Array<Promise<Array<KV | undefined>>> = []
    let at = 0
    for (const {from, read} of readsAhead) {
      if (from > at) parts.push(this.client.datastore.getMany(keys.slice(at, from)))
      parts.push(read)
      at = from + READ_AHEAD_CHUNK
    }
    if (at < keys.length) parts.push(this.client.datastore.getMany(keys.slice(at)))
    return (await Promise.all(parts)).flat()
  }

  private async prepareOne(input: Resource): Promise<PreparedWrite> {
    if (this.action !== 'delete') return this.client.prepareCreate(forCreate(input))
    const {name = '', namespace, resourceVersion} = input.metadata
    return this.client.prepareDelete(input.kind, name, namespace, resourceVersion)
  }

  /** One Datastore.batch; the first unavailability seen stops the rest of the run. */
  private async write(ready: ReadonlyArray<{prepared: PreparedWrite}>): Promise<WriteResult[]> {
    if (ready.length === 0) return []
    const results = await this.client.datastore.batch(ready.map((p) => p.prepared.op))
    for (const result of results) {
      if (!result.ok && result.error instanceof UnavailableError) this.unavailable ??= result.error
    }
    return results
  }

  private zip<T>(items: readonly T[], results: readonly WriteResult[]): Array<[T, WriteResult]> {
    return items.map((item, i) => [item, results[i]])
  }
}

/** A read of current objects started while gathering: the batch's keys from `from`, READ_AHEAD_CHUNK of them. */
interface ReadAhead {
  from: number
  read: Promise<Array<KV | undefined>>
}

/** What a resource after the datastore went away reports: it was never sent. */
function notAttempted(cause: UnavailableError): UnavailableError {
  // Only the cause itself ("lost the connection to etcd at …"), not what it meant for its own write.
  const reason = cause.message.replace(/^not attempted: /, '').split(';')[0]
  return new UnavailableError(`not attempted: the datastore became unavailable (${reason})`, cause.key)
}
