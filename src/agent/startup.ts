/**
 * What calico-node's startup does before Felix starts (node/pkg/lifecycle/startup): register this
 * host's Node resource, make sure the cluster is initialised (ClusterInformation + default tiers,
 * clientv3's EnsureInitialized) and, only when the cluster has no IPv4 pool at all, create the
 * default pool from CALICO_IPV4POOL_* environment variables. Every step is idempotent and
 * race-safe: two agents starting at once both succeed and leave one object.
 */
import type {Node} from '../api/kinds/node.js'
import type {Resource} from '../api/resource.js'
import {ResourceAlreadyExistsError, ResourceUpdateConflictError} from '../datastore/resource-errors.js'
import type {ResourceClient} from '../datastore/resources.js'

export interface NodeRegistration {
  readonly nodeName: string
  /** `address/prefix`, written to spec.bgp.ipv4Address; undefined leaves the stored value alone. */
  readonly ipv4Address?: string
  /** spec.bgp.asNumber; undefined leaves the stored value alone. */
  readonly asNumber?: number
}

const CONFLICT_RETRIES = 5

/** Creates the Node, or updates its BGP address/AS when they differ; returns the stored Node. */
export async function registerNode(client: ResourceClient, registration: NodeRegistration): Promise<Resource> {
  for (let attempt = 0; ; attempt++) {
    const existing = await client.getOptional('Node', registration.nodeName)
    try {
      if (!existing) return await client.create(desiredNode(undefined, registration))
      const desired = desiredNode(existing as Node, registration)
      if (JSON.stringify(desired.spec) === JSON.stringify(existing.spec)) return existing
      return await client.update(desired)
    } catch (error) {
      const raced = error instanceof ResourceAlreadyExistsError || error instanceof ResourceUpdateConflictError
      if (!raced || attempt >= CONFLICT_RETRIES) throw error
    }
  }
}

function desiredNode(existing: Node | undefined, registration: NodeRegistration): Resource {
  const base: Node = existing ? structuredClone(existing) : {apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: {name: registration.nodeName}, spec: {}}
  const spec = {...(base.spec ?? {})}
  const bgp = {...(spec.bgp ?? {})}
  if (registration.ipv4Address !== undefined) bgp.ipv4Address = registration.ipv4Address
  if (registration.asNumber !== undefined) bgp.asNumber = registration.asNumber
  if (Object.keys(bgp).length > 0) spec.bgp = bgp
  return {...base, spec} as Resource
}

export interface ClusterDefaults {
  readonly calicoVersion: string
  /** CLUSTER_TYPE (calico-node's env); informational. */
  readonly clusterType?: string
  /** calico-node's NO_DEFAULT_POOLS / calicoctl's --no-default-ippools. */
  readonly noDefaultPools?: boolean
  /** Environment holding CALICO_IPV4POOL_*; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

export const DEFAULT_IPV4_POOL_NAME = 'default-ipv4-ippool'
export const DEFAULT_IPV4_POOL_CIDR = '192.168.0.0/16'

/** The default IPv4 pool calico-node would create from its environment. */
export function defaultIPv4Pool(env: Readonly<Record<string, string | undefined>>): Resource {
  const nonEmpty = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined)
  const blockSize = nonEmpty('CALICO_IPV4POOL_BLOCK_SIZE')
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'IPPool',
    metadata: {name: DEFAULT_IPV4_POOL_NAME},
    spec: {
      cidr: nonEmpty('CALICO_IPV4POOL_CIDR') ?? DEFAULT_IPV4_POOL_CIDR,
      ipipMode: nonEmpty('CALICO_IPV4POOL_IPIP') ?? 'Always',
      vxlanMode: nonEmpty('CALICO_IPV4POOL_VXLAN') ?? 'Never',
      natOutgoing: (nonEmpty('CALICO_IPV4POOL_NAT_OUTGOING') ?? 'true').toLowerCase() === 'true',
      blockSize: blockSize !== undefined ? Number(blockSize) : 26,
      nodeSelector: nonEmpty('CALICO_IPV4POOL_NODE_SELECTOR') ?? 'all()',
    },
  }
}

/**
 * ClusterInformation and default tiers (ensureInitialized), then the default IPv4 pool if no IPv4
 * pool exists. Returns whether a pool was created.
 */
export async function ensureClusterDefaults(client: ResourceClient, defaults: ClusterDefaults): Promise<boolean> {
  await client.ensureInitialized(defaults.calicoVersion, defaults.clusterType ?? '')
  if (defaults.noDefaultPools) return false
  const pools = await client.list('IPPool')
  const hasIPv4 = pools.items.some((p) => !String((p.spec as {cidr?: string} | undefined)?.cidr ?? '').includes(':'))
  if (hasIPv4) return false
  try {
    await client.create(defaultIPv4Pool(defaults.env ?? process.env))
    return true
  } catch (error) {
    if (error instanceof ResourceAlreadyExistsError) return false
    throw error
  }
}
