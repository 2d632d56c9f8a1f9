import {CalicoCommand} from '../../../cli/base-command.js'
import {datastoreFlags} from '../../../cli/flags.js'
import {io} from '../../../cli/io.js'
import {buildExport} from '../../../cli/migrate/export.js'

export default class DatastoreMigrateExport extends CalicoCommand {
  static summary = 'Export the contents of a locked datastore for "datastore migrate import".'
  // One paragraph per entry: oclif wraps each to the terminal width.
  static description = [
    'Prints every Calico resource, the ClusterInformation and the IPAM data in calicoctl\'s migration format: YAML <Kind>Lists (each followed by "---"), then "===" and the ClusterInformation as JSON, then "===" and the IPAM blocks, handles, affinities and config as JSON. Save it to a file for "datastore migrate import". The datastore must be locked first ("datastore migrate lock").',
    'Exported, in this order: IPPools, BGPPeers, Tiers, GlobalNetworkPolicies, StagedGlobalNetworkPolicies, GlobalNetworkSets, HostEndpoints, KubeControllersConfigurations, NetworkPolicies, StagedNetworkPolicies, StagedKubernetesNetworkPolicies, NetworkSets, Nodes, BGPConfigurations, FelixConfigurations, IPReservations, BGPFilters, then (beyond calicoctl) IPAMConfigurations, Profiles, WorkloadEndpoints and CalicoNodeStatuses. NetworkPolicies named knp.default.* (mirrored from Kubernetes) are left out.',
    'Unlike calicoctl, which exports only from etcdv3, any datastore can be exported; every namespaced kind comes from all namespaces (calicoctl reads staged namespaced policies from "default" only); node names are kept as they are (calicoctl renames nodes to their Kubernetes names).',
  ].join('\n\n')

  static examples = [
    '<%= config.bin %> datastore migrate export > calico-data.txt',
    '<%= config.bin %> datastore migrate export --config=/etc/calico/source.cfg > calico-data.txt',
  ]

  static flags = {...datastoreFlags}

  async run(): Promise<void> {
    const {flags} = await this.parse(DatastoreMigrateExport)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    io.stdout.write(await buildExport(client))
  }
}
