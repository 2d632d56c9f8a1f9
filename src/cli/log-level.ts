/** The `-l/--log-level` setting shared by every command (calicoctl's logrus levels). */

export const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'info', 'debug'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

let current: LogLevel = 'panic'

export function parseLogLevel(raw: string): LogLevel | undefined {
  const value = raw.toLowerCase() === 'warning' ? 'warn' : raw.toLowerCase()
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : undefined
}

export function unknownLogLevelMessage(raw: string): string {
  return `Unknown log level: ${raw}, expected one of:\n${LOG_LEVELS.join(', ')}.`
}

export function setLogLevel(level: LogLevel): void {
  current = level
}

export function logLevel(): LogLevel {
  return current
}

export function isDebug(): boolean {
  return current === 'debug'
}

