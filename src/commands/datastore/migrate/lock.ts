import {CalicoCommand} from '../../../cli/base-command.js'
import {datastoreFlags} from '../../../cli/flags.js'
import {lockDatastore} from '../../../cli/migrate/lock.js'

export default class DatastoreMigrateLock extends CalicoCommand {
  static summary = 'Lock the datastore to prepare it for migration.'
  // One paragraph per entry: oclif wraps each to the terminal width.
  static description = [
    'Sets ClusterInformation "default" to datastoreReady: false (creating it, and the built-in tiers, if missing). This prevents any new Calico resources from affecting the cluster but does not prevent updating or creating new Calico resources. Required before "datastore migrate export".',
  ].join('\n\n')

  static examples = ['<%= config.bin %> datastore migrate lock', '<%= config.bin %> datastore migrate lock --config=/etc/calico/source.cfg']

  static flags = {...datastoreFlags}

  async run(): Promise<void> {
    const {flags} = await this.parse(DatastoreMigrateLock)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    await lockDatastore(client)
    this.out('Datastore locked.')
  }
}
