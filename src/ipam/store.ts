/**
 * IPAM's reads and writes over the Datastore contract (libcalico-go's blockReaderWriter plus the
 * handle and config accessors). Every write is a create (fails if present) or a compare-and-swap
 * on the revision just read; the typed ConflictError / AlreadyExistsError / NotFoundError of the
 * datastore pass through untouched for the retry loops in client.ts to act on.
 */
import type {Datastore, KV, WriteOp} from '../datastore/datastore.js'
import {forWrite, hostAffinity} from './block.js'
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
  parseBlockKey,
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

/** The read under way for `key`, or a new one (forgotten once it settles). */
function shared<T>(inFlight: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const pending = inFlight.get(key)
  if (pending) return pending
  const promise = read().finally(() => inFlight.delete(key))
  inFlight.set(key, promise)
  return promise
}

/** Last-known blocks kept at most; beyond this the memory is simply cleared. */
const MAX_KNOWN_BLOCKS = 4096
/** A pending affinity seen for longer than this is taken for a claim left half-done, and repaired. */
const PENDING_GRACE_MS = 1_000
/** A cached list of a host's affinities is re-listed after this long. */
const AFFINITY_LIST_MAX_AGE_MS = 2_000

export class IPAMStore {
  /** Last-known blocks (when remembering): a guess for the next CAS, never an authority. */
  private readonly known = new Map<string, Versioned<AllocationBlock>>()
  private readonly affinityLists = new Map<string, {entries: AffinityEntry[]; at: number}>()
  private readonly blockReads = new Map<string, Promise<Versioned<AllocationBlock> | undefined>>()
  private readonly affinityReads = new Map<string, Promise<AffinityEntry[]>>()
  private readonly hostRefreshes = new Map<string, Promise<AffinityEntry[]>>()
  /** Pending affinities (key@revision) and when this client first saw each. */
  private readonly pendingSeen = new Map<string, number>()
  /** Bumped by every affinity write of this client. */
  private affinityEpoch = 0
  /** Blocks decoded by listBlocks, by key, reused while their revision is unchanged (when remembering). */
  private readonly decoded = new Map<string, Versioned<AllocationBlock>>()

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
    // Concurrent requests that need the list share one request, unless this client changed the
    // host's affinities since it began; a list that overlapped such a change is not kept.
    const epoch = this.affinityEpoch
    return shared(this.affinityReads, `${key}@${epoch}`, async () => {
      const entries = await this.listAffinities(host, version)
      if (this.remember && epoch === this.affinityEpoch) this.affinityLists.set(key, {entries, at: Date.now()})
      return entries
    })
  }

  /**
   * A long-lived client's fresh look at one host's blocks: its affinities listed now and all
   * their blocks read in one request (getMany), remembered as last-known. Concurrent callers share
   * the look under way. Returns the affinities.
   */
  refreshHost(host: string, version: IPVersion): Promise<AffinityEntry[]> {
    return shared(this.hostRefreshes, `${host}/${version}`, async () => {
      const entries = await this.hostAffinities(host, version, true)
      const kvs = await this.datastore.getMany(entries.map((e) => blockKey(e.net)))
      kvs.forEach((kv, i) => {
        const net = entries[i].net
        if (!kv) return this.forgetBlock(net)
        const known = this.known.get(netString(net))
        if (!known || known.revision !== kv.modRevision) this.note(versioned(kv, decodeBlock))
      })
      return entries
    })
  }

  /**
   * Runs one of this client's affinity writes: a list of the host's affinities already under way
   * is not kept (it may predate the write); the kept list is patched with the outcome, or dropped
   * if the write failed (the store then holds something this client does not know).
   */
  private async affinityWrite<T extends AffinityEntry | undefined>(host: string, net: Net, write: () => Promise<T>): Promise<T> {
    this.affinityEpoch++
    let written: T
    try {
      written = await write()
    } catch (error) {
      for (const key of this.affinityLists.keys()) if (key.startsWith(`${host}/`)) this.affinityLists.delete(key)
      throw error
    }
    const key = `${host}/${net.version}`
    const cached = this.affinityLists.get(key)
    if (cached) {
      const entries = cached.entries.filter((e) => netString(e.net) !== netString(net))
      if (written) {
        entries.push(written)
        entries.sort((a, b) => Buffer.compare(Buffer.from(affinityKey(a.host, a.net)), Buffer.from(affinityKey(b.host, b.net))))
      }
      this.affinityLists.set(key, {entries, at: cached.at})
    }
    return written
  }

  /**
   * Whether this client first saw the pending affinity (at this revision) less than
   * PENDING_GRACE_MS ago: then it is most likely a claim under way in another allocator of the
   * host, not one left half-done by a crash (which is repaired once it has stayed pending longer).
   */
  pendingIsRecent(entry: AffinityEntry): boolean {
    const key = `${affinityKey(entry.host, entry.net)}@${entry.revision}`
    const now = Date.now()
    const first = this.pendingSeen.get(key)
    if (first !== undefined) return now - first < PENDING_GRACE_MS
    if (this.pendingSeen.size >= MAX_KNOWN_BLOCKS) this.pendingSeen.clear()
    this.pendingSeen.set(key, now)
    return true
  }

  // Blocks.

  /**
   * The block as stored. Concurrent reads of one block by this client share one request, so a
   * caller may get a value read a moment before it asked: like every value here, a guess that
   * the next compare-and-swap confirms or refutes.
   */
  getBlock(net: Net): Promise<Versioned<AllocationBlock> | undefined> {
    return shared(this.blockReads, netString(net), () => this.readBlock(net))
  }

  private async readBlock(net: Net): Promise<Versioned<AllocationBlock> | undefined> {
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
   * incremented), as an op of a transaction; pass the outcome to wroteBlock or sawBlock.
   */
  blockUpdateOp(next: AllocationBlock, revision: number): {op: WriteOp; value: AllocationBlock} {
    const value = forWrite(next)
    return {op: {op: 'update', key: blockKey(next.cidr), value: encodeBlock(value), expectedRevision: revision}, value}
  }

  /** A blockUpdateOp landed: the block as written. */
  wroteBlock(value: AllocationBlock, kv: KV): Versioned<AllocationBlock> {
    const block = {value, revision: kv.modRevision}
    this.note(block)
    return block
  }

  /** The block as a failed transaction reported it (undefined: it no longer exists). */
  sawBlock(net: Net, kv: KV | undefined): Versioned<AllocationBlock> | undefined {
    if (!kv) {
      this.forgetBlock(net)
      return undefined
    }
    const block = versioned(kv, decodeBlock)
    this.note(block)
    return block
  }

  async listBlocks(version?: IPVersion): Promise<Array<Versioned<AllocationBlock>>> {
    const {items} = await this.datastore.list(blockPrefix(version))
    const blocks = items.filter((kv) => kv.key.includes('/block/'))
    if (!this.remember) return blocks.map((kv) => versioned(kv, decodeBlock))
    // A long-lived client lists the blocks at every claim; most have not changed since the last.
    const seen = new Map<string, Versioned<AllocationBlock>>()
    const out = blocks.map((kv) => {
      const previous = this.decoded.get(kv.key)
      const block = previous && previous.revision === kv.modRevision ? previous : versioned(kv, decodeBlock)
      seen.set(kv.key, block)
      return block
    })
    if (version === undefined || this.decoded.size > MAX_KNOWN_BLOCKS) this.decoded.clear()
    for (const [key, block] of seen) this.decoded.set(key, block)
    return out
  }

  /**
   * Every block CIDR of the family that exists, for a claim's search (findUsableBlock): the
   * host's own blocks decoded (their free addresses count), the others only named by their key.
   * A block whose stored text does not even mention `host:<host>` cannot be affine to the host,
   * so it is not decoded at all; that skips most of the JSON a claim would otherwise parse.
   */
  async listBlocksFor(host: string, version: IPVersion): Promise<Map<string, AllocationBlock | null>> {
    const {items} = await this.datastore.list(blockPrefix(version))
    const needle = hostAffinity(host)
    const out = new Map<string, AllocationBlock | null>()
    for (const kv of items) {
      if (!kv.key.includes('/block/')) continue
      const net = kv.value.includes(needle) ? undefined : parseBlockKey(kv.key)
      if (net) {
        out.set(netString(net), null)
        continue
      }
      const previous = this.remember ? this.decoded.get(kv.key) : undefined
      const block = previous && previous.revision === kv.modRevision ? previous : versioned(kv, decodeBlock)
      if (this.remember) {
        if (this.decoded.size > MAX_KNOWN_BLOCKS) this.decoded.clear()
        this.decoded.set(kv.key, block)
      }
      out.set(netString(block.value.cidr), block.value.affinity === needle ? block.value : null)
    }
    return out
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

  createAffinity(host: string, net: Net, state: AffinityState): Promise<AffinityEntry> {
    return this.affinityWrite(host, net, async () => {
      const value: BlockAffinity = {state, deleted: false}
      const kv = await this.datastore.create(affinityKey(host, net), encodeAffinity(value))
      return {host, net, value, revision: kv.modRevision}
    })
  }

  updateAffinity(entry: AffinityEntry, state: AffinityState): Promise<AffinityEntry> {
    return this.affinityWrite(entry.host, entry.net, async () => {
      const value: BlockAffinity = {state, deleted: false}
      const kv = await this.datastore.update(affinityKey(entry.host, entry.net), encodeAffinity(value), entry.revision)
      return {...entry, value, revision: kv.modRevision}
    })
  }

  async deleteAffinity(entry: AffinityEntry): Promise<void> {
    await this.affinityWrite(entry.host, entry.net, async () => {
      await this.datastore.delete(affinityKey(entry.host, entry.net), entry.revision)
      return undefined
    })
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
