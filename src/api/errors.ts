/**
 * The two error kinds this module raises, with Calico's exact texts:
 *
 *  - DecodeError: a document could not be decoded (calicoctl's "file invalid" case).
 *  - ValidationError: libcalico-go's errors.ErrorValidation, rendered as ErrorValidation.Error().
 */

/**
 * A document failed strict decoding. `goError` is the error text Go's decoder produced
 * (e.g. `error unmarshaling JSON: while decoding JSON: json: unknown field "foo"`, or
 * `unknown resource type (Foo) and/or version (projectcalico.org/v3)`); `message` is that text
 * after calicoctl's massageError, e.g. `field in document is not recognized or is in the wrong
 * location: foo` or `cannot unmarshal string into Go struct field IPPoolSpec.spec.blockSize of
 * type int`.
 *
 * calicoctl itself prints `massageError("failed to execute command: " + goError)`: the
 * unknown-field rewrite replaces the whole line, while the JSON prefix is only trimmed when it
 * starts the line, so a type error is printed with its prefixes intact.
 */
export class DecodeError extends Error {
  readonly goError: string

  constructor(goError: string) {
    super(massageError(goError))
    this.name = 'DecodeError'
    this.goError = goError
  }
}

const JSON_PREFIX = 'error unmarshaling JSON: while decoding JSON: json: '

/** calicoctl's massageError (calicoctl.go): trims the JSON prefix, rewrites unknown fields. */
export function massageError(text: string): string {
  let msg = text.startsWith(JSON_PREFIX) ? text.slice(JSON_PREFIX.length) : text
  const unknown = /unknown field "([^"]+)"/.exec(msg)
  if (unknown) msg = `field in document is not recognized or is in the wrong location: ${unknown[1]}`
  return msg
}

/**
 * One errors.ErroredField. `value` is the Go %v text of the offending value; it is undefined when
 * Go's Value was nil, in which case the rendering has no ` = '…'` part. An empty reason is
 * omitted from the rendering too.
 */
export interface FieldError {
  field: string
  value?: string
  reason: string
}

/** ErroredField.String(). */
export function renderFieldError(f: FieldError): string {
  let text = f.value === undefined ? f.field : `${f.field} = '${f.value}'`
  if (f.reason !== '') text = `${text} (${f.reason})`
  return text
}

/** ErrorValidation.Error(): one field inline, several as a list (each line ends in "\n"). */
export function renderValidation(fields: readonly FieldError[]): string {
  if (fields.length === 0) return 'unknown validation error'
  if (fields.length === 1) return `error with field ${renderFieldError(fields[0])}`
  return `error with the following fields:\n${fields.map((f) => `-  ${renderFieldError(f)}\n`).join('')}`
}

/** libcalico-go's errors.ErrorValidation. */
export class ValidationError extends Error {
  readonly fields: FieldError[]

  constructor(fields: FieldError[]) {
    super(renderValidation(fields))
    this.name = 'ValidationError'
    this.fields = fields
  }
}
