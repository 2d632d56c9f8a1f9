/**
 * The typed resource client over a Datastore: the equivalent of libcalico-go's clientv3. It owns
 * Calico's etcd key layout for v3 resources, maps revisions to metadata.resourceVersion, defaults
 * and validates every write, and runs the cross-resource checks clientv3 runs (pool overlap,
 * immutable fields, tier existence, tier deletion rules).
 *
 * Values are stored as Go Calico stores them: the JSON of the whole object without
 * metadata.resourceVersion, under /calico/resources/v3/projectcalico.org/<plural>[/<ns>]/<name>.
 */
import {randomUUID} from 'node:crypto'

import {DEFAULT_TIER, prepareForWrite, TIER_LABEL, ValidationError, WriteCheckError, type WriteContext} from '../api/index.js'
import {kindInfo, type KindInfo} from '../api/registry.js'
import {API_VERSION, resourceIdentifier, type Resource} from '../api/resource.js'
import {AlreadyExistsError, ConflictError, NotFoundError, type Datastore, type KV, type WriteOp, type WriteResult} from './datastore.js'
import {
  DatastoreEntryError,
  OperationNotSupportedError,
  ResourceAlreadyExistsError,
  ResourceDoesNotExistError,
  ResourceError,
  ResourceUpdateConflictError,
  ResourceValidationError,
} from './resource-errors.js'

export const RESOURCE_PREFIX = '/calico/resources/v3/projectcalico.org/'

const POLICY_KINDS = new Set([
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
])

export interface ResourceClientOptions {
  /** Injected for tests; defaults to the wall clock at second precision (metav1.Time). */
  now?: () => string
  uid?: () => string
}

export interface ResourceList {
  items: Resource[]
  /** Store revision of the list; printed as the List's metadata.resourceVersion. */
  revision: number
}

function requireKind(kind: string): KindInfo {
  const info = kindInfo(kind)
  if (!info) throw new ResourceError(`resource type '${kind}' is not supported`)
  return info
}

export function resourceKey(kind: string, name: string, namespace?: string): string {
  const info = requireKind(kind)
  return info.namespaced
    ? `${RESOURCE_PREFIX}${info.plural}/${namespace ?? ''}/${name}`
    : `${RESOURCE_PREFIX}${info.plural}/${name}`
}

/** The key prefix holding every resource of a kind, optionally within one namespace. */
export function resourcePrefix(kind: string, namespace?: string): string {
  const info = requireKind(kind)
  return info.namespaced && namespace !== undefined
    ? `${RESOURCE_PREFIX}${info.plural}/${namespace}/`
    : `${RESOURCE_PREFIX}${info.plural}/`
}

/** `Kind(name)` or `Kind(ns/name)` for a resource, as its errors name it. */
export function identifierOf(res: Resource): string {
  const info = kindInfo(res.kind)
  return resourceIdentifier(res.kind, res.metadata.name, info?.namespaced ? res.metadata.namespace : undefined)
}

let clockSecond = -1
let clockText = ''

/** metav1.Time's text for now; the same second is formatted once (a bulk create asks per object). */
function wallClock(): string {
  const second = Math.floor(Date.now() / 1000)
  if (second !== clockSecond) {
    clockSecond = second
    clockText = new Date(second * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
  }
  return clockText
}

/** Decodes a stored value into a Resource whose resourceVersion is the pair's revision. */
export function resourceFromKV(kv: KV): Resource {
  let res: Resource
  try {
    res = JSON.parse(kv.value) as Resource
  } catch (error) {
    throw new DatastoreEntryError(`failed to parse datastore entry key=${kv.key}; value=${kv.value}: ${(error as Error).message}`)
  }
  res.metadata = {...res.metadata, resourceVersion: String(kv.modRevision)}
  return withReadDefaults(res)
}

/** What clientv3 fills in on every read: policy tier and tier label. */
function withReadDefaults(res: Resource): Resource {
  if (!POLICY_KINDS.has(res.kind)) return res
  const spec = (res.spec ?? {}) as Record<string, unknown>
  const tier = typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : DEFAULT_TIER
  res.spec = {...spec, tier}
  if (!res.metadata.labels?.[TIER_LABEL]) {
    res.metadata.labels = {...res.metadata.labels, [TIER_LABEL]: tier}
  }
  return res
}

/** The JSON Calico stores: the object without its resourceVersion. */
function storedValue(res: Resource): string {
  // Object rest (`{resourceVersion, ...metadata}`) is a slow runtime call; most writes have none.
  if (res.metadata.resourceVersion === undefined) return JSON.stringify(res)
  const metadata = {...res.metadata}
  delete metadata.resourceVersion
  return JSON.stringify({...res, metadata})
}

/** A checked write, ready for Datastore.batch; `identifier` names it in errors (`Kind(ns/name)`). */
export interface PreparedWrite {
  identifier: string
  op: WriteOp
}

/** The resource a write produced, or the calicoctl error for its failure. */
export function outcomeToResource(outcome: WriteResult, identifier: string): Resource {
  if (outcome.ok) return resourceFromKV(outcome.kv)
  const error = outcome.error
  if (error instanceof AlreadyExistsError) throw new ResourceAlreadyExistsError(identifier)
  if (error instanceof NotFoundError) throw new ResourceDoesNotExistError(identifier)
  if (error instanceof ConflictError) throw new ResourceUpdateConflictError(identifier)
  throw error
}

export class ResourceClient {
  private readonly now: () => string
  private readonly uid: () => string
  private readonly knownTiers = new Set<string>()

  constructor(
    readonly datastore: Datastore,
    options: ResourceClientOptions = {},
  ) {
    this.now = options.now ?? wallClock
    this.uid = options.uid ?? randomUUID
  }

  async get(kind: string, name: string, namespace?: string): Promise<Resource> {
    const info = requireKind(kind)
    const ns = info.namespaced ? namespace : undefined
    const kv = await this.datastore.get(resourceKey(kind, name, ns))
    if (!kv) throw new ResourceDoesNotExistError(resourceIdentifier(kind, name, ns))
    return resourceFromKV(kv)
  }

  /** As get(), but a missing resource is undefined rather than an error. */
  async getOptional(kind: string, name: string, namespace?: string): Promise<Resource | undefined> {
    try {
      return await this.get(kind, name, namespace)
    } catch (error) {
      if (error instanceof ResourceDoesNotExistError) return undefined
      throw error
    }
  }

  /** Lists a kind in one namespace, or across all namespaces when namespace is undefined. */
  async list(kind: string, namespace?: string): Promise<ResourceList> {
    const info = requireKind(kind)
    const result = await this.datastore.list(resourcePrefix(kind, info.namespaced ? namespace : undefined))
    return {items: result.items.map((kv) => resourceFromKV(kv)), revision: result.revision}
  }

  /**
   * list(), a page at a time (in key order, which is list()'s order): every page is read at the
   * first page's revision, so together they are one snapshot, as list() is.
   */
  async *listPages(kind: string, namespace?: string, pageSize = 500): AsyncGenerator<ResourceList> {
    const info = requireKind(kind)
    const prefix = resourcePrefix(kind, info.namespaced ? namespace : undefined)
    let revision: number | undefined
    let startAfter: string | undefined
    for (;;) {
      const page = await this.datastore.list(prefix, {limit: pageSize, startAfter, revision})
      revision ??= page.revision
      yield {items: page.items.map((kv) => resourceFromKV(kv)), revision}
      if (page.items.length < pageSize) return
      startAfter = page.items[page.items.length - 1].key
    }
  }

  /**
   * clientv3's Create/Update path short of the write: the policy tier check (made before
   * defaulting, as clientv3 does), then defaults, validation and the kind's write checks (pool
   * overlap and immutable fields, BGP filter existence, singleton names) from src/api.
   */
  async prepareWrite(res: Resource, operation: 'create' | 'update', previous?: Resource): Promise<Resource> {
    const info = requireKind(res.kind)
    // prepareForWrite never changes its input (defaulting works on its own copy), so a shallow
    // copy carries the two adjustments made here.
    const input: Resource = {...res, apiVersion: API_VERSION, metadata: {...res.metadata}}
    if (!info.namespaced) delete input.metadata.namespace
    if (POLICY_KINDS.has(input.kind) && operation === 'create') {
      const tier = (input.spec as {tier?: string} | undefined)?.tier
      await this.requireTier(tier ? tier : DEFAULT_TIER)
    }
    const context: WriteContext = {operation, previous}
    if (input.kind === 'IPPool' && operation === 'create') context.existingPools = (await this.list('IPPool')).items
    if (input.kind === 'BGPPeer') {
      context.bgpFilterNames = (await this.list('BGPFilter')).items.map((f) => f.metadata.name ?? '')
    }
    try {
      return prepareForWrite(input, context)
    } catch (error) {
      if (error instanceof ValidationError || error instanceof WriteCheckError) {
        throw new ResourceValidationError(error.message)
      }
      throw error
    }
  }

  /**
   * clientv3 refuses a policy whose tier does not exist. Tiers seen once are remembered for the
   * life of this client, so a bulk write of many policies reads each tier once.
   */
  private async requireTier(tier: string): Promise<void> {
    if (this.knownTiers.has(tier)) return
    await this.get('Tier', tier)
    this.knownTiers.add(tier)
  }

  /** Everything a create needs short of the write itself: the checked object and its write op. */
  async prepareCreate(res: Resource): Promise<PreparedWrite> {
    const prepared = await this.prepareWrite(res, 'create')
    prepared.metadata = {
      ...prepared.metadata,
      uid: prepared.metadata.uid || this.uid(),
      creationTimestamp: prepared.metadata.creationTimestamp || this.now(),
    }
    const key = resourceKey(prepared.kind, prepared.metadata.name ?? '', prepared.metadata.namespace)
    return {identifier: identifierOf(prepared), op: {op: 'create', key, value: storedValue(prepared)}}
  }

  /**
   * Everything an update needs short of the write: checked against the stored pair `current`,
   * conditional on its revision (or on the input's resourceVersion, which must then match it).
   * uid and creationTimestamp are always those of the stored object.
   */
  async prepareUpdate(res: Resource, current: KV, decoded?: Resource): Promise<PreparedWrite> {
    const identifier = identifierOf(res)
    // `decoded`: resourceFromKV(current), when the caller has it already (it is not changed here).
    const stored = decoded ?? resourceFromKV(current)
    if (res.metadata.resourceVersion && Number(res.metadata.resourceVersion) !== current.modRevision) {
      throw new ResourceUpdateConflictError(identifier, staleVersionDetail(res.metadata.resourceVersion, current))
    }
    const prepared = await this.prepareWrite(res, 'update', stored)
    prepared.metadata = {
      ...prepared.metadata,
      uid: stored.metadata.uid,
      creationTimestamp: stored.metadata.creationTimestamp,
    }
    return {
      identifier,
      op: {op: 'update', key: current.key, value: storedValue(prepared), expectedRevision: current.modRevision},
    }
  }

  async create(res: Resource): Promise<Resource> {
    return this.commit(await this.prepareCreate(res))
  }

  /**
   * Replaces a stored resource. With metadata.resourceVersion set, the write is conditional on it
   * (a stale version fails with `update conflict`); without it, on the version just read.
   */
  async update(res: Resource): Promise<Resource> {
    const info = requireKind(res.kind)
    const namespace = info.namespaced ? res.metadata.namespace : undefined
    const current = await this.datastore.get(resourceKey(res.kind, res.metadata.name ?? '', namespace))
    if (!current) throw new ResourceDoesNotExistError(resourceIdentifier(res.kind, res.metadata.name, namespace))
    return this.commit(await this.prepareUpdate(res, current))
  }

  /** Writes one prepared op, translating datastore errors into calicoctl's. */
  async commit(prepared: PreparedWrite): Promise<Resource> {
    const [outcome] = await this.datastore.batch([prepared.op])
    return outcomeToResource(outcome, prepared.identifier)
  }

  /** A delete's write op, conditional on resourceVersion when given; Tier deletion checks run here. */
  async prepareDelete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<PreparedWrite> {
    const ns = requireKind(kind).namespaced ? namespace : undefined
    if (kind === 'Tier') await this.checkTierDeletable(name)
    return {
      identifier: resourceIdentifier(kind, name, ns),
      op: {op: 'delete', key: resourceKey(kind, name, ns), expectedRevision: resourceVersion ? Number(resourceVersion) : undefined},
    }
  }

  async delete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<Resource> {
    return this.commit(await this.prepareDelete(kind, name, namespace, resourceVersion))
  }

  private async checkTierDeletable(name: string): Promise<void> {
    if (name === DEFAULT_TIER || name === 'kube-admin' || name === 'kube-baseline') {
      throw new OperationNotSupportedError('Delete', name, `Cannot delete ${name} tier`)
    }
    for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy']) {
      const policies = await this.list(kind)
      if (policies.items.some((p) => (p.spec as {tier?: string} | undefined)?.tier === name)) {
        throw new OperationNotSupportedError('delete', name, 'Cannot delete a non-empty tier')
      }
    }
  }

  /**
   * What clientv3's EnsureInitialized does before calicoctl's create/apply/replace: make sure the
   * default ClusterInformation and the default, kube-admin and kube-baseline tiers exist.
   * Existing objects are left alone; a concurrent creator winning the race is not an error.
   */
  async ensureInitialized(calicoVersion = '', clusterType = ''): Promise<void> {
    const defaults: Resource[] = [
      {
        apiVersion: API_VERSION,
        kind: 'ClusterInformation',
        metadata: {name: 'default'},
        spec: {clusterGUID: randomUUID().replaceAll('-', ''), clusterType, calicoVersion, datastoreReady: true},
      },
      tierResource(DEFAULT_TIER, 1_000_000, 'Deny'),
      tierResource('kube-admin', 1000, 'Pass'),
      tierResource('kube-baseline', 10_000_000, 'Pass'),
    ]
    for (const res of defaults) {
      if (await this.datastore.get(resourceKey(res.kind, res.metadata.name ?? ''))) continue
      try {
        await this.create(res)
      } catch (error) {
        if (!(error instanceof ResourceAlreadyExistsError)) throw error
      }
    }
  }
}

function tierResource(name: string, order: number, defaultAction: string): Resource {
  return {apiVersion: API_VERSION, kind: 'Tier', metadata: {name}, spec: {order, defaultAction}}
}

function staleVersionDetail(requested: string, current: KV): string {
  return `resource version '${requested}' is out of date (latest: ${current.modRevision}). Update the resource YAML/JSON in order to make changes`
}
