/**
 * Watches for the local backend.
 *
 * Every watch is a cursor into the event log (the `events` table): "the next revision I have not
 * yet looked at". Pumping a watch reads, in one read transaction, the compaction point, the store
 * revision and the events in [cursor, revision] under its prefix; it then moves the cursor past the
 * store revision and hands the events to the listener. Because the cursor only ever moves forward
 * over revisions that were fully read, each event is delivered once and in revision order, and it
 * does not matter which process wrote it.
 *
 * What remains is to know *when* to pump:
 * - writes through this connection pump at once (`notifyLocalWrite`);
 * - writes by other connections (other processes, or other stores in this process) are noticed
 *   by `PRAGMA data_version`, which changes whenever another connection has committed. It costs
 *   a few microseconds, and is checked when the store directory changes (fs.watch sees the WAL
 *   being appended to) and, as a fallback for file systems without change notification, every
 *   POLL_INTERVAL_MS. The file event comes when the writer appends its frames, which is *before*
 *   its commit becomes visible (it still has to fsync and publish the WAL index, neither of which
 *   makes a file event), so a check that finds nothing new is repeated after 1, 2, 4, 8 and 16 ms.
 *   Measured: another process's write reaches a watcher in about a millisecond.
 * The poll timer exists only while at least one watch is open, and it keeps the process alive
 * just as an open etcd watch stream would; closing the last watch releases it.
 */
import {type FSWatcher, watch as watchDirectory} from 'node:fs'

import {CompactedError, DatastoreError, UnavailableError, type WatchEvent, type WatchHandle, type WatchListener} from '../datastore.js'
import {type KeyRange, keyRange} from './keys.js'

/** Fallback poll period; fs.watch normally wakes us much sooner. */
export const POLL_INTERVAL_MS = 25

/** Re-checks after a file event that found no commit yet (the writer is still syncing). */
const FOLLOW_UP_DELAYS_MS = [1, 2, 4, 8, 16]

/** Events read (and delivered in one onEvents call) per pump step, to bound memory. */
const PAGE_SIZE = 1000

/** What a pump step reads, all from one snapshot of the store. */
export type EventPage =
  | {compacted: true; compactRevision: number}
  | {compacted: false; events: WatchEvent[]; nextCursor: number; more: boolean}

/** The parts of the store the hub needs; implemented by LocalDatastore. */
export interface EventSource {
  /** Events with revision >= from under `range`, at most `max`, from one consistent snapshot. */
  readEvents(range: KeyRange, from: number, max: number): EventPage
  /** SQLite's PRAGMA data_version: changes when another connection commits. */
  dataVersion(): number
}

class LocalWatch implements WatchHandle {
  closed = false

  constructor(
    private readonly hub: WatchHub,
    readonly range: KeyRange,
    /** Next revision not yet examined; every event below it has been delivered or skipped. */
    public cursor: number,
    private readonly listener: WatchListener,
  ) {}

  /** Delivers one page; a listener that throws ends the watch with its own error. */
  deliver(events: WatchEvent[]): void {
    try {
      this.listener.onEvents(events)
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
    }
  }

  /** Ends the watch and reports `error` exactly once. */
  fail(error: Error): void {
    if (this.closed) return
    this.closed = true
    this.hub.remove(this)
    this.listener.onError(error)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.hub.remove(this)
  }
}

export class WatchHub {
  private readonly watches = new Set<LocalWatch>()
  private pumpScheduled = false
  private checkScheduled = false
  private followUpTimer: NodeJS.Timeout | undefined
  private followUpStep = 0
  private pollTimer: NodeJS.Timeout | undefined
  private dirWatcher: FSWatcher | undefined
  private lastDataVersion = -1
  private stopped = false

  constructor(
    private readonly source: EventSource,
    private readonly dir: string,
  ) {}

  watch(prefix: string, fromRevision: number, listener: WatchListener): WatchHandle {
    if (this.stopped) throw new UnavailableError('datastore is closed')
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
      throw new DatastoreError(`invalid watch revision ${fromRevision}`)
    }
    const w = new LocalWatch(this, keyRange(prefix), fromRevision, listener)
    if (this.watches.size === 0) this.startNotifications()
    this.watches.add(w)
    // First pump on a later turn: the caller gets its handle before any callback runs.
    setImmediate(() => this.pump(w))
    return w
  }

  /** Our own connection committed: other connections' data_version moves, ours does not. */
  notifyLocalWrite(): void {
    if (this.watches.size > 0) this.schedulePumpAll()
  }

  remove(w: LocalWatch): void {
    this.watches.delete(w)
    if (this.watches.size === 0) this.stopNotifications()
  }

  /** Ends every watch silently (the datastore is closing) and releases timers and handles. */
  stop(): void {
    this.stopped = true
    for (const w of this.watches) w.closed = true
    this.watches.clear()
    this.stopNotifications()
  }

  private startNotifications(): void {
    try {
      this.lastDataVersion = this.source.dataVersion()
    } catch {
      this.lastDataVersion = -1
    }
    this.pollTimer = setInterval(() => this.checkForeignWrites(), POLL_INTERVAL_MS)
    try {
      // Not persistent: the poll timer is what keeps the process alive while watches are open.
      this.dirWatcher = watchDirectory(this.dir, {persistent: false}, () => this.onDirectoryChange())
      // A failing directory watch (directory removed, inotify limit reached) just leaves the poll.
      this.dirWatcher.on('error', () => this.closeDirWatcher())
    } catch {
      this.dirWatcher = undefined
    }
  }

  private stopNotifications(): void {
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer)
    this.pollTimer = undefined
    this.cancelFollowUp()
    this.closeDirWatcher()
  }

  private closeDirWatcher(): void {
    this.dirWatcher?.close()
    this.dirWatcher = undefined
  }

  /** Coalesces a burst of file notifications into one data_version check, plus follow-ups. */
  private onDirectoryChange(): void {
    this.followUpStep = 0
    if (this.checkScheduled) return
    this.checkScheduled = true
    setImmediate(() => {
      this.checkScheduled = false
      if (!this.checkForeignWrites()) this.armFollowUp()
    })
  }

  private armFollowUp(): void {
    if (this.followUpTimer !== undefined || this.followUpStep >= FOLLOW_UP_DELAYS_MS.length) return
    const delay = FOLLOW_UP_DELAYS_MS[this.followUpStep++]
    this.followUpTimer = setTimeout(() => {
      this.followUpTimer = undefined
      if (this.checkForeignWrites()) this.followUpStep = FOLLOW_UP_DELAYS_MS.length
      else this.armFollowUp()
    }, delay)
  }

  private cancelFollowUp(): void {
    if (this.followUpTimer !== undefined) clearTimeout(this.followUpTimer)
    this.followUpTimer = undefined
  }

  /** Pumps every watch if another connection has committed since the last check; says whether. */
  private checkForeignWrites(): boolean {
    if (this.stopped || this.watches.size === 0) return false
    let version: number
    try {
      version = this.source.dataVersion()
    } catch (error) {
      // The store cannot even be read: every watch ends, since none can make progress.
      this.failAll(error)
      return false
    }
    if (version === this.lastDataVersion) return false
    this.lastDataVersion = version
    this.pumpAll()
    return true
  }

  private schedulePumpAll(): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    setImmediate(() => {
      this.pumpScheduled = false
      this.pumpAll()
    })
  }

  private pumpAll(): void {
    // Copy: listeners may open or close watches while we iterate.
    for (const w of [...this.watches]) this.pump(w)
  }

  private failAll(error: unknown): void {
    const err = asUnavailable(error)
    for (const w of [...this.watches]) w.fail(err)
  }

  /** Delivers everything `w` has not seen yet, page by page. */
  private pump(w: LocalWatch): void {
    while (!w.closed && !this.stopped) {
      let page: EventPage
      try {
        page = this.source.readEvents(w.range, w.cursor, PAGE_SIZE)
      } catch (error) {
        w.fail(asUnavailable(error))
        return
      }
      if (page.compacted) {
        w.fail(new CompactedError(w.cursor, page.compactRevision))
        return
      }
      // Advance before delivering, so a listener that re-enters cannot see an event twice.
      w.cursor = page.nextCursor
      if (page.events.length > 0) w.deliver(page.events)
      if (!page.more) return
    }
  }
}

function asUnavailable(error: unknown): Error {
  if (error instanceof DatastoreError) return error
  const wrapped = new UnavailableError(`local datastore watch failed: ${error instanceof Error ? error.message : String(error)}`)
  wrapped.cause = error
  return wrapped
}
