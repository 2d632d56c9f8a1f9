/**
 * What a long-lived allocator keeps between requests instead of re-reading it every time: IP
 * pools, IPReservations, the IPAM configuration and Node labels, each a snapshot of one key
 * prefix kept current by a watch from the revision of its list (libcalico-go re-reads them per
 * request; a CNI plugin is a new process per request, so for it that costs nothing extra).
 *
 * WHY THIS IS SAFE. What these inputs decide, and what a stale copy could do:
 *  - Which ordinals are free is never decided from here: every allocation is a compare-and-swap
 *    on the block's revision, so two allocators can never hand out one address, cached or not.
 *  - Which pools/reservations/config/labels apply IS decided from here, and no backend can make a
 *    block write conditional on them (the Datastore contract has no cross-key compare). That is
 *    already so in Calico: it reads pools and reservations, then makes several round trips before
 *    its block CAS, and a pool disabled (or an address reserved) in between is still used by that
 *    request. Calico's guarantee is therefore "a change is honoured by every request that starts
 *    after the change", and this cache keeps exactly that guarantee, with "after" measured at this
 *    client: the watch applies a change as soon as its event arrives (a millisecond or so after
 *    the commit on etcd and on the local store), and `sync()` waits until the change at a given
 *    revision has been applied, for callers that need read-your-writes across clients.
 *  - A cache that cannot be trusted is never used: if the watch fails (compaction, a dropped
 *    stream, a backend without watches), the prefix is listed afresh on the next request; and
 *    every snapshot is re-listed after MAX_AGE_MS anyway, so even a silently stalled watch cannot
 *    keep a stale view for longer than that.
 * The blocks, affinities and handles themselves are NOT cached here: their last-known values
 * (store.ts) are only ever a guess that a CAS confirms or refutes.
 */
import type {IPPool, IPReservation} from '../api/index.js'
import type {Datastore, KV, WatchEvent, WatchHandle} from '../datastore/datastore.js'
import {resourceFromKV, resourcePrefix} from '../datastore/resources.js'
import {CONFIG_KEY} from './keys.js'
import {decodeConfig, DEFAULT_IPAM_CONFIG, type IPAMConfig} from './model.js'
import {checkNoOverlap, parsePools, type Pool} from './pools.js'
import {Reservations} from './reservations.js'

/** A snapshot is re-listed at least this often even while its watch looks healthy. */
export const MAX_AGE_MS = 30_000

/** The pairs under one key prefix, listed once and then kept current by a watch. */
export class WatchedPrefix {
  private kvs = new Map<string, KV>()
  private loading: Promise<void> | undefined
  private watch: WatchHandle | undefined
  private loadedAt = 0
  private generation = 0
  private closed = false
  /** Bumped on every change, so derived values can be memoised on it. */
  version = 0
  /** The revision this snapshot is known to be complete at. */
  revision = 0

  constructor(
    private readonly datastore: Datastore,
    readonly prefix: string,
    private readonly accept: (key: string) => boolean = () => true,
    private readonly maxAgeMs = MAX_AGE_MS,
  ) {}

  /** The current pairs, listing (and starting the watch) first if there is no trustworthy snapshot. */
  async entries(): Promise<ReadonlyMap<string, KV>> {
    if (this.closed) throw new Error('IPAM cache is closed')
    if (this.watch === undefined || Date.now() - this.loadedAt > this.maxAgeMs) {
      this.loading ??= this.load().finally(() => (this.loading = undefined))
    }
    if (this.loading) await this.loading
    return this.kvs
  }

  /**
   * Resolves once every change up to `revision` under this prefix is reflected: at once if the
   * watch has already delivered that revision, else by listing afresh (a quiet prefix gets no
   * events to wait for).
   */
  async sync(revision: number): Promise<void> {
    await this.entries()
    // A load already under way may have listed before `revision`; a second one cannot have.
    for (let i = 0; i < 2 && this.revision < revision; i++) {
      this.loading ??= this.load().finally(() => (this.loading = undefined))
      await this.loading
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.generation++
    const watch = this.watch
    this.watch = undefined
    await watch?.close().catch(() => undefined)
  }

  private async load(): Promise<void> {
    const generation = ++this.generation
    const old = this.watch
    this.watch = undefined
    await old?.close().catch(() => undefined)
    const {items, revision} = await this.datastore.list(this.prefix)
    if (generation !== this.generation) return
    this.kvs = new Map(items.filter((kv) => this.accept(kv.key)).map((kv) => [kv.key, kv]))
    this.version++
    this.loadedAt = Date.now()
    this.advance(revision)
    try {
      this.watch = this.datastore.watch(this.prefix, revision + 1, {
        onEvents: (events) => {
          if (generation === this.generation) this.apply(events)
        },
        onError: () => {
          // Not trustworthy any more: the next request lists afresh.
          if (generation !== this.generation) return
          this.generation++
          const watch = this.watch
          this.watch = undefined
          void watch?.close().catch(() => undefined)
        },
      })
    } catch {
      // A backend without watches: every request lists (the snapshot is never trusted).
      this.watch = undefined
    }
  }

  private apply(events: WatchEvent[]): void {
    let last = this.revision
    for (const event of events) {
      const key = event.type === 'put' ? event.kv.key : event.key
      const revision = event.type === 'put' ? event.kv.modRevision : event.modRevision
      last = Math.max(last, revision)
      if (!this.accept(key)) continue
      if (event.type === 'put') this.kvs.set(key, event.kv)
      else this.kvs.delete(key)
      this.version++
    }
    this.advance(last)
  }

  private advance(revision: number): void {
    this.revision = Math.max(this.revision, revision)
  }
}

/** A value derived from a WatchedPrefix, recomputed only when the prefix changed. */
class Derived<T> {
  private at = -1
  private value: {ok: true; value: T} | {ok: false; error: unknown} | undefined

  constructor(
    private readonly source: WatchedPrefix,
    private readonly derive: (kvs: ReadonlyMap<string, KV>) => T,
  ) {}

  async get(): Promise<T> {
    const kvs = await this.source.entries()
    if (this.value === undefined || this.at !== this.source.version) {
      this.at = this.source.version
      try {
        this.value = {ok: true, value: this.derive(kvs)}
      } catch (error) {
        this.value = {ok: false, error}
      }
    }
    if (!this.value.ok) throw this.value.error
    return this.value.value
  }
}

function resources<T>(kvs: ReadonlyMap<string, KV>): T[] {
  return [...kvs.values()].flatMap((kv) => {
    try {
      return [resourceFromKV(kv) as T]
    } catch {
      return []
    }
  })
}

/** The per-client snapshots an allocation reads: pools, reservations, config, node labels. */
export class InputsCache {
  private readonly prefixes: WatchedPrefix[]
  private readonly poolsWatch: WatchedPrefix
  private readonly nodesWatch: WatchedPrefix
  private readonly strictPools: Derived<Pool[]>
  private readonly lenientPools: Derived<Pool[]>
  private readonly reservationsValue: Derived<Reservations>
  private readonly configValue: Derived<IPAMConfig>

  constructor(datastore: Datastore, maxAgeMs = MAX_AGE_MS) {
    this.poolsWatch = new WatchedPrefix(datastore, resourcePrefix('IPPool'), undefined, maxAgeMs)
    const reservations = new WatchedPrefix(datastore, resourcePrefix('IPReservation'), undefined, maxAgeMs)
    const config = new WatchedPrefix(datastore, CONFIG_KEY, (key) => key === CONFIG_KEY, maxAgeMs)
    this.nodesWatch = new WatchedPrefix(datastore, resourcePrefix('Node'), undefined, maxAgeMs)
    this.prefixes = [this.poolsWatch, reservations, config, this.nodesWatch]
    this.strictPools = new Derived(this.poolsWatch, (kvs) => {
      const pools = parsePools(resources<IPPool>(kvs))
      checkNoOverlap(pools)
      return pools
    })
    this.lenientPools = new Derived(this.poolsWatch, (kvs) =>
      resources<IPPool>(kvs).flatMap((item) => {
        try {
          return parsePools([item])
        } catch {
          return []
        }
      }),
    )
    this.reservationsValue = new Derived(reservations, (kvs) =>
      Reservations.fromCIDRs(resources<IPReservation>(kvs).flatMap((r) => r.spec?.reservedCIDRs ?? [])),
    )
    this.configValue = new Derived(config, (kvs) => {
      const kv = kvs.get(CONFIG_KEY)
      return kv ? decodeConfig(kv.value) : DEFAULT_IPAM_CONFIG
    })
  }

  pools(lenient = false): Promise<Pool[]> {
    return (lenient ? this.lenientPools : this.strictPools).get()
  }

  reservations(): Promise<Reservations> {
    return this.reservationsValue.get()
  }

  config(): Promise<IPAMConfig> {
    return this.configValue.get()
  }

  async nodeLabels(host: string): Promise<Record<string, string>> {
    const kv = (await this.nodesWatch.entries()).get(`${resourcePrefix('Node')}${host}`)
    if (!kv) return {}
    try {
      return {...resourceFromKV(kv).metadata.labels}
    } catch {
      return {}
    }
  }

  /** Waits until every change committed at or before `revision` is reflected in the cache. */
  async sync(revision: number): Promise<void> {
    await Promise.all(this.prefixes.map((p) => p.sync(revision)))
  }

  async close(): Promise<void> {
    await Promise.all(this.prefixes.map((p) => p.close()))
  }
}
