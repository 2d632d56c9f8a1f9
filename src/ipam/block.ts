/**
 * Allocation-block logic (libcalico-go lib/ipam/ipam_block.go), pure: every function takes a block
 * and returns a new one, never changing its input. The I/O layer writes the result with a
 * compare-and-swap and simply re-reads on conflict, so a failed write leaves nothing half-done.
 */
import type {AllocationBlock, Attribute} from './model.js'
import {addressBits, addrString, nthAddr, type Addr, type Net} from './net.js'
import type {Reservations} from './reservations.js'

/** Handle of the addresses Windows nodes pre-allocate in each block; they do not make it non-empty. */
export const WINDOWS_RESERVED_HANDLE = 'windows-reserved-ipam-handle'

export function blockCapacity(cidr: Net): number {
  return 2 ** (addressBits(cidr.version) - cidr.prefix)
}

/** Unix time in nanoseconds: the seed of a new block's sequence number, as Calico seeds it. */
export function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))
}

/**
 * A new block with every ordinal free, in order. Its sequence number starts at the current time,
 * so a deleted and re-created block never repeats the sequence numbers of its previous life.
 */
export function newBlock(cidr: Net, affinity: string | null, sequenceNumber = nowNanos()): AllocationBlock {
  const size = blockCapacity(cidr)
  return {
    cidr,
    affinity,
    allocations: new Array<number | null>(size).fill(null),
    unallocated: Array.from({length: size}, (_, i) => i),
    attributes: [],
    sequenceNumber,
    sequenceNumberForAllocation: {},
    deleted: false,
  }
}

/** Host named by an affinity "host:<node>", else undefined. */
export function affinityHost(affinity: string | null): string | undefined {
  return affinity !== null && affinity.startsWith('host:') ? affinity.slice(5) : undefined
}

export function hostAffinity(host: string): string {
  return `host:${host}`
}

/** Calico's sanitizeHandle: a handle is cut at its first carriage return (host-local migration bug). */
export function sanitizeHandle(handle: string): string {
  const cr = handle.indexOf('\r')
  return cr < 0 ? handle : handle.slice(0, cr)
}

export function ordinalAddr(block: AllocationBlock, ordinal: number): Addr {
  return nthAddr(block.cidr, ordinal)
}

/** Free addresses that may be handed out: unallocated and not reserved. */
export function numFreeAddresses(block: AllocationBlock, reservations: Reservations): number {
  if (reservations.empty) return block.unallocated.length
  if (reservations.matchesWhole(block.cidr)) return 0
  if (!reservations.matchesSome(block.cidr)) return block.unallocated.length
  let free = 0
  for (const ordinal of block.unallocated) if (!reservations.matchesAddr(ordinalAddr(block, ordinal))) free++
  return free
}

/** True when nothing but Windows host reservations is allocated. */
export function isEmpty(block: AllocationBlock): boolean {
  for (const index of block.allocations) {
    if (index === null) continue
    const handle = block.attributes[index]?.handleId
    if (handle === null || handle === undefined || handle.toLowerCase() !== WINDOWS_RESERVED_HANDLE) return false
  }
  return true
}

export function attributeOf(block: AllocationBlock, ordinal: number): Attribute | undefined {
  const index = block.allocations[ordinal]
  return index === null || index === undefined ? undefined : block.attributes[index]
}

function sameStringMap(a: Readonly<Record<string, string>> | null, b: Readonly<Record<string, string>> | null): boolean {
  const ka = a ? Object.keys(a) : []
  const kb = b ? Object.keys(b) : []
  if (ka.length !== kb.length) return false
  return ka.every((k) => b !== null && a !== null && b[k] === a[k])
}

/** Find-or-add: allocations with identical handle and attributes share one attribute record. */
function findOrAddAttribute(attributes: Attribute[], handleId: string | null, secondary: Readonly<Record<string, string>>): number {
  const wanted = Object.keys(secondary).length === 0 ? null : secondary
  const found = attributes.findIndex((a) => a.handleId === handleId && !a.extra && sameStringMap(a.secondary, wanted))
  if (found >= 0) return found
  attributes.push({handleId, secondary: wanted === null ? null : {...wanted}})
  return attributes.length - 1
}

export interface AssignResult {
  block: AllocationBlock
  /** Ordinals handed out, in the order taken. */
  ordinals: number[]
}

/**
 * Takes up to `num` free ordinals from the front of the free list, skipping reserved addresses
 * (which keep their place on the list), and records them under one shared attribute. Each gets the
 * block's current sequence number. Fewer than `num` (possibly none) when the block runs short.
 */
export function autoAssign(
  block: AllocationBlock,
  num: number,
  handleId: string | null,
  attrs: Readonly<Record<string, string>>,
  reservations: Reservations,
): AssignResult {
  const checkReserved = !reservations.empty && reservations.matchesSome(block.cidr)
  const taken: number[] = []
  const keep: number[] = []
  let i = 0
  for (; i < block.unallocated.length && taken.length < num; i++) {
    const ordinal = block.unallocated[i]
    if (checkReserved && reservations.matchesAddr(ordinalAddr(block, ordinal))) keep.push(ordinal)
    else taken.push(ordinal)
  }
  if (taken.length === 0) return {block, ordinals: []}
  const attributes = [...block.attributes]
  const index = findOrAddAttribute(attributes, handleId, attrs)
  const allocations = [...block.allocations]
  const seqs = {...block.sequenceNumberForAllocation}
  for (const ordinal of taken) {
    allocations[ordinal] = index
    seqs[String(ordinal)] = block.sequenceNumber
  }
  return {
    block: {...block, allocations, attributes, unallocated: [...keep, ...block.unallocated.slice(i)], sequenceNumberForAllocation: seqs},
    ordinals: taken,
  }
}

export class AddressInUseError extends Error {
  constructor(readonly address: string) {
    super(`resource already exists: ${address}`)
    this.name = 'AddressInUseError'
  }
}

/** Allocates one given ordinal (Calico's block.assign); AddressInUseError if it is taken. */
export function assignOrdinal(
  block: AllocationBlock,
  ordinal: number,
  handleId: string | null,
  attrs: Readonly<Record<string, string>>,
  addressText: string,
): AllocationBlock {
  if (block.allocations[ordinal] !== null) throw new AddressInUseError(addressText)
  const attributes = [...block.attributes]
  const index = findOrAddAttribute(attributes, handleId, attrs)
  const allocations = [...block.allocations]
  allocations[ordinal] = index
  return {
    ...block,
    allocations,
    attributes,
    unallocated: block.unallocated.filter((o) => o !== ordinal),
    sequenceNumberForAllocation: {...block.sequenceNumberForAllocation, [String(ordinal)]: block.sequenceNumber},
  }
}

/** What a release asks for: an ordinal, optionally guarded by the handle and sequence number it must still have. */
export interface ReleaseRequest {
  ordinal: number
  handle?: string
  sequenceNumber?: bigint
}

/**
 * A release guard failed: the address was released and re-allocated (sequence number) or belongs
 * to another handle since the caller looked. The whole release of this block is refused.
 */
export class ReleaseConflictError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReleaseConflictError'
  }
}

export interface ReleaseResult {
  block: AllocationBlock
  /** Ordinals asked for that were not allocated. */
  unallocated: number[]
  /** Ordinals released. */
  released: number[]
  /** Released addresses per (sanitised) handle. */
  countByHandle: Map<string, number>
}

/**
 * Classic (pre-cooldown) release: frees the ordinals, appends them to the free list, clears their
 * sequence numbers and drops attribute records no longer referenced, re-indexing the rest.
 */
export function release(block: AllocationBlock, requests: readonly ReleaseRequest[]): ReleaseResult {
  const unique = new Map<number, ReleaseRequest>()
  for (const r of requests) unique.set(r.ordinal, r)
  const unallocated: number[] = []
  const released: number[] = []
  const countByHandle = new Map<string, number>()
  for (const r of unique.values()) {
    const stored = block.sequenceNumberForAllocation[String(r.ordinal)] ?? 0n
    if (r.sequenceNumber !== undefined && r.sequenceNumber !== stored) {
      throw new ReleaseConflictError(
        `update conflict: ${ordinalText(block, r.ordinal)} (bad sequence number: requested ${r.sequenceNumber}, expected ${stored})`,
      )
    }
    const index = block.allocations[r.ordinal]
    if (index === null || index === undefined) {
      unallocated.push(r.ordinal)
      continue
    }
    const raw = block.attributes[index]?.handleId
    const handle = raw === null || raw === undefined ? '' : sanitizeHandle(raw)
    if (r.handle !== undefined && r.handle !== '' && r.handle !== handle) {
      throw new ReleaseConflictError(`update conflict: ${ordinalText(block, r.ordinal)} (bad handle: requested ${r.handle}, expected ${handle})`)
    }
    released.push(r.ordinal)
    if (handle !== '') countByHandle.set(handle, (countByHandle.get(handle) ?? 0) + 1)
  }
  if (released.length === 0) return {block, unallocated, released, countByHandle}
  const allocations = [...block.allocations]
  const seqs = {...block.sequenceNumberForAllocation}
  for (const ordinal of released) {
    allocations[ordinal] = null
    delete seqs[String(ordinal)]
  }
  const compacted = compactAttributes(allocations, block.attributes)
  return {
    block: {
      ...block,
      allocations: compacted.allocations,
      attributes: compacted.attributes,
      unallocated: [...block.unallocated, ...released],
      sequenceNumberForAllocation: seqs,
    },
    unallocated,
    released,
    countByHandle,
  }
}

/** Releases every ordinal whose attribute carries the handle (optionally only those with the sequence number). */
export function releaseByHandle(block: AllocationBlock, handleId: string, sequenceNumber?: bigint): ReleaseResult {
  const requests: ReleaseRequest[] = []
  block.allocations.forEach((index, ordinal) => {
    if (index === null) return
    const handle = block.attributes[index]?.handleId
    if (handle === null || handle === undefined || sanitizeHandle(handle) !== handleId) return
    const seq = block.sequenceNumberForAllocation[String(ordinal)] ?? 0n
    if (sequenceNumber !== undefined && seq !== sequenceNumber) return
    requests.push({ordinal})
  })
  return release(block, requests)
}

/** Drops unreferenced attributes and renumbers the allocations that point at the rest. */
function compactAttributes(
  allocations: Array<number | null>,
  attributes: readonly Attribute[],
): {allocations: Array<number | null>; attributes: Attribute[]} {
  const used = new Array<boolean>(attributes.length).fill(false)
  for (const index of allocations) if (index !== null && index < used.length) used[index] = true
  if (used.every(Boolean)) return {allocations, attributes: [...attributes]}
  const renumber = new Array<number>(attributes.length)
  const kept: Attribute[] = []
  attributes.forEach((a, i) => {
    if (!used[i]) return
    renumber[i] = kept.length
    kept.push(a)
  })
  return {allocations: allocations.map((index) => (index === null || index >= renumber.length ? index : renumber[index])), attributes: kept}
}

/** The block as the next write stores it: sequence number incremented (Calico's updateBlock). */
export function forWrite(block: AllocationBlock): AllocationBlock {
  return {...block, sequenceNumber: block.sequenceNumber + 1n}
}

export function withAffinity(block: AllocationBlock, affinity: string | null): AllocationBlock {
  return {...block, affinity}
}

/** Allocated ordinals, ascending. */
export function allocatedOrdinals(block: AllocationBlock): number[] {
  const out: number[] = []
  block.allocations.forEach((index, ordinal) => {
    if (index !== null) out.push(ordinal)
  })
  return out
}

function ordinalText(block: AllocationBlock, ordinal: number): string {
  return addrString(ordinalAddr(block, ordinal))
}
