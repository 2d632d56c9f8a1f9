/**
 * A failure while printing. calicoctl writes each table as it goes, so a custom-columns heading
 * that only a later kind lacks fails after earlier tables were printed: `partial` holds that
 * output, which the caller prints to stdout before the message goes to stderr.
 */
export class OutputError extends Error {
  constructor(
    message: string,
    readonly partial = '',
  ) {
    super(message)
    this.name = 'OutputError'
  }
}
