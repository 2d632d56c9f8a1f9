/**
 * `get -o/--output` parsing, as calicoctl's commands/get.go does it: the bare names are matched
 * exactly (case-sensitive); anything else is split once on "=" into key and value, and the value
 * of custom-columns is split on "," with no trimming (so "A,,B" asks for a column named "").
 */

export type OutputFormat =
  | {kind: 'ps'}
  | {kind: 'wide'}
  | {kind: 'yaml'}
  | {kind: 'json'}
  | {kind: 'custom-columns'; columns: string[]}
  | {kind: 'go-template'; template: string}
  /** The caller reads the file (calicoctl reads it when printing, after the query). */
  | {kind: 'go-template-file'; path: string}

/** A bad `-o` value; the message is calicoctl's, printed as-is. */
export class OutputFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OutputFormatError'
  }
}

export function parseOutputFormat(raw: string): OutputFormat {
  switch (raw) {
    case 'yaml':
    case 'yml':
      return {kind: 'yaml'}
    case 'json':
      return {kind: 'json'}
    case 'ps':
      return {kind: 'ps'}
    case 'wide':
      return {kind: 'wide'}
  }
  const eq = raw.indexOf('=')
  const key = eq < 0 ? raw : raw.slice(0, eq)
  const value = eq < 0 ? '' : raw.slice(eq + 1)
  switch (key) {
    case 'go-template':
      if (value === '') throw new OutputFormatError('need to specify a template')
      return {kind: 'go-template', template: value}
    case 'go-template-file':
      if (value === '') throw new OutputFormatError('need to specify a template file')
      return {kind: 'go-template-file', path: value}
    case 'custom-columns':
      if (value === '') throw new OutputFormatError('need to specify at least one column')
      return {kind: 'custom-columns', columns: value.split(',')}
  }
  throw new OutputFormatError(`unrecognized output format '${raw}'`)
}
