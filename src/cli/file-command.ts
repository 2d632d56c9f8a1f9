/**
 * The shared body of the file-driven write commands (create, apply, replace): read `-f`, check
 * versions, initialise the datastore, run every resource and print calicoctl's report.
 */
import {CalicoCommand, type ClientFlags} from './base-command.js'
import {runConfigCommand, type CommandResults} from './config-command.js'
import {CliError} from './errors.js'
import {readResourceInput} from './input.js'
import {collectedErrorsReport, replaceReport, type Report} from './report.js'

export interface FileCommandFlags extends ClientFlags {
  filename: string
  recursive?: boolean
  'skip-empty'?: boolean
  'skip-exists'?: boolean
  namespace?: string
}

export abstract class FileWriteCommand extends CalicoCommand {
  protected async runFileAction(action: 'create' | 'apply' | 'replace', flags: FileCommandFlags): Promise<CommandResults> {
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const docs = readResourceInput({filename: flags.filename, recursive: flags.recursive, skipEmpty: flags['skip-empty']})
    if (docs.length > 0) {
      try {
        await client.ensureInitialized()
      } catch {
        // Best effort, as in calicoctl: a restricted user may still write what they may.
      }
    }
    const results = await runConfigCommand(client, action, docs, {
      namespace: flags.namespace,
      skipExists: flags['skip-exists'],
    })
    const report: Report =
      action === 'replace' ? replaceReport(results) : collectedErrorsReport(action, {...results})
    this.printReport(report)
    return results
  }

  protected printReport(report: Report): void {
    for (const line of report.stdout) this.out(line)
    if (report.error !== undefined) throw new CliError(report.error)
  }
}
