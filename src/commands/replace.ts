import type {CommandResults} from '../cli/config-command.js'
import {FileWriteCommand} from '../cli/file-command.js'
import {datastoreFlags, fileFlags, namespaceFlag} from '../cli/flags.js'

export default class Replace extends FileWriteCommand {
  static summary = 'Replace a resource by file, directory or stdin.'
  static description = `Replaces the whole spec of each existing resource in the input; a resource that does not exist
is an error. With metadata.resourceVersion set, a stale version fails with "update conflict".`

  static examples = ['<%= config.bin %> replace --filename=./policy.yaml']

  static flags = {...fileFlags, namespace: namespaceFlag, ...datastoreFlags}

  async run(): Promise<CommandResults> {
    const {flags} = await this.parse(Replace)
    return this.runFileAction('replace', flags)
  }
}
