/**
 * One prepare job: a run of documents decoded, and the creates among them checked and encoded,
 * exactly as the bulk executor would do it on the main thread, short of what needs the datastore
 * (a policy's tier) or another resource (the kinds written alone). It runs in a prepare worker
 * (pool.ts) and is pure, so tests run it in-thread too.
 *
 * What comes back per input entry is plain data (strings), cheap to pass between threads: the
 * entry's identity for the report and where it came from, and the create's key and stored value
 * or the refusal it met. The decoded resource itself stays behind: a slow path that needs it
 * (apply of an existing object, a kind written alone) decodes the document again, which gives
 * the very same object.
 */
import {kindInfo} from '../../api/registry.js'
import type {Resource} from '../../api/resource.js'
import {ResourceValidationError} from '../../datastore/resource-errors.js'
import {checkedForWrite, DEFAULT_STAMPS, resourceKey, stampedCreate} from '../../datastore/resources.js'
import {decodeDocument} from '../input.js'
import {checkWritable, forCreate, handleNamespace, type ActionOptions} from '../resource-actions.js'

export interface PrepareJob {
  /** `---`-separated document texts, in input order. */
  texts: string[]
  /** The number (from 1) of the first of them in its source, for messages. */
  firstNumber: number
  source: string
  action: 'create' | 'apply'
  options: Pick<ActionOptions, 'namespace' | 'allNamespaces'>
}

/** One input entry (an InputDocument), prepared. */
export interface PreparedEntry {
  source: string
  kind?: string
  /** The document could not be decoded (InputDocument.error). */
  error?: string
  /** Which of the job's texts it came from, and its place among that text's entries. */
  text: number
  entry: number
  /** Its apiVersion, kind, name and namespace as decoded, when it decoded (for keys and messages). */
  identity?: Resource
  /** Its create, when the job could take it further than decoding (see PreparedCreate). */
  create?: PreparedCreate
}

/**
 * The bulk executor's create of one resource, as far as it goes without the datastore. At most
 * one of refused, early and failure is set; refused and early stop it before the tier check,
 * failure after it (as clientv3 checks the tier before defaulting and validating).
 */
export interface PreparedCreate {
  /** The store key (also set when it failed, for ordering writes to one key). */
  key: string
  /** handleNamespace or checkWritable refused it (a plain error's message). */
  refused?: string
  /** forCreate refused it (a ResourceValidationError's message). */
  early?: string
  /** A policy kind's spec.tier, whose existence the main thread checks first. */
  tier?: string
  /** Defaulting, validation or a write check refused it (a ResourceValidationError's message). */
  failure?: string
  identifier?: string
  value?: string
}

/** Kinds whose create reads the store or other resources beyond a policy's tier. */
const NEEDS_MAIN_THREAD = new Set(['Tier', 'IPPool', 'BGPFilter', 'BGPPeer'])

export function runPrepareJob(job: PrepareJob): PreparedEntry[] {
  const entries: PreparedEntry[] = []
  job.texts.forEach((text, i) => {
    decodeDocument(text, job.source, job.firstNumber + i).forEach((doc, at) => {
      const entry: PreparedEntry = {source: doc.source, kind: doc.kind, error: doc.error, text: i, entry: at}
      if (doc.resource) {
        const {apiVersion, kind, metadata} = doc.resource
        entry.identity = {apiVersion, kind, metadata: {name: metadata.name, namespace: metadata.namespace}}
        entry.create = prepareCreate(doc.resource, job)
      }
      entries.push(entry)
    })
  })
  return entries
}

/** The bulk executor's add() and prepareCreate() for one resource, or undefined: left to the main thread. */
function prepareCreate(resource: Resource, job: PrepareJob): PreparedCreate | undefined {
  if (NEEDS_MAIN_THREAD.has(resource.kind)) return undefined
  if (job.action === 'apply' && resource.metadata.resourceVersion) return undefined
  const info = kindInfo(resource.kind)
  if (!info) return undefined
  // As BulkExecutor.add: namespace handling on a copy; the decoded resource stays as it was.
  const input: Resource = {...resource, metadata: {...resource.metadata}}
  try {
    handleNamespace(input, job.options)
    checkWritable(job.action, input)
  } catch (error) {
    return {key: '', refused: (error as Error).message}
  }
  const key = resourceKey(input.kind, input.metadata.name ?? '', input.metadata.namespace)
  let checked: Resource
  try {
    checked = forCreate(input)
  } catch (error) {
    if (!(error instanceof ResourceValidationError)) throw error
    return {key, early: error.message}
  }
  const tier = policyTier(checked)
  try {
    const {identifier, op} = stampedCreate(checkedForWrite(checked, info, {operation: 'create'}), DEFAULT_STAMPS)
    return {key, tier, identifier, value: op.op === 'create' ? op.value : undefined}
  } catch (error) {
    if (!(error instanceof ResourceValidationError)) throw error
    return {key, tier, failure: error.message}
  }
}

function policyTier(res: Resource): string | undefined {
  const tier = (res.spec as {tier?: unknown} | undefined)?.tier
  return typeof tier === 'string' ? tier : undefined
}
