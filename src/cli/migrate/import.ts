/**
 * `datastore migrate import`: writes a parsed migration file (migration-file.ts) into any
 * datastore, in calicoctl v3.32's steps and with its messages (commands/datastore/migrate/
 * import.go): refuse a target that already has Calico data, lock it, apply the v3 resources
 * through apply's own (batched) path, create the IPAM keys, then give the target the source's
 * cluster GUID and Calico version. The target stays locked; the operator unlocks it.
 */
import {kindInfo} from '../../api/registry.js'
import type {ResourceClient} from '../../datastore/resources.js'
import {runConfigCommand, singleKindOf, type CommandResults} from '../config-command.js'
import {CliError} from '../errors.js'
import type {InputDocument} from '../input.js'
import {goErrorList} from '../report.js'
import {IPAM_PREFIX, writeIpam, type IpamEntry} from './ipam.js'
import {countsAsExisting, EXPORT_KINDS, WRITTEN_FIRST} from './kinds.js'
import {adoptClusterInformation, ensureInitialized, isLocked, lockDatastore} from './lock.js'
import type {MigrationFile} from './migration-file.js'

export interface ImportOptions {
  /** Import on top of existing Calico data (calicoctl always refuses). */
  allowNonEmpty?: boolean
  /** Writes one line of progress to stdout. */
  print: (line: string) => void
}

export const IMPORT_DONE_MESSAGE =
  'Datastore information successfully imported. Please refer to the datastore migration documentation for next steps.'

/**
 * The import steps. calicoctl adopts the cluster GUID before IPAM; here it comes last, so a
 * target that shows the source's GUID has received everything.
 */
export async function importMigration(client: ResourceClient, file: MigrationFile, options: ImportOptions): Promise<void> {
  if (!options.allowNonEmpty) await refuseNonEmpty(client)
  await ensureInitialized(client)
  if (!(await isLocked(client))) await lockDatastore(client)
  await applyResources(client, file.resources, options.print)
  options.print('Importing IPAM resources')
  await importIpam(client, file.ipam, options.print)
  await adoptClusterInformation(client, file.clusterInformation)
  options.print(IMPORT_DONE_MESSAGE)
}

/**
 * calicoctl's checkCalicoResourcesNotExist over every kind the migration carries, then IPAM.
 * ClusterInformation alone does not make a target non-empty (lock creates it; import keeps it).
 * The Kubernetes datastore's Nodes are its Kubernetes nodes, so they are not Calico data there.
 */
async function refuseNonEmpty(client: ResourceClient): Promise<void> {
  const kubernetes = client.datastore.type === 'kubernetes'
  const refuse = (what: string): never => {
    const advice = kubernetes
      ? 'Clear out all Calico resources by deleting all Calico CRDs'
      : 'Clear out all Calico resources, or use --allow-non-empty to import on top of them'
    throw new CliError(`datastore already has Calico resources: ${what}. ${advice}`)
  }
  for (const kind of EXPORT_KINDS) {
    if (kind === 'Node' && kubernetes) continue
    let found: boolean
    try {
      found = (await client.list(kind)).items.some(countsAsExisting)
    } catch (error) {
      throw new CliError(`failed to retrieve ${kindInfo(kind)?.plural ?? kind} resources during datastore check: ${(error as Error).message}`)
    }
    if (found) refuse(`found existing Calico ${kind} resource`)
  }
  const ipam = await client.datastore.list(IPAM_PREFIX, {limit: 1})
  if (ipam.items.length > 0) refuse('found existing IPAM resources')
}

/**
 * Applies the v3 resources as `apply -f` would. Tiers and BGPFilters go in a first pass
 * because policies and BGPPeers are checked against them when written.
 */
async function applyResources(client: ResourceClient, docs: InputDocument[], print: (line: string) => void): Promise<void> {
  if (docs.length === 0) return
  const first = docs.filter((doc) => WRITTEN_FIRST.has(doc.resource?.kind ?? ''))
  const rest = docs.filter((doc) => !WRITTEN_FIRST.has(doc.resource?.kind ?? ''))
  const passes: CommandResults[] = []
  for (const pass of [first, rest]) if (pass.length > 0) passes.push(await runConfigCommand(client, 'apply', pass, {}))
  const handled = passes.reduce((n, r) => n + r.handled, 0)
  const errors = passes.flatMap((r) => r.errors)
  // calicoctl wraps the apply error twice (updateV3Resources, then Import); kept verbatim.
  const prefix = 'failed to import v3 resources: failed to import v3 resources: '
  if (handled === 0) throw new CliError(`${prefix}failed to apply any resources: ${goErrorList(errors)}`)
  if (errors.length > 0) throw new CliError(`${prefix}hit error(s): ${goErrorList(errors)}`)
  const kind = singleKindOf(docs, false)
  print(kind ? `Successfully applied ${handled} '${kind}' resource(s)` : `Successfully applied ${handled} resource(s)`)
}

/**
 * Creates the IPAM keys and reports as calicoctl does. An export without IPAM data imports as
 * `Successfully applied 0 IPAM resource(s)` (calicoctl fails with "no IPAM resources specified
 * in file"; a datastore that never ran IPAM is normal here).
 */
async function importIpam(client: ResourceClient, entries: IpamEntry[], print: (line: string) => void): Promise<void> {
  const result = await writeIpam(client.datastore, entries)
  if (result.errors.length === 0) {
    print(`Successfully applied ${result.applied} IPAM resource(s)`)
    return
  }
  if (result.applied === 0) throw new CliError(`failed to import any IPAM resources: ${goErrorList(result.errors)}`)
  print(`Partial success: applied the first ${result.applied} out of ${result.total} resources:`)
  throw new CliError(`hit error(s): ${goErrorList(result.errors)}`)
}
