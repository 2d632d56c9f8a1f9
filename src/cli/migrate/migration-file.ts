/**
 * Reads a migration file (export.ts describes the format) completely before import writes
 * anything: the three parts, every v3 document decoded and validated offline, the
 * ClusterInformation JSON and the IPAM JSON. Any problem is one line (CliError) and the target
 * is left untouched. Files written by Go calicoctl's export are accepted as well.
 */
import {readFileSync} from 'node:fs'

import {validateResource} from '../../api/index.js'
import {describeFailure} from '../config-command.js'
import {CliError} from '../errors.js'
import {decodeText, type InputDocument} from '../input.js'
import {goErrorList} from '../report.js'
import {checkWritable} from '../resource-actions.js'
import {parseIpam, type IpamEntry} from './ipam.js'
import type {ClusterInformationSpec} from './lock.js'

export interface MigrationFile {
  /** The v3 resources, in file order. */
  resources: InputDocument[]
  clusterInformation: ClusterInformationSpec
  ipam: IpamEntry[]
}

/** How calicoctl names stdin in its messages (os.Stdin.Name()). */
const STDIN_NAME = '/dev/stdin'

/** The file's text; `-` is stdin. */
export function readMigrationText(filename: string, readStdin: () => string = () => readFileSync(0, 'utf8')): string {
  if (filename === '-') return readStdin()
  try {
    return readFileSync(filename, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code)
    throw new CliError(`error while reading migration file: open ${filename}: ${reason}`)
  }
}

/**
 * The three parts, split at lines that are exactly `===` (calicoctl splits at any `===\n`; in
 * YAML such a line can only be a separator, so anchoring to the line start changes nothing for
 * valid files and keeps a value that happens to end in `===` intact).
 */
function splitSections(text: string, name: string): [string, string, string] {
  const parts = text.split(/^===\r?\n/m)
  if (parts.length !== 3) {
    throw new CliError(
      `error while reading migration file: imported file: ${name} is improperly formatted. Try recreating with 'calicoctl export'`,
    )
  }
  return [parts[0], parts[1], parts[2]]
}

/**
 * Decodes and validates every document (offline, as `validate` does, plus apply's read-only
 * refusals); all problems are reported together on one line, multi-line reasons folded.
 */
function parseResources(yaml: string, name: string): InputDocument[] {
  const docs = decodeText(yaml, name)
  const problems: string[] = []
  for (const doc of docs) {
    if (!doc.resource) {
      problems.push(doc.error ?? 'invalid document')
      continue
    }
    try {
      checkWritable('apply', doc.resource)
      const invalid = validateResource(doc.resource)
      if (invalid) problems.push(describeFailure(doc.resource, invalid.message))
    } catch (error) {
      problems.push(describeFailure(doc.resource, error))
    }
  }
  if (problems.length > 0) {
    const oneLine = problems.map((p) => p.trim().replace(/\s*\n\s*/g, ' '))
    throw new CliError(`failed to import v3 resources: the file has invalid resources, nothing was imported: ${goErrorList(oneLine)}`)
  }
  return docs
}

function parseClusterInformation(json: string): ClusterInformationSpec {
  const fail = (reason: string): never => {
    throw new CliError(`failed to update cluster information: error reading exported cluster info for migration: ${reason}`)
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    return fail((error as Error).message)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object')
  const {kind, spec} = value as {kind?: unknown; spec?: unknown}
  if (kind !== undefined && kind !== 'ClusterInformation') return fail(`expected kind ClusterInformation, found ${String(kind)}`)
  if (spec === undefined) return {}
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return fail('spec is not a JSON object')
  const {clusterGUID, calicoVersion} = spec as Record<string, unknown>
  for (const [field, v] of Object.entries({clusterGUID, calicoVersion})) {
    if (v !== undefined && typeof v !== 'string') fail(`spec.${field} is not a string`)
  }
  return {clusterGUID: clusterGUID as string | undefined, calicoVersion: calicoVersion as string | undefined}
}

/** Parses a whole migration file; `filename` is what messages call it (`-` means stdin). */
export function parseMigrationFile(text: string, filename: string): MigrationFile {
  const name = filename === '-' ? STDIN_NAME : filename
  const [yaml, clusterInformation, ipam] = splitSections(text, name)
  return {
    resources: parseResources(yaml, name),
    clusterInformation: parseClusterInformation(clusterInformation),
    ipam: parseIpam(ipam),
  }
}
