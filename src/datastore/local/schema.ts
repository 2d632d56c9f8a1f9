/**
 * On-disk layout of the local backend (one SQLite database in WAL mode) and how a connection is
 * opened and configured. Everything that depends on the file format lives here.
 */
import {chmodSync, closeSync, mkdirSync, openSync} from 'node:fs'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {UnavailableError} from '../datastore.js'

/** File name of the database inside the store directory. */
export const DB_FILE_NAME = 'calico.db'

/** Bumped whenever the tables change shape; a store written by a newer version is refused. */
export const SCHEMA_VERSION = 1

/** Written to the SQLite header so tools can tell a calico store from any other database. */
const APPLICATION_ID = 0x43414c49 // "CALI"

/**
 * How long a connection waits for another process's write lock before giving up with
 * SQLITE_BUSY. Write transactions are short (a 10,000-op batch holds the lock well under a
 * second), so a long wait only happens if another process is stuck; waiting beats failing.
 */
export const BUSY_TIMEOUT_MS = 30_000

/** Event kinds stored in events.kind. */
export const EVENT_PUT = 1
export const EVENT_DELETE = 2

/**
 * Tables:
 * - kv: the current pairs. `key` is UNIQUE (so it has an index ordered by UTF-8 bytes, which is
 *   what prefix and page queries scan). Values can be a few KiB (policies), so an ordinary rowid
 *   table is used rather than WITHOUT ROWID, which SQLite recommends only for small rows.
 * - events: one row per successful write, keyed by its revision, with the pair before the write
 *   (`prev_*`, NULL when the key did not exist). It serves watches, and reads at an old revision
 *   (undo the events after that revision). Rows below meta.compact_revision are deleted.
 * - meta: exactly one row: the store revision (that of the newest write) and the compaction point.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS kv (
  key              TEXT    NOT NULL UNIQUE,
  value            TEXT    NOT NULL,
  create_revision  INTEGER NOT NULL,
  mod_revision     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  revision              INTEGER PRIMARY KEY,
  key                   TEXT    NOT NULL,
  kind                  INTEGER NOT NULL CHECK (kind IN (${EVENT_PUT}, ${EVENT_DELETE})),
  value                 TEXT,
  create_revision       INTEGER,
  prev_value            TEXT,
  prev_create_revision  INTEGER,
  prev_mod_revision     INTEGER
);
CREATE TABLE IF NOT EXISTS meta (
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  revision          INTEGER NOT NULL,
  compact_revision  INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (id, revision, compact_revision) VALUES (1, 0, 0);
`

/**
 * Opens (creating if needed) the store in `dir` and returns a configured connection.
 *
 * - The directory is created with mode 0700 and the database file with 0600 (SQLite gives its
 *   -wal and -shm files the database file's mode), because the store may hold BGP passwords.
 * - WAL journal: readers never block the writer or each other, and a commit is one append.
 * - synchronous=FULL: the WAL is fsynced at every commit, so a write that returned is durable
 *   even across power loss (as an etcd write is). A killed process can never corrupt the store
 *   at any level; FULL additionally makes acknowledged writes survive an OS crash.
 * - busy timeout: a process that finds the write lock taken waits (SQLite's busy handler) rather
 *   than failing, so concurrent CLIs and the agent serialise instead of erroring.
 * - The schema is created under BEGIN IMMEDIATE with IF NOT EXISTS, so processes that open a
 *   fresh directory at the same moment do not trip over each other.
 */
export function openDatabase(dir: string): Database.Database {
  const file = join(dir, DB_FILE_NAME)
  let db: Database.Database | undefined
  try {
    const created = mkdirSync(dir, {recursive: true, mode: 0o700})
    // mkdir's mode is filtered by the umask; make the store directory private regardless.
    if (created !== undefined) chmodSync(dir, 0o700)
    // 'a' creates the file if missing (mode 0600) and never truncates an existing one.
    closeSync(openSync(file, 'a', 0o600))

    db = new Database(file, {timeout: BUSY_TIMEOUT_MS})
    // Before changing anything (journal mode included), make sure this is our file or an empty one.
    checkIdentity(db, file)
    const mode = db.pragma('journal_mode = WAL', {simple: true})
    if (mode !== 'wal') throw new Error(`could not switch ${file} to WAL mode (got ${String(mode)})`)
    db.pragma('synchronous = FULL')
    // Keep a large batch from leaving a huge WAL behind after it is checkpointed.
    db.pragma('journal_size_limit = 67108864')
    migrate(db)
    return db
  } catch (error) {
    db?.close()
    if (error instanceof UnavailableError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    const wrapped = new UnavailableError(`cannot open local datastore ${file}: ${reason}`)
    wrapped.cause = error
    throw wrapped
  }
}

/** Refuses a database written by a newer calicoctl, or one that is not a calico store at all. */
function checkIdentity(db: Database.Database, file: string): void {
  const version = Number(db.pragma('user_version', {simple: true}))
  if (version > SCHEMA_VERSION) {
    throw new UnavailableError(
      `local datastore ${file} has schema version ${version}, newer than this calicoctl supports (${SCHEMA_VERSION})`,
    )
  }
  const appId = Number(db.pragma('application_id', {simple: true}))
  if (appId === APPLICATION_ID) return
  if (appId !== 0) throw new UnavailableError(`${file} is not a calico datastore (application_id ${appId})`)
  const tables = Number(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get())
  if (tables > 0) throw new UnavailableError(`${file} is not a calico datastore (it holds other tables)`)
}

/** Creates the schema in an empty database; a no-op once it exists. */
function migrate(db: Database.Database): void {
  if (Number(db.pragma('user_version', {simple: true})) === SCHEMA_VERSION) return
  db.transaction(() => {
    // Re-check under the write lock: another process may have created the schema meanwhile.
    if (Number(db.pragma('user_version', {simple: true})) === SCHEMA_VERSION) return
    db.exec(DDL)
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}
