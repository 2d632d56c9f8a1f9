/**
 * The migration lock: ClusterInformation(default).spec.datastoreReady. false means "locked":
 * Calico components stop acting on the datastore while it is copied. ClusterInformation is
 * read-only through apply, so it is written here with the resource client directly. Error texts
 * are calicoctl v3.32's (commands/datastore/migrate/{lock,unlock}.go, common.CheckLocked).
 */
import type {Resource} from '../../api/resource.js'
import type {ResourceClient} from '../../datastore/resources.js'
import {CliError} from '../errors.js'

interface ClusterInformationSpec {
  clusterGUID?: string
  calicoVersion?: string
  datastoreReady?: boolean
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Reads ClusterInformation(default), failing with `<context>: <reason>`. */
async function clusterInformation(client: ResourceClient, context: string): Promise<Resource<ClusterInformationSpec>> {
  try {
    return (await client.get('ClusterInformation', 'default')) as Resource<ClusterInformationSpec>
  } catch (error) {
    throw new CliError(`${context}: ${errorText(error)}`)
  }
}

async function writeClusterInformation(client: ResourceClient, info: Resource<ClusterInformationSpec>, context: string): Promise<void> {
  try {
    await client.update(info as Resource)
  } catch (error) {
    throw new CliError(`${context}: ${errorText(error)}`)
  }
}

/** clientv3's EnsureInitialized: the default ClusterInformation (unlocked) and the built-in tiers. */
export async function ensureInitialized(client: ResourceClient): Promise<void> {
  try {
    await client.ensureInitialized()
  } catch (error) {
    throw new CliError(`unable to initialize cluster information for the datastore migration: ${errorText(error)}`)
  }
}

/** `datastore migrate lock`: creates ClusterInformation if missing, then sets datastoreReady=false. */
export async function lockDatastore(client: ResourceClient): Promise<void> {
  await ensureInitialized(client)
  const info = await clusterInformation(client, 'error retrieving ClusterInformation for locking')
  info.spec = {...info.spec, datastoreReady: false}
  await writeClusterInformation(client, info, 'error updating ClusterInformation for locking')
}

/** `datastore migrate unlock`: sets datastoreReady=true; like calicoctl, it needs ClusterInformation to exist. */
export async function unlockDatastore(client: ResourceClient): Promise<void> {
  const info = await clusterInformation(client, 'error retrieving ClusterInformation for unlocking')
  info.spec = {...info.spec, datastoreReady: true}
  await writeClusterInformation(client, info, 'error updating ClusterInformation for unlocking')
}

/**
 * common.CheckLocked. An unset datastoreReady counts as ready (unlocked): Calico's components
 * treat it so, and calicoctl would dereference a nil pointer.
 */
export async function isLocked(client: ResourceClient): Promise<boolean> {
  let info: Resource<ClusterInformationSpec>
  try {
    info = (await client.get('ClusterInformation', 'default')) as Resource<ClusterInformationSpec>
  } catch (error) {
    throw new CliError(`error while checking if datastore was locked: error retrieving ClusterInformation: ${errorText(error)}`)
  }
  return info.spec?.datastoreReady === false
}

/**
 * The last import step (calicoctl's updateClusterInfo): the target keeps its own
 * ClusterInformation, including datastoreReady=false, and takes the source's cluster GUID and
 * Calico version (a field the export lacks keeps the target's value). clusterType is not copied: it names the datastore type of the source.
 */
export async function adoptClusterInformation(client: ResourceClient, exported: ClusterInformationSpec): Promise<void> {
  const info = await clusterInformation(
    client,
    'failed to update cluster information: error retrieving current cluster info for migration',
  )
  info.spec = {
    ...info.spec,
    clusterGUID: exported.clusterGUID ?? info.spec?.clusterGUID,
    calicoVersion: exported.calicoVersion ?? info.spec?.calicoVersion,
  }
  await writeClusterInformation(client, info, 'failed to update cluster information: error updating current cluster info for migration')
}

export type {ClusterInformationSpec}
