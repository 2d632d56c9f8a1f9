/**
 * The shared body of the file-driven write commands (create, apply, replace): the client and the
 * version check, then runFileAction (file-action.ts), whose report lines go to stdout.
 */
import {CalicoCommand, type ClientFlags} from './base-command.js'
import type {CommandResults} from './config-command.js'
import {CliError} from './errors.js'
import {runFileAction, type FileAction} from './file-action.js'

export interface FileCommandFlags extends ClientFlags {
  filename: string
  recursive?: boolean
  'skip-empty'?: boolean
  'skip-exists'?: boolean
  namespace?: string
}

export abstract class FileWriteCommand extends CalicoCommand {
  protected async runFileAction(action: FileAction, flags: FileCommandFlags): Promise<CommandResults> {
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const {results, error} = await runFileAction(
      client,
      action,
      {
        filename: flags.filename,
        recursive: flags.recursive,
        skipEmpty: flags['skip-empty'],
        skipExists: flags['skip-exists'],
        namespace: flags.namespace,
      },
      (line) => this.out(line),
    )
    if (error !== undefined) throw new CliError(error)
    return results
  }
}
