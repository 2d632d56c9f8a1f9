/**
 * The local (embedded SQLite) backend: the conformance suite on a fresh temporary directory per
 * test, plus checks that only make sense for this backend (file modes, the on-disk format,
 * concurrent first opens, SQLite integrity after kill -9).
 */
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'

import Database from 'better-sqlite3'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import {DatastoreError, UnavailableError} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {DB_FILE_NAME} from '../../src/datastore/local/index.js'
import {prefixEnd} from '../../src/datastore/local/keys.js'
import {runConformance} from './conformance.js'
import {collect, Resources, sleep} from './support.js'

/** A fresh temp directory; the store lives in a not-yet-existing subdirectory of it. */
function tempStore(): {root: string; config: DatastoreConfig; cleanup(): Promise<void>} {
  const root = mkdtempSync(join(tmpdir(), 'calico-ds-'))
  return {
    root,
    config: {datastoreType: 'local', localDir: join(root, 'store')},
    cleanup: async () => rmSync(root, {recursive: true, force: true}),
  }
}

runConformance('local', async () => tempStore())

describe('local datastore specifics', () => {
  test('creates a private directory and database file', async () => {
    const store = tempStore()
    try {
      const ds = await createDatastore(store.config)
      await ds.create('/k', 'v')
      await ds.close()
      const dir = store.config.localDir as string
      assert.equal(statSync(dir).mode & 0o777, 0o700)
      assert.equal(statSync(join(dir, DB_FILE_NAME)).mode & 0o777, 0o600)
    } finally {
      await store.cleanup()
    }
  })

  test('refuses a database that is not a calico store, and a missing localDir', async () => {
    const store = tempStore()
    try {
      // A SQLite file with someone else's table in it is refused and left as it was.
      const foreign = join(store.root, 'foreign')
      mkdirSync(foreign)
      const raw = new Database(join(foreign, DB_FILE_NAME))
      raw.exec('CREATE TABLE things (x INTEGER)')
      raw.close()
      await assert.rejects(createDatastore({datastoreType: 'local', localDir: foreign}), UnavailableError)
      const again = new Database(join(foreign, DB_FILE_NAME))
      assert.equal(again.pragma('journal_mode', {simple: true}), 'delete', 'journal mode untouched')
      again.close()

      const garbage = join(store.root, 'garbage')
      await (await createDatastore({datastoreType: 'local', localDir: garbage})).close()
      writeFileSync(join(garbage, DB_FILE_NAME), 'this is not a database, just some text '.repeat(200))
      rmSync(join(garbage, `${DB_FILE_NAME}-wal`), {force: true})
      rmSync(join(garbage, `${DB_FILE_NAME}-shm`), {force: true})
      await assert.rejects(createDatastore({datastoreType: 'local', localDir: garbage}), UnavailableError)

      await assert.rejects(createDatastore({datastoreType: 'local'}), DatastoreError)
    } finally {
      await store.cleanup()
    }
  })

  test('factory: etcdv3 needs endpoints; kubernetes is not supported yet', async () => {
    await assert.rejects(createDatastore({datastoreType: 'etcdv3'}), {
      message: 'no etcd endpoints specified (set etcdEndpoints or ETCD_ENDPOINTS)',
    })
    await assert.rejects(createDatastore({datastoreType: 'kubernetes'}), {
      message: 'datastore type kubernetes is not supported yet',
    })
  })

  test('watch events always carry prev; future revisions and closed stores are refused', async () => {
    const store = tempStore()
    const res = new Resources()
    try {
      const ds = res.track(await createDatastore(store.config))
      const a1 = await ds.create('/p/a', '1')
      const c = res.trackWatch(collect(ds, '/p/', a1.modRevision))
      const a2 = await ds.update('/p/a', '2')
      await ds.delete('/p/a')
      await c.waitForCount(3)
      assert.deepEqual(c.events[1], {type: 'put', kv: a2, prev: a1})
      assert.deepEqual(c.events[2], {type: 'delete', key: '/p/a', modRevision: a2.modRevision + 1, prev: a2})

      const rev = await ds.revision()
      await assert.rejects(ds.list('/p/', {revision: rev + 1}), DatastoreError)
      await assert.rejects(ds.compact(rev + 1), DatastoreError)
      await assert.rejects(ds.list('/p/', {limit: 0}), DatastoreError)
      await assert.rejects(ds.create('', 'x'), DatastoreError)

      await ds.close()
      await assert.rejects(ds.get('/p/a'), UnavailableError)
      assert.throws(() => ds.watch('/p/', 1, {onEvents: () => {}, onError: () => {}}), UnavailableError)
    } finally {
      await res.release()
      await store.cleanup()
    }
  })

  test('prefix ranges are exact in code-point order', () => {
    assert.equal(prefixEnd(''), undefined)
    assert.equal(prefixEnd('/a/'), '/a0')
    assert.equal(prefixEnd('a\u{10ffff}'), 'b')
    assert.equal(prefixEnd('\u{10ffff}\u{10ffff}'), undefined)
    assert.equal(prefixEnd('a\u{d7ff}'), 'a\u{e000}')
    assert.equal(prefixEnd('a\u{ffff}'), 'a\u{10000}')
  })

  test('several processes opening a fresh directory at once all succeed', {timeout: 60_000}, async () => {
    const store = tempStore()
    const res = new Resources()
    try {
      const workers = [0, 1, 2, 3].map((i) => res.spawnWorker('write-keys', store.config, [`/w${i}/`, '50']))
      for (const w of workers) assert.equal(await w.exited(), 0, w.stderr())
      const ds = res.track(await createDatastore(store.config))
      assert.equal((await ds.list('/w')).items.length, 200)
      assert.equal(await ds.revision(), 200)
    } finally {
      await res.release()
      await store.cleanup()
    }
  })

  test('SQLite integrity holds after kill -9 of writers', {timeout: 120_000}, async () => {
    const store = tempStore()
    const res = new Resources()
    try {
      for (let round = 0; round < 3; round++) {
        const w = res.spawnWorker('write-stream', store.config, ['/s/'])
        await w.waitForLine((l) => l === 'progress 60', 60_000)
        await sleep(round * 7)
        w.child.kill('SIGKILL')
        await w.exited(10_000)
        const db = new Database(join(store.config.localDir as string, DB_FILE_NAME), {readonly: true})
        try {
          assert.equal(db.pragma('integrity_check', {simple: true}), 'ok')
          const meta = db.prepare('SELECT revision FROM meta').pluck().get() as number
          const maxEvent = db.prepare('SELECT max(revision) FROM events').pluck().get() as number
          assert.equal(meta, maxEvent, 'meta revision matches the newest event')
        } finally {
          db.close()
        }
      }
    } finally {
      await res.release()
      await store.cleanup()
    }
  })
})
