/**
 * Structured JSON logs (pino) on stderr, at calicoctl/Felix level names: panic and fatal map to
 * pino's fatal, warning to warn, none to silent. The agent logs nothing else anywhere.
 */
import {pino, type Logger} from 'pino'

export type {Logger} from 'pino'

const LEVELS: Readonly<Record<string, string>> = {
  panic: 'fatal',
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
  none: 'silent',
  silent: 'silent',
}

/** pino's level for a Calico level name (case-insensitive); undefined for an unknown one. */
export function pinoLevel(level: string): string | undefined {
  return LEVELS[level.toLowerCase()]
}

/** Where log lines go: the CLI passes its stderr sink (src/cli/io.ts); default fd 2, synchronous. */
export interface LogSink {
  write(line: string): void
}

/** A logger writing one JSON line per record to `sink`, synchronously, so nothing is lost on exit. */
export function createLogger(level: string, sink?: LogSink): Logger {
  const options = {level: pinoLevel(level) ?? 'info', base: {pid: process.pid, name: 'calico-node'}}
  return sink ? pino(options, sink) : pino(options, pino.destination({dest: 2, sync: true}))
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({level: 'silent'})
}
