/**
 * The one exec shim (DESIGN.md seams): every subprocess the dataplane starts goes through a
 * `CmdRunner`, so tests swap in a fake and the netns tests wrap commands in `ip netns exec`.
 * Modelled on Felix's iptables/cmdshim. This is the only file allowed to import node:child_process.
 */
import {spawn} from 'node:child_process'
import type {Writable} from 'node:stream'

export interface CmdResult {
  readonly stdout: string
  readonly stderr: string
}

/** A command line: argv[0] is the program (looked up on PATH). */
export interface Cmd {
  readonly argv: readonly string[]
  /**
   * Written to the child's stdin, then stdin is closed. A stream is written piece by piece as it
   * yields, at the pace the child reads (one long-lived `iptables-restore` takes transaction after
   * transaction); if it throws, the child is killed and the call rejects with that error.
   */
  readonly stdin?: string | AsyncIterable<string>
  /** Milliseconds before the child is killed (SIGKILL); default 30 s. */
  readonly timeoutMs?: number
}

/** Runs one command; resolves with its output when it exits 0, rejects with an ExecError otherwise. */
export type CmdRunner = (cmd: Cmd) => Promise<CmdResult>

export type ExecFailure = 'not-found' | 'exit' | 'timeout' | 'signal'

/** A typed failure: what went wrong, the exit code and stderr (trimmed) for the one-line message. */
export class ExecError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly failure: ExecFailure,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    const what =
      failure === 'not-found'
        ? 'command not found'
        : failure === 'timeout'
          ? 'timed out'
          : failure === 'signal'
            ? 'killed by a signal'
            : `exited with status ${code}`
    const detail = stderr.trim().split('\n').slice(0, 3).join(' / ')
    super(`${argv.join(' ')}: ${what}${detail === '' ? '' : `: ${detail}`}`)
    this.name = 'ExecError'
  }
}

const DEFAULT_TIMEOUT_MS = 30_000

/** A command's whole stdin as one string (fakes, and wrappers that log what a command read). */
export async function readStdin(cmd: Cmd): Promise<string> {
  if (cmd.stdin === undefined || typeof cmd.stdin === 'string') return cmd.stdin ?? ''
  let text = ''
  for await (const piece of cmd.stdin) text += piece
  return text
}

/** Resolves once `stream` can take more, or will never (closed or failed: the child is gone). */
const drained = (stream: Writable): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done).off('close', done).off('error', done)
      resolve()
    }
    stream.on('drain', done).on('close', done).on('error', done)
  })

/** Writes a stream of stdin pieces with back-pressure; stops quietly when the child stops reading. */
async function feed(stdin: Writable, pieces: AsyncIterable<string>): Promise<void> {
  for await (const piece of pieces) {
    if (stdin.destroyed) return
    if (!stdin.write(piece)) await drained(stdin)
  }
  stdin.end()
}

/** The real runner: spawn without a shell, collect output, enforce the timeout. */
export const runCmd: CmdRunner = (cmd) =>
  new Promise((resolve, reject) => {
    const [program, ...args] = cmd.argv
    const child = spawn(program, args, {stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    // EPIPE when the child exits before reading stdin shows up as its exit status instead.
    child.stdin.on('error', () => undefined)
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(new ExecError(cmd.argv, error.code === 'ENOENT' ? 'not-found' : 'exit', null, error.message))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (code === 0) resolve({stdout, stderr})
      else reject(new ExecError(cmd.argv, timedOut ? 'timeout' : signal !== null ? 'signal' : 'exit', code, stderr))
    })
    const input = cmd.stdin ?? ''
    if (typeof input === 'string') {
      child.stdin.end(input)
      return
    }
    feed(child.stdin, input).catch((error: unknown) => {
      // The input failed mid-way: the child must not commit what it has read so far.
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    })
  })

/** A runner that runs every command inside network namespace `ns` (`ip netns exec <ns> …`). */
export function inNetns(ns: string, inner: CmdRunner = runCmd): CmdRunner {
  return (cmd) => inner({...cmd, argv: ['ip', 'netns', 'exec', ns, ...cmd.argv]})
}
