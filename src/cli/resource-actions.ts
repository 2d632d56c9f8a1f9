/**
 * calicoctl's per-resource actions (resourcemgr + ExecuteResourceAction): namespace handling,
 * create/apply/replace/delete/get semantics and the skip flags. Each action returns the
 * resulting objects or throws the error calicoctl would report for that resource.
 */
import {kindInfo} from '../api/registry.js'
import type {Resource} from '../api/resource.js'
import {
  OperationNotSupportedError,
  ResourceAlreadyExistsError,
  ResourceDoesNotExistError,
  ResourceUpdateConflictError,
  ResourceValidationError,
} from '../datastore/resource-errors.js'
import {identifierOf, type ResourceClient} from '../datastore/resources.js'

export type ResourceAction = 'create' | 'apply' | 'replace' | 'delete' | 'get'

export interface ActionOptions {
  namespace?: string
  allNamespaces?: boolean
  skipExists?: boolean
  skipNotExists?: boolean
  /** Sleep between update retries (calicoctl: 1 s); injectable so tests do not wait. */
  retryDelayMs?: number
}

const UPDATE_RETRIES = 5

/** calicoctl's handleNamespace: fills in or checks the namespace of one resource, in place. */
export function handleNamespace(res: Resource, options: ActionOptions): void {
  const info = kindInfo(res.kind)
  const cliNs = options.namespace ?? ''
  const allNs = options.allNamespaces ?? false
  const resNs = res.metadata.namespace ?? ''
  if (info?.namespaced) {
    if (allNs && cliNs !== '') throw new Error('cannot use both --namespace and --all-namespaces flags at the same time')
    if (resNs === '' && cliNs !== '') res.metadata.namespace = cliNs
    else if (resNs !== '' && allNs) res.metadata.namespace = ''
    else if (resNs === '' && !allNs) res.metadata.namespace = 'default'
    else if (resNs !== '' && cliNs !== '' && resNs !== cliNs) {
      throw new Error(`resource namespace does not match client namespace. ${resNs} != ${cliNs}`)
    }
  } else if (resNs !== '') {
    throw new Error(`namespace should not be specified for a non-namespaced resource. ${res.kind} is not a namespaced resource`)
  } else if (allNs || cliNs !== '') {
    throw new Error(`${res.kind} is not namespaced`)
  }
}


/** Refusals resourcemgr makes before touching the datastore. */
export function checkWritable(action: ResourceAction, res: Resource): void {
  if (kindInfo(res.kind)?.readOnly && action !== 'get') {
    throw new OperationNotSupportedError(action, res.kind, 'resource is readonly')
  }
  if (res.kind === 'NetworkPolicy' && res.metadata.name?.startsWith('knp.default.') && action !== 'get') {
    throw new OperationNotSupportedError(
      action,
      identifierOf(res),
      'kubernetes network policies must be managed through the kubernetes API',
    )
  }
}

/** Create keeps only name, namespace, resourceVersion, labels and annotations of the input metadata. */
export function forCreate(res: Resource): Resource {
  const {name, namespace, resourceVersion, labels, annotations} = res.metadata
  if (resourceVersion) {
    throw new ResourceValidationError(
      `error with field Metadata.ResourceVersion = '${resourceVersion}' (field must not be set for a Create request)`,
    )
  }
  return {...res, metadata: {name, namespace, labels, annotations}}
}

/**
 * resourcemgr's Update rule: the stored metadata replaces the input's, except labels and
 * annotations; an input resourceVersion is kept as the update's precondition.
 */
export function withStoredMetadata(res: Resource, stored: Resource): Resource {
  return {
    ...res,
    metadata: {
      ...stored.metadata,
      labels: res.metadata.labels,
      annotations: res.metadata.annotations,
      resourceVersion: res.metadata.resourceVersion || stored.metadata.resourceVersion,
    },
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * resourcemgr's Update: stored metadata is copied over the input except labels and annotations.
 * Without a resourceVersion it reads the current object and retries on conflict (5 tries).
 */
async function update(client: ResourceClient, res: Resource, options: ActionOptions): Promise<Resource> {
  const explicitVersion = res.metadata.resourceVersion
  for (let attempt = 1; ; attempt++) {
    const current = await client.get(res.kind, res.metadata.name ?? '', res.metadata.namespace)
    try {
      return await client.update(withStoredMetadata(res, current))
    } catch (error) {
      if (!(error instanceof ResourceUpdateConflictError) || explicitVersion || attempt >= UPDATE_RETRIES) throw error
      await sleep(options.retryDelayMs ?? 1000)
    }
  }
}

async function runAction(
  client: ResourceClient,
  action: ResourceAction,
  res: Resource,
  options: ActionOptions,
): Promise<Resource[]> {
  checkWritable(action, res)
  const name = res.metadata.name ?? ''
  switch (action) {
    case 'create':
      return [await client.create(forCreate(res))]
    case 'apply': {
      try {
        return [await client.create(forCreate({...res, metadata: {...res.metadata, resourceVersion: undefined}}))]
      } catch (error) {
        if (!(error instanceof ResourceAlreadyExistsError)) throw error
      }
      return [await update(client, res, options)]
    }
    case 'replace':
      return [await update(client, res, options)]
    case 'delete':
      return [await client.delete(res.kind, name, res.metadata.namespace, res.metadata.resourceVersion)]
    case 'get': {
      if (name !== '') return [await client.get(res.kind, name, res.metadata.namespace || undefined)]
      const namespace = kindInfo(res.kind)?.namespaced && res.metadata.namespace ? res.metadata.namespace : undefined
      return (await client.list(res.kind, namespace)).items
    }
  }
}

/** One resource through handleNamespace, the action and the skip flags. */
export async function executeResourceAction(
  client: ResourceClient,
  action: ResourceAction,
  res: Resource,
  options: ActionOptions,
): Promise<Resource[]> {
  handleNamespace(res, options)
  try {
    return await runAction(client, action, res, options)
  } catch (error) {
    if (error instanceof ResourceAlreadyExistsError && options.skipExists) return [res]
    if (error instanceof ResourceDoesNotExistError && options.skipNotExists) return [res]
    throw error
  }
}
