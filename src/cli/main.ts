/**
 * Process entry: turns calicoctl's argv conventions into oclif's, runs the command, and owns the
 * exit code. calicoctl takes its global options before the command (`calicoctl -l debug get
 * pools`); oclif wants them after the command id, so they are moved there.
 *
 * `version --client` is answered before oclif is loaded: it needs no parsing and is what scripts
 * call to probe the tool, and oclif's own load costs more than Node's start (see bench/startup).
 */
import {io} from './io.js'
import {basename} from 'node:path'

import {CliError, EXIT_FAILURE, ExitError, invalidOptionMessage} from './errors.js'
import {isDebug, parseLogLevel, setLogLevel, unknownLogLevelMessage} from './log-level.js'
import {clientVersionLines} from './version-info.js'

export interface MainOptions {
  development?: boolean
  /** The name the process was started as (argv[1]); decides calicoctl vs kubectl-calico. */
  invokedAs?: string
}

/** Options calicoctl accepts before the command; the value says whether they take an argument. */
const GLOBAL_OPTIONS: Record<string, boolean> = {
  '-l': true,
  '--log-level': true,
  '--context': true,
  '--allow-version-mismatch': false,
}

export function binName(invokedAs: string | undefined): string {
  return basename(invokedAs ?? '').startsWith('kubectl-') ? 'kubectl-calico' : 'calicoctl'
}

/** Moves leading global options after the command id; `get -a` becomes `get -A` as in calicoctl. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const globals: string[] = []
  let i = 0
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '-h' && argv[i] !== '--help') {
    const [name] = argv[i].split('=', 1)
    const takesValue = GLOBAL_OPTIONS[name]
    if (takesValue === undefined && !/^-l./.test(argv[i])) break
    globals.push(argv[i])
    if (takesValue && !argv[i].includes('=') && i + 1 < argv.length) globals.push(argv[++i])
    i++
  }
  const rest = argv.slice(i)
  if (rest.length === 0) return globals
  const command: string[] = []
  let j = 0
  while (j < rest.length && !rest[j].startsWith('-')) command.push(rest[j++])
  const tail = rest.slice(j).map((arg) => (command[0] === 'get' && arg === '-a' ? '-A' : arg))
  return [...command, ...globals, ...tail]
}

/** Applies `-l/--log-level` wherever it appears; returns false if the level is invalid. */
function applyLogLevel(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    let value: string | undefined
    if (argv[i] === '-l' || argv[i] === '--log-level') value = argv[i + 1]
    else if (argv[i].startsWith('--log-level=')) value = argv[i].slice('--log-level='.length)
    else if (/^-l.+/.test(argv[i])) value = argv[i].slice(2).replace(/^=/, '')
    if (value === undefined) continue
    const level = parseLogLevel(value)
    if (!level) {
      io.stderr.write(`${unknownLogLevelMessage(value)}\n`)
      return false
    }
    setLogLevel(level)
  }
  return true
}

function reportUnexpected(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  io.stderr.write(`${message.split('\n')[0]}\n`)
  if (isDebug() && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`)
}

/** Runs the CLI; resolves with the exit code (also stored in process.exitCode). */
export async function main(argv: readonly string[], binUrl: string, options: MainOptions = {}): Promise<number> {
  const bin = binName(options.invokedAs ?? process.argv[1])
  const args = normaliseArgv(argv)
  if (!applyLogLevel(args)) return finish(EXIT_FAILURE)

  if (args.length === 2 && args[0] === 'version' && args[1] === '--client') {
    io.stdout.write(`${clientVersionLines().join('\n')}\n`)
    return finish(0)
  }

  try {
    const {runOclif} = await import('./oclif-runner.js')
    await runOclif(args, binUrl, bin, options.development ?? false)
    return finish(0)
  } catch (error) {
    if (error instanceof ExitError) return finish(error.exitCode)
    if (error instanceof CliError) {
      if (error.message) await writeError(error.message)
      return finish(error.exitCode)
    }
    if (isParseError(error)) {
      io.stderr.write(`${invalidOptionMessage(bin, argv)}\n`)
      return finish(EXIT_FAILURE)
    }
    reportUnexpected(error)
    return finish(EXIT_FAILURE)
  }
}

/** Errors are red on a terminal (never with NO_COLOR); plain text everywhere else. */
async function writeError(message: string): Promise<void> {
  if (!io.stderr.isTTY || process.env.NO_COLOR) {
    io.stderr.write(`${message}\n`)
    return
  }
  const {colours} = await import('./output/colour.js')
  io.stderr.write(`${colours(io.stderr).red(message)}\n`)
}

/** oclif's parser errors carry a `parse` record; any of them is calicoctl's "invalid option". */
function isParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'parse' in error
}

function finish(code: number): number {
  process.exitCode = code
  return code
}
