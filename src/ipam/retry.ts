/**
 * Bounded retries of compare-and-swap loops (libcalico-go's datastoreRetries = 100). A conflict
 * means another writer won; the loser re-reads and tries again. After the first couple of
 * conflicts a short random pause spreads contending processes apart, which keeps eight
 * allocators on one block from live-locking each other.
 */
import {AlreadyExistsError, ConflictError, NotFoundError} from '../datastore/datastore.js'

export const DATASTORE_RETRIES = 100

/** A write lost a race: the value changed, appeared or vanished since it was read. */
export function isRace(error: unknown): boolean {
  return error instanceof ConflictError || error instanceof AlreadyExistsError || error instanceof NotFoundError
}

export function isConflict(error: unknown): boolean {
  return error instanceof ConflictError
}

/** Waits before retry `attempt` (0-based): nothing for the first two, then up to 2^attempt ms, capped at 25. */
export async function backoff(attempt: number): Promise<void> {
  if (attempt < 2) return
  const ms = Math.random() * Math.min(2 ** attempt, 25)
  await new Promise((resolve) => setTimeout(resolve, ms))
}
