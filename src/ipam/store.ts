/**
 * IPAM's reads and writes over the Datastore contract (libcalico-go's blockReaderWriter plus the
 * handle and config accessors). Every write is a create (fails if present) or a compare-and-swap
 * on the revision just read; the typed ConflictError / AlreadyExistsError / NotFoundError of the
 * datastore pass through untouched for the retry loops in client.ts to act on.
 */
import type {Datastore, KV, WriteOp, WriteResult} from '../datastore/datastore.js'
import {forWrite} from './block.js'
import {
  affinityKey,
  blockKey,
  blockPrefix,
  CONFIG_KEY,
  HANDLE_PREFIX,
  handleKey,
  HOST_PREFIX,
  hostAffinityPrefix,
  parseAffinityKey,
  parseHandleKey,
} from './keys.js'
import {
  decodeAffinity,
  decodeBlock,
  decodeConfig,
  decodeHandle,
  encodeAffinity,
  encodeBlock,
  encodeConfig,
  encodeHandle,
  type AffinityState,
  type AllocationBlock,
  type BlockAffinity,
  type IPAMConfig,
  type IPAMHandle,
} from './model.js'
import {netString, type IPVersion, type Net} from './net.js'

/** A decoded value and the revision to compare against when writing it back. */
export interface Versioned<T> {
  readonly value: T
  readonly revision: number
}

export interface AffinityEntry extends Versioned<BlockAffinity> {
  readonly host: string
  readonly net: Net
}

export interface HandleEntry extends Versioned<IPAMHandle> {
  readonly id: string
}

function versioned<T>(kv: KV, decode: (text: string) => T): Versioned<T> {
  return {value: decode(kv.value), revision: kv.modRevision}
}

/** Last-known blocks kept at most; beyond this the memory is simply cleared. */
const MAX_KNOWN_BLOCKS = 4096
/** A cached list of a host's affinities is re-listed after this long. */
const AFFINITY_LIST_MAX_AGE_MS = 2_000

export class IPAMStore {
  /** Last-known blocks (when remembering): a guess for the next CAS, never an authority. */
  private readonly known = new Map<string, Versioned<AllocationBlock>>()
  private readonly affinityLists = new Map<string, {entries: AffinityEntry[]; at: number}>()

  constructor(
    readonly datastore: Datastore,
    /** Remember blocks and affinity lists between requests (a long-lived allocator). */
    readonly remember = false,
  ) {}

  // Last-known values. Every read and write below keeps them current; a write that loses a race
  // forgets the block, so the next use reads it afresh.

  /** The block as this client last read or wrote it, if it remembers one. */
  lastKnownBlock(net: Net): Versioned<AllocationBlock> | undefined {
    return this.known.get(netString(net))
  }

  private note(block: Versioned<AllocationBlock>): void {
    if (!this.remember) return
    const key = netString(block.value.cidr)
    const previous = this.known.get(key)
    if (previous && previous.revision > block.revision) return
    if (!previous && this.known.size >= MAX_KNOWN_BLOCKS) this.known.clear()
    this.known.set(key, block)
  }

  forgetBlock(net: Net): void {
    this.known.delete(netString(net))
  }

  forgetAll(): void {
    this.known.clear()
    this.affinityLists.clear()
  }

  /**
   * One host's affinities of one family: the list this client took less than a moment ago when
   * remembering (any affinity write by this client drops it), else listed now. A stale list can
   * only miss a block claimed meanwhile by another process (found again before claiming a new
   * one) or name one released meanwhile (its block read or CAS then says so).
   */
  async hostAffinities(host: string, version: IPVersion, fresh = false): Promise<AffinityEntry[]> {
    const key = `${host}/${version}`
    const cached = this.affinityLists.get(key)
    if (this.remember && !fresh && cached && Date.now() - cached.at < AFFINITY_LIST_MAX_AGE_MS) return cached.entries
    const entries = await this.listAffinities(host, version)
    if (this.remember) this.affinityLists.set(key, {entries, at: Date.now()})
    return entries
  }

  private affinitiesChanged(host: string): void {
    if (this.affinityLists.size === 0) return
    for (const key of this.affinityLists.keys()) if (key.startsWith(`${host}/`)) this.affinityLists.delete(key)
  }

  // Blocks.

  async getBlock(net: Net): Promise<Versioned<AllocationBlock> | undefined> {
    const kv = await this.datastore.get(blockKey(net))
    if (!kv) {
      this.forgetBlock(net)
      return undefined
    }
    const block = versioned(kv, decodeBlock)
    this.note(block)
    return block
  }

  /**
   * The compare-and-swap that writes `next` over the block at `revision` (sequence number
   * incremented), as a batch op, for writing it together with its handle in one round trip.
   */
  blockUpdateOp(next: AllocationBlock, revision: number): {op: WriteOp; value: AllocationBlock} {
    const value = forWrite(next)
    return {op: {op: 'update', key: blockKey(next.cidr), value: encodeBlock(value), expectedRevision: revision}, value}
  }

  /** The outcome of a blockUpdateOp: the block as written, or the error (and the block forgotten). */
  blockUpdateResult(result: WriteResult, value: AllocationBlock): Versioned<AllocationBlock> | Error {
    if (!result.ok) {
      this.forgetBlock(value.cidr)
      return result.error
    }
    const block = {value, revision: result.kv.modRevision}
    this.note(block)
    return block
  }

  async listBlocks(version?: IPVersion): Promise<Array<Versioned<AllocationBlock>>> {
    const {items} = await this.datastore.list(blockPrefix(version))
    return items.filter((kv) => kv.key.includes('/block/')).map((kv) => versioned(kv, decodeBlock))
  }

  async createBlock(block: AllocationBlock): Promise<Versioned<AllocationBlock>> {
    const kv = await this.datastore.create(blockKey(block.cidr), encodeBlock(block))
    const created = {value: block, revision: kv.modRevision}
    this.note(created)
    return created
  }

  /** Writes the block with its sequence number incremented, as every Calico block write does. */
  async updateBlock(block: AllocationBlock, revision: number): Promise<Versioned<AllocationBlock>> {
    const next = forWrite(block)
    let kv: KV
    try {
      kv = await this.datastore.update(blockKey(block.cidr), encodeBlock(next), revision)
    } catch (error) {
      this.forgetBlock(block.cidr)
      throw error
    }
    const written = {value: next, revision: kv.modRevision}
    this.note(written)
    return written
  }

  async deleteBlock(net: Net, revision: number): Promise<void> {
    this.forgetBlock(net)
    await this.datastore.delete(blockKey(net), revision)
  }

  // Affinities.

  async getAffinity(host: string, net: Net): Promise<AffinityEntry | undefined> {
    const kv = await this.datastore.get(affinityKey(host, net))
    return kv ? {host, net, ...versioned(kv, decodeAffinity)} : undefined
  }

  /** One host's affinities of one family, in key order; all hosts' when host is undefined. */
  async listAffinities(host?: string, version?: IPVersion): Promise<AffinityEntry[]> {
    const prefix = host === undefined ? HOST_PREFIX : version === undefined ? `${HOST_PREFIX}${host}/` : hostAffinityPrefix(host, version)
    const {items} = await this.datastore.list(prefix)
    const out: AffinityEntry[] = []
    for (const kv of items) {
      const parsed = parseAffinityKey(kv.key)
      if (!parsed || (version !== undefined && parsed.net.version !== version)) continue
      out.push({...parsed, ...versioned(kv, decodeAffinity)})
    }
    return out
  }

  async createAffinity(host: string, net: Net, state: AffinityState): Promise<AffinityEntry> {
    this.affinitiesChanged(host)
    const value: BlockAffinity = {state, deleted: false}
    const kv = await this.datastore.create(affinityKey(host, net), encodeAffinity(value))
    return {host, net, value, revision: kv.modRevision}
  }

  async updateAffinity(entry: AffinityEntry, state: AffinityState): Promise<AffinityEntry> {
    this.affinitiesChanged(entry.host)
    const value: BlockAffinity = {state, deleted: false}
    const kv = await this.datastore.update(affinityKey(entry.host, entry.net), encodeAffinity(value), entry.revision)
    return {...entry, value, revision: kv.modRevision}
  }

  async deleteAffinity(entry: AffinityEntry): Promise<void> {
    this.affinitiesChanged(entry.host)
    await this.datastore.delete(affinityKey(entry.host, entry.net), entry.revision)
  }

  // Handles.

  async getHandle(id: string): Promise<HandleEntry | undefined> {
    const kv = await this.datastore.get(handleKey(id))
    return kv ? {id, ...versioned(kv, decodeHandle)} : undefined
  }

  async listHandles(): Promise<HandleEntry[]> {
    const {items} = await this.datastore.list(HANDLE_PREFIX)
    const out: HandleEntry[] = []
    for (const kv of items) {
      const id = parseHandleKey(kv.key)
      if (id !== undefined) out.push({id, ...versioned(kv, decodeHandle)})
    }
    return out
  }

  async createHandle(id: string, value: IPAMHandle): Promise<HandleEntry> {
    const kv = await this.datastore.create(handleKey(id), encodeHandle(value))
    return {id, value, revision: kv.modRevision}
  }

  async updateHandle(entry: HandleEntry, value: IPAMHandle): Promise<HandleEntry> {
    const kv = await this.datastore.update(handleKey(entry.id), encodeHandle(value), entry.revision)
    return {id: entry.id, value, revision: kv.modRevision}
  }

  async deleteHandle(id: string, revision: number): Promise<void> {
    await this.datastore.delete(handleKey(id), revision)
  }

  // Configuration.

  async getConfig(): Promise<Versioned<IPAMConfig> | undefined> {
    const kv = await this.datastore.get(CONFIG_KEY)
    return kv ? versioned(kv, decodeConfig) : undefined
  }

  /** Creates the config, or replaces it conditionally on `revision`. */
  async putConfig(config: IPAMConfig, revision?: number): Promise<void> {
    if (revision === undefined) await this.datastore.create(CONFIG_KEY, encodeConfig(config))
    else await this.datastore.update(CONFIG_KEY, encodeConfig(config), revision)
  }
}
