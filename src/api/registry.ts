/**
 * Every kind calicoctl v3.32 knows: its etcd plural, the names it answers to on the command line
 * (case-insensitive) and whether it is namespaced. Mirrors calicoctl's resourcemgr registrations.
 */

export interface KindInfo {
  kind: string
  /** Lower-case plural used in the etcd key and the CRD name. */
  plural: string
  /** Command-line names, lower case; the kind itself (lower-cased) and its plural are included. */
  aliases: string[]
  namespaced: boolean
  /** calicoctl refuses create/apply/replace/delete (ClusterInformation). */
  readOnly?: boolean
}

const table: KindInfo[] = [
  {kind: 'BGPConfiguration', plural: 'bgpconfigurations', aliases: ['bgpconfig', 'bgpconfigs'], namespaced: false},
  {kind: 'BGPFilter', plural: 'bgpfilters', aliases: ['bgpf', 'bgpfs', 'bf', 'bfs'], namespaced: false},
  {kind: 'BGPPeer', plural: 'bgppeers', aliases: ['bgpp', 'bgpps', 'bp', 'bps'], namespaced: false},
  {kind: 'CalicoNodeStatus', plural: 'caliconodestatuses', aliases: ['nodestatus', 'nodestatuses'], namespaced: false},
  {
    kind: 'ClusterInformation',
    plural: 'clusterinformations',
    aliases: ['clusterinfo', 'clusterinfos'],
    namespaced: false,
    readOnly: true,
  },
  {kind: 'FelixConfiguration', plural: 'felixconfigurations', aliases: ['felixconfig', 'felixconfigs'], namespaced: false},
  {kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', aliases: ['gnp', 'gnps'], namespaced: false},
  {kind: 'GlobalNetworkSet', plural: 'globalnetworksets', aliases: ['gnetsets'], namespaced: false},
  {kind: 'HostEndpoint', plural: 'hostendpoints', aliases: ['hep', 'heps'], namespaced: false},
  {kind: 'IPAMConfiguration', plural: 'ipamconfigurations', aliases: ['ipamconfig', 'ipamconfigs'], namespaced: false},
  {kind: 'IPPool', plural: 'ippools', aliases: ['ipp', 'ipps', 'pool', 'pools'], namespaced: false},
  {kind: 'IPReservation', plural: 'ipreservations', aliases: ['reservation', 'reservations'], namespaced: false},
  {
    kind: 'KubeControllersConfiguration',
    plural: 'kubecontrollersconfigurations',
    aliases: ['kubecontrollersconfig', 'kubecontrollersconfigs'],
    namespaced: false,
  },
  {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    aliases: ['policy', 'policies', 'np', 'pol', 'pols'],
    namespaced: true,
  },
  {kind: 'NetworkSet', plural: 'networksets', aliases: ['netset', 'netsets'], namespaced: true},
  {kind: 'Node', plural: 'nodes', aliases: ['no', 'nos'], namespaced: false},
  {kind: 'Profile', plural: 'profiles', aliases: ['pro', 'pros'], namespaced: false},
  {
    kind: 'StagedGlobalNetworkPolicy',
    plural: 'stagedglobalnetworkpolicies',
    aliases: ['sgnp', 'sgnps'],
    namespaced: false,
  },
  {
    kind: 'StagedKubernetesNetworkPolicy',
    plural: 'stagedkubernetesnetworkpolicies',
    aliases: ['stagedkubernetespolicy', 'stagedkubernetespolicies', 'sknp', 'skpol', 'skpols'],
    namespaced: true,
  },
  {
    kind: 'StagedNetworkPolicy',
    plural: 'stagednetworkpolicies',
    aliases: ['stagedpolicy', 'stagedpolicies', 'snp', 'spol', 'spols'],
    namespaced: true,
  },
  {kind: 'Tier', plural: 'tiers', aliases: [], namespaced: false},
  {kind: 'WorkloadEndpoint', plural: 'workloadendpoints', aliases: ['wep', 'weps'], namespaced: true},
]

for (const info of table) {
  info.aliases = [...new Set([info.kind.toLowerCase(), info.plural, ...info.aliases])]
}

const byKind = new Map(table.map((info) => [info.kind, info]))
const byAlias = new Map(table.flatMap((info) => info.aliases.map((alias) => [alias, info] as const)))

export const KINDS: readonly KindInfo[] = table

/** Looks a kind up by its exact Kind name (as in a document's `kind:`). */
export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind)
}

/** Looks a kind up by any command-line alias, case-insensitively. */
export function kindFromAlias(alias: string): KindInfo | undefined {
  return byAlias.get(alias.toLowerCase())
}

/** The `    - <kind>` list calicoctl's help shows: every kind, lower-cased, sorted. */
export function validResourceTypes(): string[] {
  return table.map((info) => info.kind.toLowerCase()).sort()
}
