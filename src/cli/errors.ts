/**
 * The CLI's failure doctrine (calicoctl's): every failure exits 1 with its message on stderr
 * (a few calicoctl messages go to stdout; those commands print them and throw ExitError).
 * Nothing else reaches the user: unexpected errors print one line, with the stack trace only at
 * `--log-level debug`.
 */

export const EXIT_SUCCESS = 0
export const EXIT_FAILURE = 1

/** A failure whose message is printed to stderr as-is, then exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_FAILURE,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** Ends the command with this exit code; everything the user must see was already printed. */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`)
    this.name = 'ExitError'
  }
}

/** calicoctl's message for arguments a subcommand does not accept. */
export function invalidOptionMessage(bin: string, args: readonly string[]): string {
  return `invalid option: '${[bin, ...args].join(' ')}'. Use flag '--help' to read about a specific subcommand`
}

/** calicoctl's massageError: strip Go decoder noise and reword unknown fields. */
export function massageError(message: string): string {
  return message
    .replace(/^error unmarshaling JSON: while decoding JSON: json: /, '')
    .replace(/unknown field "([^"]*)"/g, 'field in document is not recognized or is in the wrong location: $1')
}
