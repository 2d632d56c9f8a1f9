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
import {iterateResourceInput} from './input.js'
import {collectedErrorsReport, replaceReport, type Report} from './report.js'
import type {ResourceClient} from '../datastore/resources.js'

export type FileAction = 'create' | 'apply' | 'replace'

export interface FileActionOptions {
  filename: string
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
  const results = await runConfigCommand(client, action, docs, {
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

/** Best effort, as in calicoctl: a restricted user may still write what they may. */
async function initialise(client: ResourceClient): Promise<void> {
  try {
    await client.ensureInitialized()
  } catch {
    // Deliberately ignored (see above).
  }
}
