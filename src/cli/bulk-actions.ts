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
import {UnavailableError} from '../datastore/datastore.js'
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
  prepared: PreparedWrite
}

const WRITTEN_ALONE = new Set(['Tier', 'IPPool', 'BGPFilter'])
const BATCH_SIZE = 500

export class BulkExecutor {
  private pending: Pending[] = []
  /** Set once the datastore is found unreachable: the rest is reported, not attempted. */
  private unavailable: UnavailableError | undefined

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
      this.pending.push({outcome, input, prepared: await this.prepare(input)})
      return true
    } catch (error) {
      this.settleError(outcome, input, error)
      return false
    }
  }

  private async prepare(input: Resource): Promise<PreparedWrite> {
    if (this.action !== 'delete') return this.client.prepareCreate(forCreate(input))
    const {kind, name = '', namespace, resourceVersion} = {kind: input.kind, ...input.metadata}
    const key = resourceKey(kind, name, namespace)
    const identifier = namespace ? `${kind}(${namespace}/${name})` : `${kind}(${name})`
    return {identifier, op: {op: 'delete', key, expectedRevision: resourceVersion ? Number(resourceVersion) : undefined}}
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
    const results = await this.client.datastore.batch(batch.map((p) => p.prepared.op))
    this.unavailable ??= results.find((r): r is {ok: false; error: UnavailableError} => !r.ok && r.error instanceof UnavailableError)?.error
    const existing: Pending[] = []
    batch.forEach((pending, i) => {
      try {
        pending.outcome.resources = [outcomeToResource(results[i], pending.prepared.identifier)]
      } catch (error) {
        if (error instanceof ResourceAlreadyExistsError && this.action === 'apply') existing.push(pending)
        else this.settleError(pending.outcome, pending.input, error)
      }
    })
    if (existing.length > 0) await this.updateExisting(existing)
    this.progress?.advance(batch.length)
  }

  /** apply's second step: update what already existed, conditional on the revision just read. */
  private async updateExisting(existing: Pending[]): Promise<void> {
    const current = await Promise.all(existing.map((p) => this.client.datastore.get(p.prepared.op.key)))
    const updates: Pending[] = []
    const retry: Pending[] = []
    for (const [i, pending] of existing.entries()) {
      const kv = current[i]
      if (!kv) {
        retry.push(pending)
        continue
      }
      try {
        const update = await this.client.prepareUpdate(withStoredMetadata(pending.input, resourceFromKV(kv)), kv)
        updates.push({...pending, prepared: update})
      } catch (error) {
        this.settleError(pending.outcome, pending.input, error)
      }
    }
    const results = await this.client.datastore.batch(updates.map((p) => p.prepared.op))
    updates.forEach((pending, i) => {
      const result = results[i]
      if (result.ok) pending.outcome.resources = [resourceFromKV(result.kv)]
      else retry.push(pending)
    })
    for (const pending of retry) {
      try {
        pending.outcome.resources = await executeResourceAction(this.client, 'apply', pending.input, this.options)
      } catch (error) {
        this.settleError(pending.outcome, pending.input, error)
      }
    }
  }
}

/** What a resource after the datastore went away reports: it was never sent. */
function notAttempted(cause: UnavailableError): UnavailableError {
  // Only the cause itself ("lost the connection to etcd at …"), not what it meant for its own write.
  const reason = cause.message.replace(/^not attempted: /, '').split(';')[0]
  return new UnavailableError(`not attempted: the datastore became unavailable (${reason})`, cause.key)
}
