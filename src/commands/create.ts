import {Flags} from '@oclif/core'

import type {CommandResults} from '../cli/config-command.js'
import {FileWriteCommand} from '../cli/file-command.js'
import {datastoreFlags, fileFlags, namespaceFlag} from '../cli/flags.js'

export default class Create extends FileWriteCommand {
  static summary = 'Create a resource by file, directory or stdin.'
  static description = `Creates each resource in the input; a resource that already exists is an error unless
--skip-exists is given. Every resource is tried, in order.`

  static examples = [
    '<%= config.bin %> create --filename=./policy.yaml',
    'cat policy.json | <%= config.bin %> create --filename=- --skip-exists',
  ]

  static flags = {
    ...fileFlags,
    'skip-exists': Flags.boolean({summary: 'Skip over and treat as successful any attempts to create an entry that already exists.'}),
    namespace: namespaceFlag,
    ...datastoreFlags,
  }

  async run(): Promise<CommandResults> {
    const {flags} = await this.parse(Create)
    return this.runFileAction('create', flags)
  }
}
