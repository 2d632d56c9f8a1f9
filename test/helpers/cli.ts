/**
 * Runs the built CLI in-process, the way a user's shell would, and captures what it prints.
 * Tests drive the compiled dist/ (the same code `bin/run.js` runs), so `npm run build` must have
 * run first; `npm test` does that in pretest.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {pathToFileURL} from 'node:url'

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number
}

type Main = (argv: readonly string[], binUrl: string, options?: {invokedAs?: string}) => Promise<number>

const root = join(import.meta.dirname, '..', '..')
const binUrl = pathToFileURL(join(root, 'bin', 'run.js')).href
let mainPromise: Promise<Main> | undefined

type RedirectOutput = (
  stdout: {write(text: string): void; isTTY: boolean},
  stderr: {write(text: string): void; isTTY: boolean},
) => () => void

function loadIo(): Promise<{redirectOutput: RedirectOutput}> {
  return import(pathToFileURL(join(root, 'dist', 'cli', 'io.js')).href) as Promise<{redirectOutput: RedirectOutput}>
}

function loadMain(): Promise<Main> {
  mainPromise ??= import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href).then((m: {main: Main}) => m.main)
  return mainPromise
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  invokedAs?: string
  /** Make both sinks claim to be terminals (for colour and progress behaviour). */
  tty?: boolean
}

/** Commands run one at a time: they share process.stdout/stderr and process.env. */
let queue: Promise<unknown> = Promise.resolve()

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const run = queue.then(() => runNow(args, options))
  queue = run.catch(() => undefined)
  return run
}

async function runNow(args: string[], options: RunOptions): Promise<CliResult> {
  const main = await loadMain()
  const saved: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(options.env ?? {})) {
    saved[key] = process.env[key]
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  let stdout = ''
  let stderr = ''
  const {redirectOutput} = await loadIo()
  const restore = redirectOutput(
    {write: (text) => void (stdout += text), isTTY: options.tty ?? false},
    {write: (text) => void (stderr += text), isTTY: options.tty ?? false},
  )
  const previousExitCode = process.exitCode
  try {
    const exitCode = await main(args, binUrl, {invokedAs: options.invokedAs ?? '/usr/local/bin/calicoctl'})
    return {stdout, stderr, exitCode}
  } finally {
    restore()
    process.exitCode = previousExitCode
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

/** Runs bin/run.js as a real process (for stdin input and the installed entry point). */
export function runBin(args: string[], options: {env?: Record<string, string | undefined>; input?: string; bin?: string} = {}): CliResult {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({...process.env, ...options.env})) if (value !== undefined) env[key] = value
  const result = spawnSync(process.execPath, [options.bin ?? join(root, 'bin', 'run.js'), ...args], {
    input: options.input ?? '',
    env,
    encoding: 'utf8',
    timeout: 30_000,
  })
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1}
}

/** A fresh local datastore directory, and the env that points the CLI at it. */
export function tempStore(): {dir: string; env: Record<string, string | undefined>; cleanup(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'calicoctl-test-'))
  return {
    dir,
    env: {CALICO_DATASTORE_DIR: join(dir, 'store'), DATASTORE_TYPE: undefined, CALICO_DATASTORE_TYPE: undefined, ETCD_ENDPOINTS: undefined},
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}
