/**
 * LocalDatastore: the embedded default backend. A revisioned KV in one SQLite database (see
 * schema.ts), safe to share between processes. See src/datastore/DESIGN.md for the reasoning.
 *
 * All SQLite calls are synchronous (better-sqlite3); the async methods exist to honour the
 * Datastore interface. Every write runs in a BEGIN IMMEDIATE transaction: it takes the database's
 * single write lock before reading anything, so the compare in compare-and-swap and the swap see
 * the same state even when several processes write at once (they queue on the lock via the busy
 * timeout). Reads that need more than one statement run in a deferred (read) transaction, which in
 * WAL mode is a stable snapshot that never blocks or is blocked by a writer.
 */
import type Database from 'better-sqlite3'

import {
  AlreadyExistsError,
  CompactedError,
  ConflictError,
  type Datastore,
  DatastoreError,
  invalidTxn,
  type KV,
  type ListOptions,
  type ListResult,
  NotFoundError,
  type TxnResult,
  txnFailures,
  UnavailableError,
  type WatchEvent,
  type WatchHandle,
  type WatchListener,
  type WriteOp,
  type WriteResult,
} from '../datastore.js'
import {type KeyRange, keyRange} from './keys.js'
import {EVENT_DELETE, EVENT_PUT, openDatabase} from './schema.js'
import {type EventPage, type EventSource, WatchHub} from './watch.js'

interface KvRow {
  key: string
  value: string
  create_revision: number
  mod_revision: number
}

interface MetaRow {
  revision: number
  compact_revision: number
}

interface EventRow {
  revision: number
  key: string
  kind: number
  value: string | null
  create_revision: number | null
  prev_value: string | null
  prev_create_revision: number | null
  prev_mod_revision: number | null
}

/**
 * Bound in place of "no upper limit" for a key range. In SQLite every TEXT value sorts before
 * every BLOB, so `key < X''` holds for all keys while keeping the query a plain index range
 * (an `? IS NULL OR key < ?` form would defeat the index).
 */
const NO_UPPER_BOUND = Buffer.alloc(0)

/** SQLite's LIMIT treats a negative value as "no limit". */
const NO_LIMIT = -1

/** Allocates revisions inside one write transaction. */
type NextRevision = () => number

/** Compiled statements; prepared once per connection. */
function prepareStatements(db: Database.Database) {
  const kvColumns = 'key, value, create_revision, mod_revision'
  const eventColumns =
    'revision, key, kind, value, create_revision, prev_value, prev_create_revision, prev_mod_revision'
  // Historical read: the pairs under the range as they were at @at. A key unchanged since @at is
  // as it is now; a key changed since @at was what its first later event says it replaced
  // (prev_value NULL: it did not exist at @at). Needs every event after @at, i.e. @at must not
  // be below the compaction point.
  const historical = (lower: '>=' | '>') => `
    WITH changed AS (
      SELECT key, MIN(revision) AS first_revision FROM events
      WHERE revision > @at AND key ${lower} @lo AND key < @hi
      GROUP BY key
    )
    SELECT ${kvColumns} FROM kv
      WHERE key ${lower} @lo AND key < @hi AND key NOT IN (SELECT key FROM changed)
    UNION ALL
    SELECT e.key AS key, e.prev_value AS value, e.prev_create_revision AS create_revision,
           e.prev_mod_revision AS mod_revision
      FROM changed c JOIN events e ON e.revision = c.first_revision
      WHERE e.prev_value IS NOT NULL
    ORDER BY key
    LIMIT @limit`
  return {
    meta: db.prepare<[], MetaRow>('SELECT revision, compact_revision FROM meta WHERE id = 1'),
    setRevision: db.prepare<[number]>('UPDATE meta SET revision = ? WHERE id = 1'),
    setCompactRevision: db.prepare<[number]>('UPDATE meta SET compact_revision = ? WHERE id = 1'),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    get: db.prepare<[string], KvRow>(`SELECT ${kvColumns} FROM kv WHERE key = ?`),
    insert: db.prepare<[string, string, number, number]>(
      'INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?, ?, ?, ?)',
    ),
    update: db.prepare<[string, number, string]>('UPDATE kv SET value = ?, mod_revision = ? WHERE key = ?'),
    remove: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
    event: db.prepare<[number, string, number, string | null, number | null, string | null, number | null, number | null]>(
      `INSERT INTO events (${eventColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listFrom: db.prepare<[string, string | Buffer, number], KvRow>(
      `SELECT ${kvColumns} FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`,
    ),
    listAfter: db.prepare<[string, string | Buffer, number], KvRow>(
      `SELECT ${kvColumns} FROM kv WHERE key > ? AND key < ? ORDER BY key LIMIT ?`,
    ),
    historicalFrom: db.prepare<[{at: number; lo: string; hi: string | Buffer; limit: number}], KvRow>(historical('>=')),
    historicalAfter: db.prepare<[{at: number; lo: string; hi: string | Buffer; limit: number}], KvRow>(historical('>')),
    events: db.prepare<[number, number, string, string | Buffer, number], EventRow>(
      `SELECT ${eventColumns} FROM events
       WHERE revision >= ? AND revision <= ? AND key >= ? AND key < ?
       ORDER BY revision LIMIT ?`,
    ),
    compact: db.prepare<[number]>('DELETE FROM events WHERE revision < ?'),
  }
}

type Statements = ReturnType<typeof prepareStatements>

export class LocalDatastore implements Datastore, EventSource {
  readonly type = 'local' as const
  private readonly stmts: Statements
  private readonly hub: WatchHub
  private closed = false
  /** Runs `body` under BEGIN IMMEDIATE, handing it a revision allocator; commits meta once. */
  private readonly writeTx: (body: (next: NextRevision) => unknown) => unknown
  /** Runs `body` in a deferred read transaction: one consistent snapshot. */
  private readonly readTx: (body: () => unknown) => unknown

  constructor(
    private readonly db: Database.Database,
    readonly dir: string,
  ) {
    this.stmts = prepareStatements(db)
    const write = db.transaction((body: (next: NextRevision) => unknown) => {
      const start = this.readMeta().revision
      let revision = start
      const result = body(() => ++revision)
      if (revision !== start) this.stmts.setRevision.run(revision)
      return result
    })
    this.writeTx = (body) => write.immediate(body)
    const read = db.transaction((body: () => unknown) => body())
    this.readTx = (body) => read.deferred(body)
    this.hub = new WatchHub(this, dir)
  }

  /** Opens the store in `dir`, creating it if needed. */
  static open(dir: string): LocalDatastore {
    return new LocalDatastore(openDatabase(dir), dir)
  }

  async get(key: string): Promise<KV | undefined> {
    return this.guard(() => {
      const row = this.stmts.get.get(key)
      return row === undefined ? undefined : toKV(row)
    })
  }

  async getMany(keys: readonly string[]): Promise<Array<KV | undefined>> {
    return this.guard(() =>
      this.db.transaction(() =>
        keys.map((key) => {
          const row = this.stmts.get.get(key)
          return row === undefined ? undefined : toKV(row)
        }),
      )(),
    )
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const {limit, startAfter, revision: at} = options
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
      throw new DatastoreError(`invalid list limit ${limit}: must be a positive integer`)
    }
    if (at !== undefined && (!Number.isSafeInteger(at) || at < 0)) {
      throw new DatastoreError(`invalid list revision ${at}`)
    }
    const range = keyRange(prefix)
    // One lower bound only, so SQLite can seek straight to it: the later of prefix and startAfter.
    const after = startAfter !== undefined && compareKeys(startAfter, prefix) >= 0 ? startAfter : undefined
    const lo = after ?? prefix
    const hi = range.end ?? NO_UPPER_BOUND
    const max = limit ?? NO_LIMIT
    return this.guard(() =>
      this.readTx(() => {
        const meta = this.readMeta()
        if (at === undefined || at === meta.revision) {
          const rows = (after === undefined ? this.stmts.listFrom : this.stmts.listAfter).all(lo, hi, max)
          return {items: rows.map(toKV), revision: meta.revision}
        }
        if (at > meta.revision) {
          throw new DatastoreError(`required revision ${at} is a future revision (store is at ${meta.revision})`)
        }
        if (at < meta.compact_revision) throw new CompactedError(at, meta.compact_revision)
        const stmt = after === undefined ? this.stmts.historicalFrom : this.stmts.historicalAfter
        const rows = stmt.all({at, lo, hi, limit: max})
        return {items: rows.map(toKV), revision: at}
      }) as ListResult,
    )
  }

  async create(key: string, value: string): Promise<KV> {
    return this.writeOne({op: 'create', key, value})
  }

  async update(key: string, value: string, expectedRevision?: number): Promise<KV> {
    return this.writeOne({op: 'update', key, value, expectedRevision})
  }

  async delete(key: string, expectedRevision?: number): Promise<KV> {
    return this.writeOne({op: 'delete', key, expectedRevision})
  }

  /**
   * All ops run in ONE write transaction (one lock acquisition, one fsync), in order, each with
   * its own revision; a later op sees the effect of earlier ones. An op that fails its checks
   * writes nothing, so it does not disturb the others. If SQLite itself fails (disk full, I/O
   * error) the whole transaction rolls back and the promise rejects: then no op was applied.
   */
  async batch(ops: WriteOp[]): Promise<WriteResult[]> {
    if (ops.length === 0) return []
    const results = this.guard(
      () =>
        this.writeTx((next) =>
          ops.map((op): WriteResult => {
            try {
              return {ok: true, kv: this.applyOp(op, next)}
            } catch (error) {
              if (error instanceof DatastoreError) return {ok: false, error}
              throw error
            }
          }),
        ) as WriteResult[],
    )
    if (results.some((r) => r.ok)) this.hub.notifyLocalWrite()
    return results
  }

  /**
   * One write transaction: every op's key is read and checked first (under the write lock, so
   * nothing changes in between) and the ops are applied only if every check holds, each with its
   * own revision as in batch.
   */
  async transact(ops: WriteOp[]): Promise<TxnResult> {
    const invalid = invalidTxn(ops)
    if (invalid !== undefined) throw invalid
    if (ops.length === 0) return {ok: true, kvs: []}
    const result = this.guard(
      () =>
        this.writeTx((next): TxnResult => {
          const current = ops.map((op) => {
            const row = this.stmts.get.get(op.key)
            return row === undefined ? undefined : toKV(row)
          })
          const failures = txnFailures(ops, current)
          if (failures.some((f) => f !== undefined)) return {ok: false, failures, current}
          return {ok: true, kvs: ops.map((op) => this.applyOp(op, next))}
        }) as TxnResult,
    )
    if (result.ok) this.hub.notifyLocalWrite()
    return result
  }

  async revision(): Promise<number> {
    return this.guard(() => this.readMeta().revision)
  }

  watch(prefix: string, fromRevision: number, listener: WatchListener): WatchHandle {
    return this.hub.watch(prefix, fromRevision, listener)
  }

  /**
   * Deletes events below `revision`. Reads at, and watches from, `revision` or later still work.
   * Compacting to a revision at or below the current compaction point does nothing; compacting
   * past the store revision is refused (as etcd does).
   */
  async compact(revision: number): Promise<void> {
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new DatastoreError(`invalid compaction revision ${revision}`)
    }
    this.guard(() =>
      this.writeTx(() => {
        const meta = this.readMeta()
        if (revision > meta.revision) {
          throw new DatastoreError(`cannot compact to future revision ${revision} (store is at ${meta.revision})`)
        }
        if (revision <= meta.compact_revision) return
        this.stmts.compact.run(revision)
        this.stmts.setCompactRevision.run(revision)
      }),
    )
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.hub.stop()
    this.db.close()
  }

  // ---- EventSource (used by the watch hub) ----

  readEvents(range: KeyRange, from: number, max: number): EventPage {
    return this.readTx(() => {
      const meta = this.readMeta()
      if (from < meta.compact_revision) return {compacted: true, compactRevision: meta.compact_revision}
      if (from > meta.revision) return {compacted: false, events: [], nextCursor: from, more: false}
      const rows = this.stmts.events.all(from, meta.revision, range.prefix, range.end ?? NO_UPPER_BOUND, max)
      const full = rows.length === max
      const nextCursor = full ? rows[rows.length - 1].revision + 1 : meta.revision + 1
      return {compacted: false, events: rows.map(toEvent), nextCursor, more: full}
    }) as EventPage
  }

  dataVersion(): number {
    return this.stmts.dataVersion.get() ?? 0
  }

  // ---- internals ----

  private readMeta(): MetaRow {
    const meta = this.stmts.meta.get()
    if (meta === undefined) throw new UnavailableError('local datastore is damaged: meta row missing')
    return meta
  }

  private writeOne(op: WriteOp): KV {
    const kv = this.guard(() => this.writeTx((next) => this.applyOp(op, next)) as KV)
    this.hub.notifyLocalWrite()
    return kv
  }

  /**
   * One write, inside a write transaction. Every check happens before anything is written, so an
   * op that throws has changed nothing and the transaction may go on with other ops.
   */
  private applyOp(op: WriteOp, next: NextRevision): KV {
    const {key} = op
    if (typeof key !== 'string' || key.length === 0) throw new DatastoreError('key must be a non-empty string', key)
    const current = this.stmts.get.get(key)
    switch (op.op) {
      case 'create': {
        if (current !== undefined) throw new AlreadyExistsError(`key already exists: ${key}`, key)
        const revision = next()
        this.stmts.insert.run(key, op.value, revision, revision)
        this.stmts.event.run(revision, key, EVENT_PUT, op.value, revision, null, null, null)
        return {key, value: op.value, createRevision: revision, modRevision: revision}
      }
      case 'update': {
        if (current === undefined) throw new NotFoundError(`key not found: ${key}`, key)
        checkExpected(current, op.expectedRevision)
        const revision = next()
        this.stmts.update.run(op.value, revision, key)
        this.stmts.event.run(
          revision,
          key,
          EVENT_PUT,
          op.value,
          current.create_revision,
          current.value,
          current.create_revision,
          current.mod_revision,
        )
        return {key, value: op.value, createRevision: current.create_revision, modRevision: revision}
      }
      case 'delete': {
        if (current === undefined) throw new NotFoundError(`key not found: ${key}`, key)
        checkExpected(current, op.expectedRevision)
        const revision = next()
        this.stmts.remove.run(key)
        this.stmts.event.run(
          revision,
          key,
          EVENT_DELETE,
          null,
          null,
          current.value,
          current.create_revision,
          current.mod_revision,
        )
        return toKV(current)
      }
      default: {
        const unknownOp: never = op
        throw new DatastoreError(`unknown write op ${JSON.stringify(unknownOp)}`)
      }
    }
  }

  /** Runs a synchronous store call: typed errors pass through, SQLite failures become Unavailable. */
  private guard<T>(body: () => T): T {
    if (this.closed) throw new UnavailableError('datastore is closed')
    try {
      return body()
    } catch (error) {
      if (error instanceof DatastoreError) throw error
      const code = (error as {code?: unknown}).code
      const reason = error instanceof Error ? error.message : String(error)
      const message =
        code === 'SQLITE_BUSY'
          ? `local datastore ${this.dir} is locked by another process (gave up waiting)`
          : `local datastore ${this.dir} failed: ${reason}`
      const wrapped = new UnavailableError(message)
      wrapped.cause = error
      throw wrapped
    }
  }
}

function checkExpected(current: KvRow, expectedRevision: number | undefined): void {
  if (expectedRevision !== undefined && current.mod_revision !== expectedRevision) {
    throw new ConflictError(
      `revision conflict on ${current.key}: expected ${expectedRevision}, current ${current.mod_revision}`,
      current.key,
      current.mod_revision,
    )
  }
}

/** Orders keys as SQLite does (UTF-8 bytes, i.e. code points), not as JavaScript's `<` does. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function toKV(row: KvRow): KV {
  return {key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.mod_revision}
}

function prevOf(row: EventRow): KV | undefined {
  if (row.prev_value === null) return undefined
  return {
    key: row.key,
    value: row.prev_value,
    createRevision: row.prev_create_revision ?? 0,
    modRevision: row.prev_mod_revision ?? 0,
  }
}

function toEvent(row: EventRow): WatchEvent {
  const prev = prevOf(row)
  if (row.kind === EVENT_DELETE) {
    return prev === undefined
      ? {type: 'delete', key: row.key, modRevision: row.revision}
      : {type: 'delete', key: row.key, modRevision: row.revision, prev}
  }
  const kv: KV = {key: row.key, value: row.value ?? '', createRevision: row.create_revision ?? row.revision, modRevision: row.revision}
  return prev === undefined ? {type: 'put', kv} : {type: 'put', kv, prev}
}
