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
 */
import type {Resource} from '../api/resource.js'
import {UnavailableError, type WriteResult} from '../datastore/datastore.js'
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
  error?: unknown
}

interface Pending {
  outcome: Outcome
  /** The input after namespace handling (labels and annotations intact, for apply's update). */
  input: Resource
}

const WRITTEN_ALONE = new Set(['Tier', 'IPPool', 'BGPFilter'])
const BATCH_SIZE = 500

export class BulkExecutor {
  private pending: Pending[] = []
  /** Set once the datastore is found unreachable: the rest is reported, not attempted. */
  private unavailable: UnavailableError | undefined
  /** apply: most of the last batch already existed, so read before writing. */
  private mostlyExisting = false

  constructor(
    private readonly client: ResourceClient,
    private readonly action: BulkAction,
    private readonly options: ActionOptions,
    private readonly progress?: Progress,
  ) {}

  /** Runs every resource; outcomes are in input order. */
  async run(resources: readonly Resource[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = []
    for (const original of resources) {
      const outcome: Outcome = {}
      outcomes.push(outcome)
      const queued = await this.add(original, outcome)
      if (!queued) this.progress?.advance()
      if (this.pending.length >= BATCH_SIZE) await this.flush()
    }
    await this.flush()
    return outcomes
  }

  /** Returns whether the resource was queued for the next batch (false: already settled). */
  private async add(original: Resource, outcome: Outcome): Promise<boolean> {
    if (this.unavailable) {
      outcome.error = notAttempted(this.unavailable)
      return false
    }
    const input = structuredClone(original)
    try {
      handleNamespace(input, this.options)
      checkWritable(this.action, input)
      if (WRITTEN_ALONE.has(input.kind) || (this.action === 'apply' && input.metadata.resourceVersion)) {
        await this.flush()
        outcome.resources = await executeResourceAction(this.client, this.action, structuredClone(original), this.options)
        return false
      }
      this.pending.push({outcome, input})
      return true
    } catch (error) {
      this.settleError(outcome, input, error)
      return false
    }
  }

  /** The skip flags turn some failures into successes, as in ExecuteResourceAction. */
  private settleError(outcome: Outcome, input: Resource, error: unknown): void {
    if (error instanceof UnavailableError) this.unavailable ??= error
    if (error instanceof ResourceAlreadyExistsError && this.options.skipExists) outcome.resources = [input]
    else if (error instanceof ResourceDoesNotExistError && this.options.skipNotExists) outcome.resources = [input]
    else outcome.error = error
  }

  private async flush(): Promise<void> {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    if (this.action === 'apply' && this.mostlyExisting) await this.writeAgainstCurrent(batch)
    else await this.writeBlind(batch)
    this.progress?.advance(batch.length)
  }

  /**
   * Creates (or deletes) without reading first. For apply, what turned out to exist is then
   * updated against its current revision; when most of a batch existed, the next batches read
   * first instead (a re-apply of the same files is the common case).
   */
  private async writeBlind(batch: Pending[]): Promise<void> {
    const ready: Array<Pending & {prepared: PreparedWrite}> = []
    for (const pending of batch) {
      try {
        ready.push({...pending, prepared: await this.prepareBlind(pending.input)})
      } catch (error) {
        this.settleError(pending.outcome, pending.input, error)
      }
    }
    const existing: Pending[] = []
    for (const [pending, result] of this.zip(ready, await this.write(ready))) {
      try {
        pending.outcome.resources = [outcomeToResource(result, pending.prepared.identifier)]
      } catch (error) {
        if (error instanceof ResourceAlreadyExistsError && this.action === 'apply') existing.push(pending)
        else this.settleError(pending.outcome, pending.input, error)
      }
    }
    if (existing.length > 0) await this.writeAgainstCurrent(existing)
    if (this.action === 'apply') this.mostlyExisting = existing.length * 2 > batch.length
  }

  /**
   * apply against what is stored now: read every key, update what exists (conditional on the
   * revision just read) and create the rest. Anything that changed in between — a conflict, a
   * create racing another writer — goes through the one-at-a-time path, which retries.
   */
  private async writeAgainstCurrent(batch: Pending[]): Promise<void> {
    const current = await this.client.datastore.getMany(
      batch.map((p) => resourceKey(p.input.kind, p.input.metadata.name ?? '', p.input.metadata.namespace)),
    )
    const ready: Array<Pending & {prepared: PreparedWrite}> = []
    for (const [i, pending] of batch.entries()) {
      const kv = current[i]
      try {
        const prepared = kv
          ? await this.client.prepareUpdate(withStoredMetadata(pending.input, resourceFromKV(kv)), kv)
          : await this.client.prepareCreate(forCreate(pending.input))
        ready.push({...pending, prepared})
      } catch (error) {
        this.settleError(pending.outcome, pending.input, error)
      }
    }
    this.mostlyExisting = current.filter(Boolean).length * 2 > batch.length
    const retry: Pending[] = []
    for (const [pending, result] of this.zip(ready, await this.write(ready))) {
      if (result.ok) pending.outcome.resources = [resourceFromKV(result.kv)]
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

  private async prepareBlind(input: Resource): Promise<PreparedWrite> {
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

/** What a resource after the datastore went away reports: it was never sent. */
function notAttempted(cause: UnavailableError): UnavailableError {
  // Only the cause itself ("lost the connection to etcd at …"), not what it meant for its own write.
  const reason = cause.message.replace(/^not attempted: /, '').split(';')[0]
  return new UnavailableError(`not attempted: the datastore became unavailable (${reason})`, cause.key)
}
