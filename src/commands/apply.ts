import {datastoreFlags, fileFlags, namespaceFlag} from '../cli/flags.js'
import type {CommandResults} from '../cli/config-command.js'
import {FileWriteCommand} from '../cli/file-command.js'

export default class Apply extends FileWriteCommand {
  static summary = 'Apply a resource by file, directory or stdin.'
  static description = `Creates each resource that does not exist yet and replaces the whole spec of each one that does
(the complete spec must be given; it is not a merge). JSON and YAML are accepted; a file may hold
several documents separated by "---", or a <Kind>List. Every resource is tried, in order.`

  static examples = [
    '<%= config.bin %> apply --filename=./policy.yaml',
    'cat policy.json | <%= config.bin %> apply --filename=-',
  ]

  static flags = {...fileFlags, namespace: namespaceFlag, ...datastoreFlags}

  async run(): Promise<CommandResults> {
    const {flags} = await this.parse(Apply)
    return this.runFileAction('apply', flags)
  }
}
