/**
 * Which v3 kinds a migration carries, and in what order. The first 17 are calicoctl v3.32's
 * allV3Resources, in its order (tiers before policies; nodes before the per-node configs that
 * name them). The rest go beyond calicoctl so that a round trip between two of this tool's
 * datastores loses nothing: calicoctl leaves WorkloadEndpoints and Profiles out because the
 * Kubernetes datastore derives them from pods and namespaces.
 */
import type {Resource} from '../../api/resource.js'

export const CALICOCTL_EXPORT_KINDS = [
  'IPPool',
  'BGPPeer',
  'Tier',
  'GlobalNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'GlobalNetworkSet',
  'HostEndpoint',
  'KubeControllersConfiguration',
  'NetworkPolicy',
  'StagedNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
  'NetworkSet',
  'Node',
  'BGPConfiguration',
  'FelixConfiguration',
  'IPReservation',
  'BGPFilter',
] as const

export const EXTRA_EXPORT_KINDS = ['IPAMConfiguration', 'Profile', 'WorkloadEndpoint', 'CalicoNodeStatus'] as const

export const EXPORT_KINDS: readonly string[] = [...CALICOCTL_EXPORT_KINDS, ...EXTRA_EXPORT_KINDS]

/** Prefix of the policies kube-controllers mirrors from Kubernetes NetworkPolicies (etcd mode). */
export const K8S_NETWORK_POLICY_PREFIX = 'knp.default.'

/** Tiers every datastore has (created on initialisation, never deletable). */
const PROTECTED_TIERS = new Set(['default', 'kube-admin', 'kube-baseline'])

/** Mirrored Kubernetes policies are not exported: kube-controllers recreates them from Kubernetes. */
export function isMirroredPolicy(res: Resource): boolean {
  return res.kind === 'NetworkPolicy' && (res.metadata.name ?? '').startsWith(K8S_NETWORK_POLICY_PREFIX)
}

/**
 * Whether a resource found in an import target counts as "existing Calico data". As calicoctl:
 * mirrored Kubernetes policies and the protected tiers do not (every target has or gets them).
 */
export function countsAsExisting(res: Resource): boolean {
  if (isMirroredPolicy(res)) return false
  if (res.kind === 'Tier' && PROTECTED_TIERS.has(res.metadata.name ?? '')) return false
  return true
}

/**
 * Import writes these first: other kinds' write checks read them (a policy needs its tier, a
 * BGPPeer its filters). calicoctl's own order has bgpfilters after bgppeers, so a file exported
 * by calicoctl is re-ordered rather than trusted.
 */
export const WRITTEN_FIRST = new Set(['Tier', 'BGPFilter'])
