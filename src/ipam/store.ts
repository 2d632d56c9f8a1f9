/**
 * IPAM's reads and writes over the Datastore contract (libcalico-go's blockReaderWriter plus the
 * handle and config accessors). Every write is a create (fails if present) or a compare-and-swap
 * on the revision just read; the typed ConflictError / AlreadyExistsError / NotFoundError of the
 * datastore pass through untouched for the retry loops in client.ts to act on.
 */
import type {Datastore, KV} from '../datastore/datastore.js'
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
import type {IPVersion, Net} from './net.js'

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

export class IPAMStore {
  constructor(readonly datastore: Datastore) {}

  // Blocks.

  async getBlock(net: Net): Promise<Versioned<AllocationBlock> | undefined> {
    const kv = await this.datastore.get(blockKey(net))
    return kv ? versioned(kv, decodeBlock) : undefined
  }

  async listBlocks(version?: IPVersion): Promise<Array<Versioned<AllocationBlock>>> {
    const {items} = await this.datastore.list(blockPrefix(version))
    return items.filter((kv) => kv.key.includes('/block/')).map((kv) => versioned(kv, decodeBlock))
  }

  async createBlock(block: AllocationBlock): Promise<Versioned<AllocationBlock>> {
    const kv = await this.datastore.create(blockKey(block.cidr), encodeBlock(block))
    return {value: block, revision: kv.modRevision}
  }

  /** Writes the block with its sequence number incremented, as every Calico block write does. */
  async updateBlock(block: AllocationBlock, revision: number): Promise<Versioned<AllocationBlock>> {
    const next = forWrite(block)
    const kv = await this.datastore.update(blockKey(block.cidr), encodeBlock(next), revision)
    return {value: next, revision: kv.modRevision}
  }

  async deleteBlock(net: Net, revision: number): Promise<void> {
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
    const value: BlockAffinity = {state, deleted: false}
    const kv = await this.datastore.create(affinityKey(host, net), encodeAffinity(value))
    return {host, net, value, revision: kv.modRevision}
  }

  async updateAffinity(entry: AffinityEntry, state: AffinityState): Promise<AffinityEntry> {
    const value: BlockAffinity = {state, deleted: false}
    const kv = await this.datastore.update(affinityKey(entry.host, entry.net), encodeAffinity(value), entry.revision)
    return {...entry, value, revision: kv.modRevision}
  }

  async deleteAffinity(entry: AffinityEntry): Promise<void> {
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
