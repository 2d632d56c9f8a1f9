/**
 * `datastore migrate export`: the whole Calico state of a datastore in calicoctl's three-part
 * migration format —
 *   1. one YAML `<Kind>List` per kind (kinds.ts order), each followed by a `---` line;
 *   2. a `===` line, then ClusterInformation(default) as Go's json.MarshalIndent prints it;
 *   3. a `===` line, then the IPAM keys as JSON (ipam.ts).
 * List items lose uid, resourceVersion, creationTimestamp and the deletion fields, as calicoctl
 * strips them; the lists' own resourceVersion and the ClusterInformation object are printed as
 * calicoctl prints them (import ignores both).
 *
 * The text is built completely before anything is printed, so a failure part-way prints nothing
 * and a redirected export file is never half a file.
 */
import type {Resource} from '../../api/resource.js'
import type {ResourceClient} from '../../datastore/resources.js'
import {CliError} from '../errors.js'
import {parseOutputFormat, renderGetOutput} from '../output/index.js'
import {readIpam, renderIpam} from './ipam.js'
import {EXPORT_KINDS, isMirroredPolicy} from './kinds.js'
import {isLocked} from './lock.js'

/** The line that separates the three parts of a migration file. */
export const SECTION_SEPARATOR = '==='

export const NOT_LOCKED_MESSAGE =
  'datastore is not locked. Run the `calicoctl datastore migrate lock` command in order to begin migration'

/** What `--export` would leave of an item's metadata: no identity of the source datastore. */
function exportable(res: Resource): Resource {
  const {uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, ...metadata} =
    res.metadata
  return {...res, metadata}
}

async function kindSection(client: ResourceClient, kind: string): Promise<string> {
  const listed = await client.list(kind)
  const items = listed.items.filter((res) => !isMirroredPolicy(res)).map(exportable)
  const yaml = renderGetOutput({
    format: parseOutputFormat('yaml'),
    results: items,
    isList: true,
    listKind: kind,
    listResourceVersion: String(listed.revision),
  })
  return `${yaml}---\n`
}

/** Builds the migration file of a locked datastore; refuses an unlocked one with calicoctl's message. */
export async function buildExport(client: ResourceClient): Promise<string> {
  if (!(await isLocked(client))) throw new CliError(NOT_LOCKED_MESSAGE)
  const parts: string[] = []
  for (const kind of EXPORT_KINDS) parts.push(await kindSection(client, kind))
  const info = await client.get('ClusterInformation', 'default')
  parts.push(`${SECTION_SEPARATOR}\n`, `${renderGetOutput({format: parseOutputFormat('json'), results: [info]})}\n`)
  parts.push(`${SECTION_SEPARATOR}\n`, `${renderIpam(await readIpam(client.datastore))}\n`)
  return parts.join('')
}
