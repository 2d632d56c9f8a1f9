/**
 * IPAM's stored values, in memory and as the JSON Go Calico writes (libcalico-go/lib/backend/model):
 * AllocationBlock, BlockAffinity, IPAMHandle and IPAMConfig. Encoders write Go's field names in
 * Go's struct order; decoders accept what Go writes (missing fields are Go zero values) and keep
 * fields this code does not model, so a read-modify-write never drops what another writer stored.
 */
import {parseJSONBig, toBigInt} from './json.js'
import {netString, parseNet, type Net} from './net.js'

/** One allocation's metadata (model.AllocationAttribute): `handle_id` and `secondary`. */
export interface Attribute {
  readonly handleId: string | null
  readonly secondary: Readonly<Record<string, string>> | null
  /** Fields written by newer Calico (alternateOwnerAttrs, releasedAt), kept verbatim. */
  readonly extra?: Readonly<Record<string, unknown>>
}

/**
 * model.AllocationBlock. Treated as immutable: every operation in block.ts returns a new block, so
 * a copy read from the store is never half-changed by a write that then fails.
 */
export interface AllocationBlock {
  readonly cidr: Net
  /** "host:<node>" (or "virtual:<name>"); null for a block with no affinity. */
  readonly affinity: string | null
  /** One entry per ordinal: null when free, else an index into attributes. */
  readonly allocations: ReadonlyArray<number | null>
  /** Free ordinals in FIFO order: allocation takes from the front, release appends. */
  readonly unallocated: readonly number[]
  readonly attributes: readonly Attribute[]
  /** Incremented by every write of the block. */
  readonly sequenceNumber: bigint
  /** Ordinal (as a decimal string) → the block's sequenceNumber when it was allocated. */
  readonly sequenceNumberForAllocation: Readonly<Record<string, bigint>>
  readonly deleted: boolean
  /** Stored fields not modelled here (affinity_claim_time, hostAffinity, strictAffinity, …). */
  readonly extra?: Readonly<Record<string, unknown>>
}

export type AffinityState = 'pending' | 'confirmed' | 'pendingDeletion' | ''

/** model.BlockAffinity. An empty state is legacy data and counts as confirmed. */
export interface BlockAffinity {
  readonly state: AffinityState
  readonly deleted: boolean
}

/** model.IPAMHandle: block CIDR ("10.0.0.0/26") → number of the handle's addresses in it. */
export interface IPAMHandle {
  readonly block: Readonly<Record<string, number>>
  readonly deleted: boolean
}

/** model.IPAMConfig (the etcd form at /calico/ipam/v2/config). */
export interface IPAMConfig {
  readonly strictAffinity: boolean
  readonly autoAllocateBlocks: boolean
  /** 0 means "no limit configured" (autoAssign then uses 20). */
  readonly maxBlocksPerHost: number
  /** "Enabled" | "Disabled"; undefined when not stored. */
  readonly kubeVirtVMAddressPersistence?: string
}

/** What GetIPAMConfig returns when no config is stored. */
export const DEFAULT_IPAM_CONFIG: IPAMConfig = {
  strictAffinity: false,
  autoAllocateBlocks: true,
  maxBlocksPerHost: 0,
  kubeVirtVMAddressPersistence: 'Enabled',
}

/** A stored value that is not what its key promises. */
export class IPAMDataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IPAMDataError'
  }
}

type JSONRecord = Record<string, unknown>

function asRecord(value: unknown, what: string): JSONRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new IPAMDataError(`${what} is not a JSON object`)
  return value as JSONRecord
}

function parseRecord(text: string, what: string): JSONRecord {
  let value: unknown
  try {
    value = text === '' ? {} : parseJSONBig(text)
  } catch (error) {
    throw new IPAMDataError(`${what}: ${(error as Error).message}`)
  }
  return asRecord(value, what)
}

function stringMap(value: unknown): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value as JSONRecord)) out[k] = typeof v === 'string' ? v : String(v)
  return out
}

function withoutKeys(record: JSONRecord, known: readonly string[]): JSONRecord | undefined {
  let extra: JSONRecord | undefined
  for (const [k, v] of Object.entries(record)) {
    if (known.includes(k)) continue
    extra ??= {}
    extra[k] = v
  }
  return extra
}

const BLOCK_FIELDS = ['cidr', 'affinity', 'allocations', 'unallocated', 'attributes', 'sequenceNumber', 'sequenceNumberForAllocation', 'deleted']
const ATTRIBUTE_FIELDS = ['handle_id', 'secondary']

export function decodeBlock(text: string): AllocationBlock {
  const raw = parseRecord(text, 'IPAM block')
  const cidr = typeof raw.cidr === 'string' ? parseNet(raw.cidr) : undefined
  if (!cidr) throw new IPAMDataError(`IPAM block has an invalid cidr: ${JSON.stringify(raw.cidr)}`)
  const size = 2 ** ((cidr.version === 4 ? 32 : 128) - cidr.prefix)
  const allocations: Array<number | null> = Array.isArray(raw.allocations)
    ? raw.allocations.map((a) => (typeof a === 'number' ? a : null))
    : new Array<number | null>(size).fill(null)
  const unallocated = Array.isArray(raw.unallocated) ? raw.unallocated.filter((o): o is number => typeof o === 'number') : []
  const attributes: Attribute[] = Array.isArray(raw.attributes)
    ? raw.attributes.map((a) => {
        const r = typeof a === 'object' && a !== null ? (a as JSONRecord) : {}
        const extra = withoutKeys(r, ATTRIBUTE_FIELDS)
        return {
          handleId: typeof r.handle_id === 'string' ? r.handle_id : null,
          secondary: stringMap(r.secondary),
          ...(extra ? {extra} : {}),
        }
      })
    : []
  const seqs: Record<string, bigint> = {}
  if (typeof raw.sequenceNumberForAllocation === 'object' && raw.sequenceNumberForAllocation !== null) {
    for (const [k, v] of Object.entries(raw.sequenceNumberForAllocation as JSONRecord)) seqs[k] = toBigInt(v)
  }
  let affinity = typeof raw.affinity === 'string' ? raw.affinity : null
  // Deployments older than the affinity field stored the bare host name in hostAffinity.
  if (affinity === null && typeof raw.hostAffinity === 'string' && raw.hostAffinity !== '') affinity = `host:${raw.hostAffinity}`
  const extra = withoutKeys(raw, BLOCK_FIELDS)
  return {
    cidr,
    affinity,
    allocations,
    unallocated,
    attributes,
    sequenceNumber: toBigInt(raw.sequenceNumber),
    sequenceNumberForAllocation: seqs,
    deleted: raw.deleted === true,
    ...(extra ? {extra} : {}),
  }
}

/** Go's json.Marshal of a map sorts its keys. */
function encodeStringMap(map: Readonly<Record<string, string>> | null): string {
  if (map === null) return 'null'
  const keys = Object.keys(map).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`).join(',')}}`
}

function encodeExtra(extra: Readonly<Record<string, unknown>> | undefined, skip: readonly string[] = []): string {
  if (!extra) return ''
  return Object.entries(extra)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('')
}

function encodeAttribute(a: Attribute): string {
  return `{"handle_id":${a.handleId === null ? 'null' : JSON.stringify(a.handleId)},"secondary":${encodeStringMap(a.secondary)}${encodeExtra(a.extra)}}`
}

/**
 * The block as Go encodes it: cidr, affinity, affinity_claim_time (if stored), allocations,
 * unallocated, attributes, sequenceNumber, sequenceNumberForAllocation (keys sorted), deleted,
 * then any other stored fields. Hand-written because sequence numbers are bigints.
 */
export function encodeBlock(b: AllocationBlock): string {
  const claim = b.extra && 'affinity_claim_time' in b.extra ? `,"affinity_claim_time":${JSON.stringify(b.extra.affinity_claim_time)}` : ''
  const seqKeys = Object.keys(b.sequenceNumberForAllocation).sort()
  const seqs = seqKeys.map((k) => `${JSON.stringify(k)}:${b.sequenceNumberForAllocation[k].toString()}`).join(',')
  return (
    `{"cidr":${JSON.stringify(netString(b.cidr))},"affinity":${b.affinity === null ? 'null' : JSON.stringify(b.affinity)}${claim}` +
    `,"allocations":[${b.allocations.map((a) => (a === null ? 'null' : String(a))).join(',')}]` +
    `,"unallocated":[${b.unallocated.join(',')}]` +
    `,"attributes":[${b.attributes.map(encodeAttribute).join(',')}]` +
    `,"sequenceNumber":${b.sequenceNumber.toString()},"sequenceNumberForAllocation":{${seqs}},"deleted":${b.deleted}` +
    `${encodeExtra(b.extra, ['affinity_claim_time'])}}`
  )
}

export function decodeAffinity(text: string): BlockAffinity {
  const raw = parseRecord(text, 'block affinity')
  const state = raw.state
  return {
    state: state === 'pending' || state === 'confirmed' || state === 'pendingDeletion' ? state : '',
    deleted: raw.deleted === true || raw.deleted === 'true',
  }
}

export function encodeAffinity(a: BlockAffinity): string {
  return `{"state":${JSON.stringify(a.state)},"deleted":${a.deleted}}`
}

export function decodeHandle(text: string): IPAMHandle {
  const raw = parseRecord(text, 'IPAM handle')
  const block: Record<string, number> = {}
  if (typeof raw.block === 'object' && raw.block !== null) {
    for (const [k, v] of Object.entries(raw.block as JSONRecord)) if (typeof v === 'number') block[k] = v
  }
  return {block, deleted: raw.deleted === true}
}

export function encodeHandle(h: IPAMHandle): string {
  const keys = Object.keys(h.block).sort()
  return `{"block":{${keys.map((k) => `${JSON.stringify(k)}:${h.block[k]}`).join(',')}},"deleted":${h.deleted}}`
}

/** Go's omitempty: false, 0 and an unset persistence are left out of the stored JSON. */
export function decodeConfig(text: string): IPAMConfig {
  const raw = parseRecord(text, 'IPAM config')
  return {
    strictAffinity: raw.strict_affinity === true,
    autoAllocateBlocks: raw.auto_allocate_blocks === true,
    maxBlocksPerHost: typeof raw.maxBlocksPerHost === 'number' ? raw.maxBlocksPerHost : 0,
    ...(typeof raw.kubeVirtVMAddressPersistence === 'string' ? {kubeVirtVMAddressPersistence: raw.kubeVirtVMAddressPersistence} : {}),
  }
}

export function encodeConfig(c: IPAMConfig): string {
  const fields: string[] = []
  if (c.strictAffinity) fields.push('"strict_affinity":true')
  if (c.autoAllocateBlocks) fields.push('"auto_allocate_blocks":true')
  if (c.maxBlocksPerHost !== 0) fields.push(`"maxBlocksPerHost":${c.maxBlocksPerHost}`)
  if (c.kubeVirtVMAddressPersistence !== undefined) fields.push(`"kubeVirtVMAddressPersistence":${JSON.stringify(c.kubeVirtVMAddressPersistence)}`)
  return `{${fields.join(',')}}`
}
