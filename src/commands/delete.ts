import {Args, Flags} from '@oclif/core'

import {CalicoCommand} from '../cli/base-command.js'
import {resourcesFromArgs, runConfigCommand, type CommandResults} from '../cli/config-command.js'
import {CliError, invalidOptionMessage} from '../cli/errors.js'
import {datastoreFlags, filenameFlag, namespaceFlag, recursiveFlag, skipEmptyFlag} from '../cli/flags.js'
import {readResourceInput} from '../cli/input.js'
import {deleteReport} from '../cli/report.js'

export default class Delete extends CalicoCommand {
  static summary = 'Delete a resource identified by file, directory, stdin or resource type and name.'
  static description = `Deletes the named resources of one KIND, or every resource in the -f input. Deleting a resource
that does not exist is an error unless --skip-not-exists is given (skipped resources count as deleted).
A resourceVersion in the input is used as a precondition.`

  static examples = [
    '<%= config.bin %> delete --filename=./policy.yaml',
    '<%= config.bin %> delete globalnetworkpolicy allow-dns',
    '<%= config.bin %> delete networkpolicy frontend --namespace=prod --skip-not-exists',
  ]

  static args = {
    kind: Args.string({description: 'Resource type (case-insensitive; aliases such as gnp, ippool, wep work).'}),
  }

  static strict = false

  static flags = {
    filename: filenameFlag,
    recursive: recursiveFlag,
    'skip-empty': skipEmptyFlag,
    'skip-not-exists': Flags.boolean({char: 's', summary: 'Skip over and treat as successful any attempts to delete a resource that does not exist.'}),
    namespace: namespaceFlag,
    ...datastoreFlags,
  }

  async run(): Promise<CommandResults> {
    const {flags, argv} = await this.parse(Delete)
    const positional = argv as string[]
    if (flags.filename ? positional.length > 0 : positional.length < 2) {
      throw new CliError(invalidOptionMessage(this.config.bin, this.argv))
    }
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const docs = flags.filename
      ? readResourceInput({filename: flags.filename, recursive: flags.recursive, skipEmpty: flags['skip-empty']})
      : resourcesFromArgs(positional[0], positional.slice(1))
    const results = await runConfigCommand(client, 'delete', docs, {
      namespace: flags.namespace,
      skipNotExists: flags['skip-not-exists'],
      fromArgs: !flags.filename,
    })
    const report = deleteReport(results)
    for (const line of report.stdout) this.out(line)
    if (report.error !== undefined) throw new CliError(report.error)
    return results
  }
}
