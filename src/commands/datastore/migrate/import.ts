import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../../cli/base-command.js'
import {datastoreFlags} from '../../../cli/flags.js'
import {importMigration} from '../../../cli/migrate/import.js'
import {parseMigrationFile, readMigrationText} from '../../../cli/migrate/migration-file.js'

export default class DatastoreMigrateImport extends CalicoCommand {
  static summary = 'Import a file written by "datastore migrate export" into a datastore.'
  // One paragraph per entry: oclif wraps each to the terminal width.
  static description = [
    'Reads and checks the whole file first; a malformed file changes nothing. Then refuses a target that already has Calico resources or IPAM data (the built-in tiers and mirrored knp.default.* policies do not count), locks the target, applies the resources as "apply" does, creates the IPAM keys and copies the cluster GUID and Calico version into the target\'s ClusterInformation. The target is left locked: run "datastore migrate unlock" against it when the migration is complete.',
    'Unlike calicoctl, which imports only into the Kubernetes datastore, any datastore can be the target, and --allow-non-empty imports on top of existing data (resources are applied; existing IPAM keys must already hold the same value).',
  ].join('\n\n')

  static examples = [
    '<%= config.bin %> datastore migrate import --filename=calico-data.txt',
    'cat calico-data.txt | <%= config.bin %> datastore migrate import --filename=- --config=/etc/calico/target.cfg',
  ]

  static flags = {
    filename: Flags.string({
      char: 'f',
      summary: 'File to import, written by "datastore migrate export"; "-" reads stdin.',
      required: true,
      helpValue: '<FILENAME>',
    }),
    'allow-non-empty': Flags.boolean({summary: 'Import even if the target already has Calico resources.'}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(DatastoreMigrateImport)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const file = parseMigrationFile(readMigrationText(flags.filename), flags.filename)
    await importMigration(client, file, {allowNonEmpty: flags['allow-non-empty'], print: (line) => this.out(line)})
  }
}
