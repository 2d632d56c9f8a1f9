/**
 * Errors of the typed resource client, worded exactly as libcalico-go's lib/errors renders them,
 * because calicoctl prints them verbatim and scripts match on them.
 */

export class ResourceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** `resource does not exist: Kind(ns/name) with error: <nil>` (Go prints a nil cause as <nil>). */
export class ResourceDoesNotExistError extends ResourceError {
  constructor(readonly identifier: string, cause = '<nil>') {
    super(`resource does not exist: ${identifier} with error: ${cause}`)
  }
}

export class ResourceAlreadyExistsError extends ResourceError {
  constructor(readonly identifier: string) {
    super(`resource already exists: ${identifier}`)
  }
}

export class ResourceUpdateConflictError extends ResourceError {
  constructor(readonly identifier: string, readonly detail?: string) {
    super(`update conflict: ${identifier}`)
  }
}

export class OperationNotSupportedError extends ResourceError {
  constructor(readonly operation: string, readonly identifier: string, readonly reason?: string) {
    super(`operation ${operation} is not supported on ${identifier}${reason ? `: ${reason}` : ''}`)
  }
}

/** A resource failed validation or a cross-resource check; the message is the reason text. */
export class ResourceValidationError extends ResourceError {}

/** A stored value that is not a resource (libcalico-go's ErrorParsingDatastoreEntry). */
export class DatastoreEntryError extends ResourceError {}
