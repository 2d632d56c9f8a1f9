import {CalicoCommand} from '../../../cli/base-command.js'
import {datastoreFlags} from '../../../cli/flags.js'
import {unlockDatastore} from '../../../cli/migrate/lock.js'

export default class DatastoreMigrateUnlock extends CalicoCommand {
  static summary = 'Unlock the datastore to complete migration.'
  // One paragraph per entry: oclif wraps each to the terminal width.
  static description = [
    'Sets ClusterInformation "default" back to datastoreReady: true, which once again allows Calico resources to take effect in the cluster. Run it on the target once "datastore migrate import" has succeeded (import leaves the target locked).',
  ].join('\n\n')

  static examples = ['<%= config.bin %> datastore migrate unlock', '<%= config.bin %> datastore migrate unlock --config=/etc/calico/target.cfg']

  static flags = {...datastoreFlags}

  async run(): Promise<void> {
    const {flags} = await this.parse(DatastoreMigrateUnlock)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    await unlockDatastore(client)
    this.out('Datastore unlocked.')
  }
}
