/**
 * calicoctl's ExecuteConfigCommand: the pipeline shared by create, apply, replace, delete and get.
 * Input comes either from `-f` (decoded documents) or from `KIND [NAME...]` on the command line;
 * every resource is run in input order and its outcome recorded.
 */
import {kindFromAlias} from '../api/registry.js'
import {API_VERSION, resourceIdentifier, type Resource} from '../api/resource.js'
import {DatastoreError, type KV} from '../datastore/datastore.js'
import {resourceFromKV, type ResourceClient} from '../datastore/resources.js'
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

export interface RunOptions extends ActionOptions {
  fromArgs?: boolean
  /** Awaited once before the first document is acted on, and only if there is one. */
  beforeFirst?: () => Promise<void>
}

/**
 * Runs every document in input order. `docs` may be lazy (decoded while earlier resources are
 * written); it is iterated once. Outcomes are recorded per document, so the report does not
 * depend on how the work was batched.
 */
export async function runConfigCommand(
  client: ResourceClient,
  action: ResourceAction,
  docs: Iterable<InputDocument>,
  options: RunOptions,
): Promise<CommandResults> {
  const iterator = docs[Symbol.iterator]()
  const seen: InputDocument[] = []
  // Look ahead far enough to choose the path: the first BULK_THRESHOLD resources, or the end.
  let decodedAhead = 0
  let done = false
  while (decodedAhead < BULK_THRESHOLD) {
    const next = iterator.next()
    if (next.done) {
      done = true
      break
    }
    if (seen.length === 0) await options.beforeFirst?.()
    seen.push(next.value)
    if (next.value.resource) decodedAhead++
  }
  const head = seen.length
  function* resources(): Generator<Resource> {
    for (let i = 0; i < head; i++) {
      const res = seen[i].resource
      if (res) yield res
    }
    if (done) return
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      seen.push(identity(next.value))
      if (next.value.resource) yield next.value.resource
    }
  }
  let outcomes: Outcome[]
  if (action !== 'replace' && action !== 'get' && decodedAhead >= BULK_THRESHOLD) {
    const expected = (docs as {expected?: number}).expected ?? (Array.isArray(docs) ? docs.length : 0)
    const progress = await startProgress(action, expected)
    try {
      outcomes = await new BulkExecutor(client, action, options, progress).run(resources())
    } finally {
      progress.stop()
    }
  } else {
    outcomes = []
    for (const res of resources()) {
      try {
        outcomes.push({resources: await executeResourceAction(client, action, structuredClone(res), options)})
      } catch (error) {
        outcomes.push({error})
      }
    }
  }
  return summarise(action, seen, outcomes, options.fromArgs ?? false)
}

/**
 * What the report needs of a document once it has been handed on: whether it decoded, its kind
 * and how its errors name it. Keeping only that lets the decoded object be collected as soon as
 * its batch is written.
 */
function identity(doc: InputDocument): InputDocument {
  const res = doc.resource
  if (!res) return doc
  const {name, namespace} = res.metadata
  return {...doc, resource: {apiVersion: res.apiVersion, kind: res.kind, metadata: {name, namespace}}}
}

function summarise(action: ResourceAction, docs: readonly InputDocument[], outcomes: readonly Outcome[], fromArgs: boolean): CommandResults {
  const produced: Array<Resource | KV> = []
  const results: CommandResults = {
    total: docs.length,
    handled: 0,
    singleKind: singleKindOf(docs, fromArgs),
    resources: [],
    errors: [],
  }
  let next = 0
  for (const doc of docs) {
    if (!doc.resource) {
      results.errors.push(doc.error ?? 'invalid document')
      results.lastError = doc.error
      continue
    }
    const outcome = outcomes[next++]
    if (outcome.written) {
      produced.push(outcome.written)
      results.handled += 1
    } else if (outcome.resources) {
      for (const res of outcome.resources) produced.push(res)
      results.handled += outcome.resources.length
    } else {
      const text = describeFailure(doc.resource, outcome.error)
      results.errors.push(text)
      results.lastError = text
      if (action === 'replace') results.handled += 1
    }
  }
  return withLazyResources(results, produced)
}

/**
 * results.resources, decoded from the stored pairs only when first read: a bulk apply's report
 * needs counts only, and 10,000 decoded objects kept alive to the end cost more in garbage
 * collection than the decoding itself.
 */
function withLazyResources(results: CommandResults, produced: Array<Resource | KV>): CommandResults {
  let resources: Resource[] | undefined
  Object.defineProperty(results, 'resources', {
    enumerable: true,
    configurable: true,
    get: () => (resources ??= produced.map((p) => (isKV(p) ? resourceFromKV(p) : p))),
    set: (value: Resource[]) => {
      resources = value
    },
  })
  return results
}

function isKV(value: Resource | KV): value is KV {
  return typeof (value as KV).modRevision === 'number' && typeof (value as KV).value === 'string'
}
