/**
 * IPAM's typed failures. Each has a one-line message fit to print as is; commands print them
 * and exit 1. Datastore conflict errors never escape: they are retried (bounded) and, when the
 * retries run out, become MaxRetriesError.
 */

/** Input the request or the store makes unusable: bad or overlapping pools, no pool for a node, … */
export class IPAMInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IPAMInputError'
  }
}

/** The address is not inside any enabled pool. */
export class NotInPoolError extends IPAMInputError {}

/** The address is covered by an IPReservation. */
export class ReservedAddressError extends IPAMInputError {}

/** The address is already allocated. */
export class AlreadyAssignedError extends IPAMInputError {}

/** No handle with this ID exists. */
export class UnknownHandleError extends IPAMInputError {}

/** Fewer addresses were available than requested; nothing was kept. */
export class InsufficientAddressesError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InsufficientAddressesError'
  }
}

/** libcalico-go's datastoreRetries ran out. */
export class MaxRetriesError extends Error {
  constructor() {
    super('Max retries hit - excessive concurrent IPAM requests')
    this.name = 'MaxRetriesError'
  }
}

/** SetIPAMConfig's cross-field rules. */
export class IPAMConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IPAMConfigError'
  }
}

/** Internal control flow of the claim protocol (Calico's errBlockClaimConflict / errStaleAffinity). */
export class BlockClaimConflictError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BlockClaimConflictError'
  }
}

/** Internal: no free or claimable block is left in the pools (Calico's noFreeBlocksError). */
export class NoFreeBlocksError extends Error {
  constructor() {
    super('No Free Blocks')
    this.name = 'NoFreeBlocksError'
  }
}

/** Internal: the host owns as many blocks as it may (Calico's ErrBlockLimit). */
export class BlockLimitError extends Error {
  constructor() {
    super('cannot allocate new block due to per host block limit')
    this.name = 'BlockLimitError'
  }
}

/** releaseBlockAffinity with requireEmpty found allocations in the block. */
export class BlockNotEmptyError extends Error {
  constructor(cidr: string) {
    super(`block '${cidr}' is not empty`)
    this.name = 'BlockNotEmptyError'
  }
}
