/**
 * The body of `create|apply|replace -f`, callable without oclif: read the input, decode it,
 * initialise the datastore, run every resource and write calicoctl's report lines to a sink.
 * The commands are thin over it, and bench/apply-etcd runs it in-process, so the benchmark and the
 * command measure the same code.
 *
 * A single file (or stdin) is decoded lazily, one document at a time, while earlier batches are
 * written (see bulk-actions.ts); a directory is read whole first, since an empty file in it fails
 * the command before anything is written.
 */
import {runConfigCommand, type CommandResults} from './config-command.js'
import {CliError} from './errors.js'
import {iterateResourceInput, splitDocuments, type InputDocument, type InputStream} from './input.js'
import {PreparePool, preparedInput} from './prepare/pool.js'
import {collectedErrorsReport, replaceReport, type Report} from './report.js'
import type {ResourceClient} from '../datastore/resources.js'

export type FileAction = 'create' | 'apply' | 'replace'

export interface FileActionOptions {
  filename: string
  /**
   * Prepare workers for a large single-file create or apply (prepare/pool.ts): undefined picks
   * them by input size and core count, 0 keeps everything on the main thread.
   */
  workers?: number
  recursive?: boolean
  skipEmpty?: boolean
  skipExists?: boolean
  namespace?: string
  /** For tests: stdin's text when filename is `-`. */
  readStdin?: () => string
}

export interface FileActionResult {
  results: CommandResults
  /** The error text for stderr (the command then exits 1); undefined on success. */
  error?: string
}

/** Runs `action -f` over `client`; every stdout line of the report goes to `out`. */
export async function runFileAction(
  client: ResourceClient,
  action: FileAction,
  options: FileActionOptions,
  out: (line: string) => void,
): Promise<FileActionResult> {
  const docs = iterateResourceInput({
    filename: options.filename,
    recursive: options.recursive,
    skipEmpty: options.skipEmpty,
    readStdin: options.readStdin,
  })
  const pool = action !== 'replace' && client.stampsAreDefault ? startPool(docs, options.workers) : undefined
  const input = pool && docs.text ? workerInput(pool, docs.text, action as 'create' | 'apply', options) : docs
  const results = await runConfigCommand(client, action, input, {
    namespace: options.namespace,
    skipExists: options.skipExists,
    beforeFirst: () => initialise(client),
  })
  // The summary fields only: results.resources is decoded on first read (config-command.ts).
  const {total, handled, errors, singleKind, lastError} = results
  const report: Report =
    action === 'replace'
      ? replaceReport({total, handled, lastError, singleKind})
      : collectedErrorsReport(action, {total, handled, errors, singleKind})
  for (const line of report.stdout) out(line)
  return {results, error: report.error}
}

/** Inputs with fewer documents than this are prepared on the main thread (workers take time to start). */
const WORKER_MIN_DOCUMENTS = 1000

/** Prepare workers for this input, or undefined when the main thread does it all. */
function startPool(docs: InputStream, workers: number | undefined): PreparePool | undefined {
  if (workers === 0 || !docs.text || docs.expected < WORKER_MIN_DOCUMENTS) return undefined
  return PreparePool.shared(workers)
}

/** The input entries of one file, prepared by the pool; fails as iterateResourceInput does when empty. */
async function* workerInput(
  pool: PreparePool,
  input: NonNullable<InputStream['text']>,
  action: 'create' | 'apply',
  options: FileActionOptions,
): AsyncGenerator<InputDocument> {
  let count = 0
  for await (const doc of preparedInput(pool, splitDocuments(input.text), {source: input.source, action, options: {namespace: options.namespace}})) {
    count++
    yield doc
  }
  if (count === 0 && input.emptyError) throw new CliError(input.emptyError)
}

/** Best effort, as in calicoctl: a restricted user may still write what they may. */
async function initialise(client: ResourceClient): Promise<void> {
  try {
    await client.ensureInitialized()
  } catch {
    // Deliberately ignored (see above).
  }
}
