/**
 * What an IPAM operation reads besides IPAM's own keys: IP pools, IPReservations, the Node's
 * labels, and the IPAM configuration. By default read fresh for every request (as libcalico-go
 * does), so a pool disabled or a reservation added a moment ago is honoured by the next
 * allocation. A long-lived allocator (`{cache: true}`) keeps them in watched snapshots instead
 * (cache.ts explains why that keeps Calico's guarantees), and trusts the last-known values of its
 * own hosts' affine blocks until a compare-and-swap proves them stale (auto-assign.ts).
 */
import type {IPPool, IPReservation} from '../api/index.js'
import type {Datastore} from '../datastore/datastore.js'
import {ResourceClient} from '../datastore/resources.js'
import {IPAMConfigError} from './errors.js'
import {InputsCache} from './cache.js'
import {BlockCommitter} from './commit.js'
import {DEFAULT_IPAM_CONFIG, type IPAMConfig} from './model.js'
import {checkNoOverlap, parsePools, type Pool} from './pools.js'
import {Reservations} from './reservations.js'
import {IPAMStore} from './store.js'

export interface IPAMContextOptions {
  /**
   * Keep pools, reservations, config and node labels in watched snapshots, and the host's affine
   * blocks as last seen, across requests. For long-lived allocators; call close() when done.
   */
  cache?: boolean
  /** Re-list cached snapshots at least this often (ms); see cache.ts MAX_AGE_MS. */
  maxAgeMs?: number
}

export class IPAMContext {
  readonly store: IPAMStore
  /** Shares one block write among concurrent requests for that block (commit.ts). */
  readonly committer: BlockCommitter
  /** One new-block claim at a time per host and family (auto-assign.ts). */
  readonly claims = new ClaimLocks()
  readonly resources: ResourceClient
  /** The watched snapshots, when caching. */
  readonly inputs: InputsCache | undefined

  constructor(
    readonly datastore: Datastore,
    options: IPAMContextOptions = {},
  ) {
    this.store = new IPAMStore(datastore, options.cache === true)
    this.committer = new BlockCommitter(datastore, this.store)
    this.resources = new ResourceClient(datastore)
    this.inputs = options.cache ? new InputsCache(datastore, options.maxAgeMs) : undefined
  }

  get caching(): boolean {
    return this.inputs !== undefined
  }

  /** Waits until the cached inputs reflect every change committed at or before `revision`. */
  async sync(revision: number): Promise<void> {
    await this.inputs?.sync(revision)
    this.store.forgetAll()
  }

  async close(): Promise<void> {
    await this.inputs?.close()
  }

  /**
   * Every pool, parsed; a pool IPAM cannot use, or enabled pools that overlap, fail the request
   * (IPAMInputError). `lenient` (for releasing and reading) skips unusable pools instead.
   */
  async pools(options: {lenient?: boolean} = {}): Promise<Pool[]> {
    if (this.inputs) return this.inputs.pools(options.lenient)
    const {items} = await this.resources.list('IPPool')
    if (options.lenient) {
      return (items as IPPool[]).flatMap((item) => {
        try {
          return parsePools([item])
        } catch {
          return []
        }
      })
    }
    const pools = parsePools(items as IPPool[])
    checkNoOverlap(pools)
    return pools
  }

  async reservations(): Promise<Reservations> {
    if (this.inputs) return this.inputs.reservations()
    const {items} = await this.resources.list('IPReservation')
    return Reservations.fromCIDRs((items as IPReservation[]).flatMap((r) => r.spec?.reservedCIDRs ?? []))
  }

  /** The Node's labels; a host with no Node resource has none (nodeSelector all() still matches). */
  async nodeLabels(host: string): Promise<Record<string, string>> {
    if (this.inputs) return this.inputs.nodeLabels(host)
    const node = await this.resources.getOptional('Node', host)
    return {...node?.metadata.labels}
  }

  /** GetIPAMConfig: the stored config, or the defaults (not written) when none is stored. */
  async config(): Promise<IPAMConfig> {
    if (this.inputs) return this.inputs.config()
    return (await this.store.getConfig())?.value ?? DEFAULT_IPAM_CONFIG
  }

  /**
   * SetIPAMConfig: refuses StrictAffinity and AutoAllocateBlocks both off, and MaxBlocksPerHost
   * without StrictAffinity (Calico's texts); writes only when something changed.
   */
  async setConfig(next: IPAMConfig): Promise<void> {
    if (next.maxBlocksPerHost < 0) throw new IPAMConfigError('MaxBlocksPerHost must not be negative')
    const current = await this.store.getConfig()
    const value = current?.value ?? DEFAULT_IPAM_CONFIG
    if (
      current &&
      value.strictAffinity === next.strictAffinity &&
      value.autoAllocateBlocks === next.autoAllocateBlocks &&
      value.maxBlocksPerHost === next.maxBlocksPerHost &&
      value.kubeVirtVMAddressPersistence === next.kubeVirtVMAddressPersistence
    ) {
      return
    }
    if (!next.strictAffinity && !next.autoAllocateBlocks) {
      throw new IPAMConfigError("Cannot disable 'StrictAffinity' and 'AutoAllocateBlocks' at the same time")
    }
    if (next.maxBlocksPerHost > 0 && !next.strictAffinity) {
      throw new IPAMConfigError('MaxBlocksPerHost requires StrictAffinity to be enabled')
    }
    await this.store.putConfig(next, current?.revision)
  }
}

/**
 * Serialises the claiming of new blocks per host and family within one client, and counts the
 * claims made, so concurrent requests that all find the host's blocks full claim one block
 * between them rather than one each: a request that waited while another claimed looks at the
 * host's blocks again first.
 */
export class ClaimLocks {
  private readonly tails = new Map<string, Promise<void>>()
  private readonly counts = new Map<string, number>()

  /** Claims made so far for `key`. */
  made(key: string): number {
    return this.counts.get(key) ?? 0
  }

  noteClaim(key: string): void {
    this.counts.set(key, this.made(key) + 1)
  }

  /** Waits for the lock on `key`; call the returned function to release it. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => mine)
    this.tails.set(key, tail)
    await previous
    return () => {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
