/**
 * The part of start-up that needs oclif: load the config (from the committed manifest), name the
 * binary, resolve the command (space-separated topics: `ipam show`), show help, run it. oclif's
 * own run() re-creates the Config, which would lose the binary name, so dispatch happens here.
 * Errors propagate to main(), which owns exit codes.
 */
import {Config, Help} from '@oclif/core'

import {CliError} from './errors.js'
import {io} from './io.js'

const HELP_FLAGS = new Set(['--help', '-h'])

/** The longest run of leading words that names a command or topic, e.g. ['ipam', 'show']. */
function splitCommandId(config: Config, args: readonly string[]): {id: string; rest: string[]; isCommand: boolean} {
  let best = {id: '', rest: [...args], isCommand: false}
  for (let i = 0; i < args.length && !args[i].startsWith('-'); i++) {
    const id = args.slice(0, i + 1).join(':')
    if (config.findCommand(id)) best = {id, rest: args.slice(i + 1), isCommand: true}
    else if (config.findTopic(id)) best = {id, rest: args.slice(i + 1), isCommand: false}
    else break
  }
  return best
}

/** calicoctl's NameAndDescription: the plugin name changes the wording of every help text. */
function describeTool(bin: string): string {
  const subject = bin === 'calicoctl' ? 'The calicoctl command line tool' : 'The calico kubectl plugin'
  return `${subject} is used to manage Calico network and security policy, to view and manage endpoint configuration, and to manage a Calico node instance.`
}

export async function runOclif(args: string[], binUrl: string, bin: string, development: boolean): Promise<void> {
  if (development) process.env.NODE_ENV = 'development'
  const config = await Config.load(binUrl)
  config.bin = bin
  config.pjson.description = describeTool(bin)
  const {id, rest, isCommand} = splitCommandId(config, args)
  const wantsHelp = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).some((a) => HELP_FLAGS.has(a))
  if (args.length === 0 || (id === '' && wantsHelp)) {
    await new Help(config).showHelp([])
    return
  }
  if (id === '') {
    io.stderr.write(`unknown command: "${args[0]}"\n`)
    await new Help(config).showHelp([])
    throw new CliError('')
  }
  if (!isCommand || wantsHelp) {
    // A group such as `ipam` without (or with an unknown) subcommand prints its usage and exits 0,
    // as calicoctl's docopt fallthrough does.
    await new Help(config).showHelp(id.split(':'))
    return
  }
  await config.runCommand(id, rest)
}
