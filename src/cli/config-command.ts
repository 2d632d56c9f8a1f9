/**
 * calicoctl's ExecuteConfigCommand: the pipeline shared by create, apply, replace, delete and get.
 * Input comes either from `-f` (decoded documents) or from `KIND [NAME...]` on the command line;
 * every resource is run in input order and its outcome recorded.
 */
import {kindFromAlias} from '../api/registry.js'
import {API_VERSION, resourceIdentifier, type Resource} from '../api/resource.js'
import {DatastoreError} from '../datastore/datastore.js'
import type {ResourceClient} from '../datastore/resources.js'
import {CliError} from './errors.js'
import type {InputDocument} from './input.js'
import {BulkExecutor, type Outcome} from './bulk-actions.js'
import {startProgress} from './progress.js'
import {executeResourceAction, type ActionOptions, type ResourceAction} from './resource-actions.js'

export interface CommandResults {
  total: number
  /** Successful resources (for replace, also failed ones: calicoctl's quirk). */
  handled: number
  singleKind?: string
  /** Objects returned by successful actions, in input order. */
  resources: Resource[]
  /** Per-resource error texts (create, apply, delete, get). */
  errors: string[]
  /** replace keeps only the last error. */
  lastError?: string
}

/** `KIND [NAME...]` → resources to act on; an empty name list means "all of the kind" (get). */
export function resourcesFromArgs(kindArg: string, names: readonly string[]): InputDocument[] {
  const info = kindFromAlias(kindArg)
  if (!info) throw new CliError(`resource type '${kindArg}' is not supported`)
  if (names.some((name) => name === '')) throw new CliError('resource name may not be empty')
  const make = (name?: string): InputDocument => ({
    source: 'args',
    kind: info.kind,
    resource: {apiVersion: API_VERSION, kind: info.kind, metadata: name === undefined ? {} : {name}},
  })
  return names.length === 0 ? [make()] : names.map((name) => make(name))
}

/** The kind every document shares, or undefined when they differ (calicoctl's SingleKind). */
export function singleKindOf(docs: readonly InputDocument[], fromArgs: boolean): string | undefined {
  const kinds = new Set(docs.map((doc) => doc.kind ?? doc.resource?.kind ?? ''))
  if (fromArgs || kinds.size === 1) return docs[0]?.kind ?? docs[0]?.resource?.kind
  return undefined
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Adds the resource's identity to reasons that do not name it: validation reasons, and datastore
 * failures (etcd unreachable, a write that may or may not have been applied), so the output of a
 * failed bulk apply says which resources were not written.
 */
export function describeFailure(res: Resource, error: unknown): string {
  const message = errorText(error)
  if (!message.startsWith('error with') && !(error instanceof DatastoreError)) return message
  return `${resourceIdentifier(res.kind, res.metadata.name, res.metadata.namespace)}: ${message}`
}

/** Inputs this large go through the bulk executor (batched writes); smaller ones one at a time. */
const BULK_THRESHOLD = 2

async function outcomesOf(
  client: ResourceClient,
  action: ResourceAction,
  resources: Resource[],
  options: ActionOptions,
): Promise<Outcome[]> {
  if (action !== 'replace' && action !== 'get' && resources.length >= BULK_THRESHOLD) {
    const progress = await startProgress(action, resources.length)
    try {
      return await new BulkExecutor(client, action, options, progress).run(resources)
    } finally {
      progress.stop()
    }
  }
  const outcomes: Outcome[] = []
  for (const res of resources) {
    try {
      outcomes.push({resources: await executeResourceAction(client, action, structuredClone(res), options)})
    } catch (error) {
      outcomes.push({error})
    }
  }
  return outcomes
}

export async function runConfigCommand(
  client: ResourceClient,
  action: ResourceAction,
  docs: InputDocument[],
  options: ActionOptions & {fromArgs?: boolean},
): Promise<CommandResults> {
  const results: CommandResults = {
    total: docs.length,
    handled: 0,
    singleKind: singleKindOf(docs, options.fromArgs ?? false),
    resources: [],
    errors: [],
  }
  const decoded = docs.flatMap((doc) => (doc.resource ? [doc.resource] : []))
  const outcomes = await outcomesOf(client, action, decoded, options)
  let next = 0
  for (const doc of docs) {
    if (!doc.resource) {
      results.errors.push(doc.error ?? 'invalid document')
      results.lastError = doc.error
      continue
    }
    const outcome = outcomes[next++]
    if (outcome.resources) {
      results.resources.push(...outcome.resources)
      results.handled += outcome.resources.length
    } else {
      const text = describeFailure(doc.resource, outcome.error)
      results.errors.push(text)
      results.lastError = text
      if (action === 'replace') results.handled += 1
    }
  }
  return results
}
