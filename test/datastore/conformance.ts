/**
 * THE datastore conformance suite: every backend (local, etcd, kubernetes) must pass it unchanged.
 * It proves the invariants documented in src/datastore/datastore.ts through createDatastore(), so
 * it only ever sees the Datastore interface.
 *
 * Usage (from a *.test.ts file):
 *   runConformance('local', async () => ({config, cleanup}))
 * `setup` is called once per test and may hand out a fresh store each time or the same one; every
 * test works under its own random key prefix and never assumes absolute revision numbers, so a
 * shared store (e.g. one etcd server) is fine as long as tests of one file run one at a time.
 * `cleanup` runs after each test, also when it fails or times out.
 *
 * Timing is reported with t.diagnostic and never asserted.
 */
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {describe, test, type TestContext} from 'node:test'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import {
  AlreadyExistsError,
  CompactedError,
  ConflictError,
  type Datastore,
  DatastoreError,
  type KV,
  MAX_TXN_OPS,
  NotFoundError,
  type WatchEvent,
  type WriteOp,
} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {checksum, collect, eventKey, eventRevision, Resources, sleep} from './support.js'

export interface ConformanceTarget {
  config: DatastoreConfig
  cleanup(): Promise<void>
}

export type ConformanceSetup = () => Promise<ConformanceTarget>

interface Ctx {
  t: TestContext
  config: DatastoreConfig
  res: Resources
  /** A key prefix no other test uses, ending in '/'. */
  prefix: string
  /** Opens another client of the same store (closed automatically). */
  open(): Promise<Datastore>
}

/** Asserts that `promise` rejects with an instance of `type` and returns the error. */
async function rejectsWith<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  what: string,
): Promise<E> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof type, `${what}: expected ${type.name}, got ${String(error)}`)
    return error
  }
  assert.fail(`${what}: expected ${type.name}, but it succeeded`)
}

function strictlyIncreasing(values: number[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    assert.ok(values[i] > values[i - 1], `${what}: ${values[i]} after ${values[i - 1]} at #${i}`)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

/** Lists everything under prefix at one revision, `pageSize` pairs at a time. */
async function listAllPaged(ds: Datastore, prefix: string, pageSize: number, revision?: number) {
  const items: KV[] = []
  let at = revision
  let after: string | undefined
  for (;;) {
    const page = await ds.list(prefix, {limit: pageSize, startAfter: after, revision: at})
    assert.ok(page.items.length <= pageSize, 'a page never exceeds its limit')
    at ??= page.revision
    assert.equal(page.revision, at, 'every page reports the revision it was read at')
    items.push(...page.items)
    if (page.items.length < pageSize) return {items, revision: at}
    after = page.items[page.items.length - 1].key
  }
}

export function runConformance(name: string, setup: ConformanceSetup): void {
  /** Registers one test with a fresh context whose resources are always released. */
  function it(title: string, timeoutMs: number, body: (ctx: Ctx) => Promise<void>): void {
    test(title, {timeout: timeoutMs}, async (t) => {
      const target = await setup()
      const res = new Resources()
      // On timeout node:test abandons the body; still kill its workers so nothing is left running.
      const onAbort = (): void => void res.release()
      t.signal.addEventListener('abort', onAbort, {once: true})
      const ctx: Ctx = {
        t,
        config: target.config,
        res,
        prefix: `/conformance/${randomBytes(6).toString('hex')}/`,
        open: async () => res.track(await createDatastore(target.config)),
      }
      try {
        await body(ctx)
      } finally {
        t.signal.removeEventListener('abort', onAbort)
        await res.release()
        await target.cleanup()
      }
    })
  }

  describe(`datastore conformance: ${name}`, () => {
    // ---------------------------------------------------------------- single-key semantics

    it('create and get round-trip values exactly; a missing key reads as undefined', 20_000, async ({open, prefix}) => {
      const ds = await open()
      assert.equal(await ds.get(`${prefix}missing`), undefined)
      const values = ['', 'plain', '{"json":true}', 'ünïcødé ✓ 😀', 'x'.repeat(256 * 1024), 'line1\nline2\ttab']
      for (const [i, value] of values.entries()) {
        const key = `${prefix}v${i}`
        const created = await ds.create(key, value)
        assert.equal(created.key, key)
        assert.equal(created.value, value)
        assert.ok(created.modRevision > 0)
        assert.equal(created.createRevision, created.modRevision, 'a create sets both revisions')
        assert.deepEqual(await ds.get(key), created)
      }
    })

    it('getMany reads many keys in order, absent ones as undefined, across request groups', 30_000, async ({open, prefix}) => {
      const ds = await open()
      const written = await ds.batch(Array.from({length: 300}, (_, i) => ({op: 'create' as const, key: `${prefix}m${i}`, value: `value-${i}`})))
      assert.ok(written.every((r) => r.ok))
      const keys = Array.from({length: 450}, (_, i) => (i % 3 === 2 ? `${prefix}absent${i}` : `${prefix}m${(i * 7) % 300}`))
      const many = await ds.getMany(keys)
      assert.equal(many.length, keys.length)
      for (const [i, key] of keys.entries()) assert.deepEqual(many[i], await ds.get(key), key)
      assert.deepEqual(await ds.getMany([]), [])
    })

    it('create of an existing key fails with AlreadyExistsError and changes nothing', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const key = `${prefix}a`
      const first = await ds.create(key, 'one')
      const before = await ds.revision()
      const err = await rejectsWith(ds.create(key, 'two'), AlreadyExistsError, 'second create')
      assert.ok(err instanceof DatastoreError)
      assert.equal(err.key, key)
      assert.equal(err.name, 'AlreadyExistsError')
      assert.deepEqual(await ds.get(key), first)
      assert.equal(await ds.revision(), before, 'a failed write does not use a revision')
    })

    it('update: NotFoundError when absent, unconditional and compare-and-swap forms', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const key = `${prefix}u`
      await rejectsWith(ds.update(key, 'x'), NotFoundError, 'update of a missing key')
      await rejectsWith(ds.update(key, 'x', 1), NotFoundError, 'CAS update of a missing key')
      assert.equal(await ds.get(key), undefined, 'a failed update does not create the key')

      const created = await ds.create(key, 'v1')
      const u1 = await ds.update(key, 'v2')
      assert.equal(u1.value, 'v2')
      assert.equal(u1.createRevision, created.createRevision, 'update keeps createRevision')
      assert.ok(u1.modRevision > created.modRevision)

      const stale = await rejectsWith(ds.update(key, 'v3', created.modRevision), ConflictError, 'stale CAS update')
      assert.equal(stale.key, key)
      if (stale.currentRevision !== undefined) assert.equal(stale.currentRevision, u1.modRevision)
      assert.deepEqual(await ds.get(key), u1, 'a conflicting update changes nothing')

      const u2 = await ds.update(key, 'v3', u1.modRevision)
      assert.equal(u2.value, 'v3')
      assert.ok(u2.modRevision > u1.modRevision)
      assert.deepEqual(await ds.get(key), u2)
    })

    it('delete: returns the pair as it was; NotFoundError and ConflictError change nothing', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const key = `${prefix}d`
      await rejectsWith(ds.delete(key), NotFoundError, 'delete of a missing key')
      await rejectsWith(ds.delete(key, 5), NotFoundError, 'CAS delete of a missing key')

      const created = await ds.create(key, 'v1')
      const updated = await ds.update(key, 'v2')
      const stale = await rejectsWith(ds.delete(key, created.modRevision), ConflictError, 'stale CAS delete')
      assert.equal(stale.key, key)
      assert.deepEqual(await ds.get(key), updated, 'a conflicting delete changes nothing')

      const removed = await ds.delete(key, updated.modRevision)
      assert.deepEqual(removed, updated, 'delete returns the pair as it was')
      assert.equal(await ds.get(key), undefined)
      await rejectsWith(ds.delete(key), NotFoundError, 'second delete')

      const again = await ds.create(key, 'v3')
      assert.ok(again.createRevision > updated.modRevision, 'a re-created key has a new createRevision')
      await ds.delete(key)
      assert.equal(await ds.get(key), undefined, 'unconditional delete')
    })

    it('revisions strictly increase across every successful write; revision() follows', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const start = await ds.revision()
      const seen: number[] = [start]
      for (let i = 0; i < 10; i++) {
        seen.push((await ds.create(`${prefix}r${i}`, `${i}`)).modRevision)
        seen.push((await ds.update(`${prefix}r${i}`, `${i}!`)).modRevision)
      }
      const deletedAt = await ds.delete(`${prefix}r0`)
      const rev = await ds.revision()
      assert.ok(rev > deletedAt.modRevision, 'a delete also takes a revision')
      seen.push(rev)
      strictlyIncreasing(seen, 'write revisions')
      await rejectsWith(ds.create(`${prefix}r1`, 'dup'), AlreadyExistsError, 'failed create')
      await rejectsWith(ds.update(`${prefix}r1`, 'x', 1), ConflictError, 'failed update')
      await rejectsWith(ds.delete(`${prefix}nope`), NotFoundError, 'failed delete')
      assert.equal(await ds.revision(), rev, 'failed writes take no revision')
    })

    // ---------------------------------------------------------------- list

    it('list returns exactly the keys under a prefix, in byte order, at a revision covering them', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const names = ['b', 'a', 'a/x', 'ab', 'A', 'a-1', 'a.1', 'z\u{e000}', 'z\u{1f600}', 'é', 'a/y/z']
      for (const n of names) await ds.create(`${prefix}${n}`, n)
      await ds.create(`${prefix.slice(0, -1)}-sibling/a`, 'outside')

      const all = await ds.list(prefix)
      const byBytes = names
        .map((n) => `${prefix}${n}`)
        .sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')))
      assert.deepEqual(all.items.map((kv) => kv.key), byBytes, 'keys in UTF-8 byte order')
      assert.ok(all.items.every((kv) => kv.value === kv.key.slice(prefix.length)))
      assert.ok(all.items.every((kv) => kv.modRevision <= all.revision))
      assert.equal(all.revision, await ds.revision(), 'list revision is the store revision')

      assert.deepEqual(
        (await ds.list(`${prefix}a`)).items.map((kv) => kv.key.slice(prefix.length)),
        ['a', 'a-1', 'a.1', 'a/x', 'a/y/z', 'ab'],
        'a prefix is a plain string prefix',
      )
      assert.deepEqual(
        (await ds.list(`${prefix}a/`)).items.map((kv) => kv.key.slice(prefix.length)),
        ['a/x', 'a/y/z'],
      )
      assert.deepEqual((await ds.list(`${prefix}zz`)).items, [])
      assert.deepEqual(
        (await ds.list(prefix, {startAfter: `${prefix}a/y/z`, limit: 2})).items.map((kv) => kv.key.slice(prefix.length)),
        ['ab', 'b'],
        'startAfter is exclusive',
      )
      assert.deepEqual(
        (await ds.list(`${prefix}z`, {startAfter: `${prefix}a`})).items.map((kv) => kv.key.slice(prefix.length)),
        ['z\u{e000}', 'z\u{1f600}'],
        'startAfter before the prefix does not widen it',
      )
    })

    it('paging at a fixed revision is a consistent snapshot while writes go on', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const key = (i: number): string => `${prefix}k${String(i).padStart(2, '0')}`
      for (let i = 0; i < 30; i++) await ds.create(key(i), `v${i}`)
      const snapshot = await ds.list(prefix)
      assert.equal(snapshot.items.length, 30)

      const paged: KV[] = []
      let after: string | undefined
      let pages = 0
      for (;;) {
        const page = await ds.list(prefix, {limit: 7, startAfter: after, revision: snapshot.revision})
        assert.equal(page.revision, snapshot.revision)
        paged.push(...page.items)
        if (pages++ === 0) {
          // Change keys on both sides of the cursor between pages.
          await ds.delete(key(3))
          await ds.delete(key(20))
          await ds.create(`${key(20)}5`, 'new')
          await ds.update(key(25), 'changed')
          await ds.create(`${prefix}k99`, 'new')
        }
        if (page.items.length < 7) break
        after = page.items[page.items.length - 1].key
      }
      assert.deepEqual(paged, snapshot.items, 'pages at the snapshot revision equal the snapshot')

      const now = await ds.list(prefix)
      assert.ok(now.revision > snapshot.revision)
      const keys = now.items.map((kv) => kv.key)
      assert.ok(!keys.includes(key(3)) && !keys.includes(key(20)))
      assert.ok(keys.includes(`${key(20)}5`) && keys.includes(`${prefix}k99`))
      assert.equal(now.items.find((kv) => kv.key === key(25))?.value, 'changed')
    })

    it('list at an old revision answers from history', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const a1 = await ds.create(`${prefix}a`, 'a1')
      const b1 = await ds.create(`${prefix}b`, 'b1')
      const r1 = await ds.revision()
      await ds.update(`${prefix}a`, 'a2')
      await ds.delete(`${prefix}b`)
      await ds.create(`${prefix}c`, 'c1')
      await ds.update(`${prefix}a`, 'a3')
      await ds.create(`${prefix}b`, 'b2')

      const old = await ds.list(prefix, {revision: r1})
      assert.equal(old.revision, r1)
      assert.deepEqual(old.items, [a1, b1])
      assert.deepEqual((await ds.list(prefix, {revision: r1, limit: 1, startAfter: `${prefix}a`})).items, [b1])
      assert.deepEqual((await ds.list(prefix, {revision: a1.modRevision})).items, [a1])

      const now = await ds.list(prefix)
      assert.deepEqual(now.items.map((kv) => kv.value), ['a3', 'b2', 'c1'])
      const newB = now.items[1]
      assert.ok(newB.createRevision > b1.createRevision)
    })

    // ---------------------------------------------------------------- batch

    it('batch: per-op outcomes in op order; failed ops change nothing and do not affect others', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const k = (n: string): string => `${prefix}${n}`
      const x1 = await ds.create(k('x1'), 'x1')
      const x2 = await ds.create(k('x2'), 'x2')
      const x3 = await ds.create(k('x3'), 'x3')
      await ds.update(k('x2'), 'x2b')
      const x2now = await ds.get(k('x2'))
      const before = await ds.revision()

      const ops: WriteOp[] = [
        {op: 'create', key: k('n1'), value: 'n1'},
        {op: 'create', key: k('x1'), value: 'clobber'},
        {op: 'update', key: k('x2'), value: 'clobber', expectedRevision: x2.modRevision},
        {op: 'delete', key: k('missing')},
        {op: 'update', key: k('missing2'), value: 'v'},
        {op: 'delete', key: k('x3'), expectedRevision: x3.modRevision},
        {op: 'update', key: k('x1'), value: 'x1b', expectedRevision: x1.modRevision},
        {op: 'create', key: k('n2'), value: 'n2'},
      ]
      const results = await ds.batch(ops)
      assert.equal(results.length, ops.length)
      const expected = [undefined, AlreadyExistsError, ConflictError, NotFoundError, NotFoundError, undefined, undefined, undefined]
      results.forEach((r, i) => {
        const want = expected[i]
        if (want === undefined) {
          assert.ok(r.ok, `op ${i} should succeed: ${r.ok ? '' : r.error.message}`)
        } else {
          assert.ok(!r.ok, `op ${i} should fail`)
          assert.ok(r.error instanceof want, `op ${i}: expected ${want.name}, got ${r.error.name}`)
          assert.equal(r.error.key, ops[i].key)
        }
      })
      const ok = results.flatMap((r) => (r.ok ? [r.kv] : []))
      assert.deepEqual(ok.map((kv) => kv.key), [k('n1'), k('x3'), k('x1'), k('n2')])
      assert.deepEqual(ok[1], x3, 'a batched delete returns the pair as it was')
      // A backend may commit several ops of one batch in one transaction, at one revision (etcd
      // gives every write of a transaction the same revision); so revisions are only required to
      // be new, and to be the ones the keys now carry.
      const revs = [ok[0].modRevision, ok[2].modRevision, ok[3].modRevision]
      assert.ok(revs.every((r) => r > before), 'batch revisions are newer than every earlier write')
      assert.ok((await ds.revision()) >= Math.max(...revs))
      assert.equal((await ds.get(k('n1')))?.modRevision, ok[0].modRevision, 'a batched create reports its revision')

      assert.deepEqual(await ds.get(k('x1')), ok[2], 'a batched update reports the pair as written')
      assert.deepEqual(await ds.get(k('x2')), x2now, 'failed CAS update left the key alone')
      assert.equal(await ds.get(k('x3')), undefined)
      assert.equal(await ds.get(k('missing2')), undefined, 'failed update did not create')
      assert.deepEqual(await ds.get(k('n2')), ok[3])
      assert.deepEqual(await ds.batch([]), [])
    })

    // ---------------------------------------------------------------- transact

    it('transact: all ops or none; a failed check reports every op\'s error and current pair', 20_000, async ({open, prefix}) => {
      const ds = await open()
      const k = (n: string): string => `${prefix}${n}`
      const a = await ds.create(k('a'), 'a')
      const b = await ds.create(k('b'), 'b')
      const stale = a.modRevision
      const a2 = await ds.update(k('a'), 'a2')

      const failing: WriteOp[] = [
        {op: 'create', key: k('new'), value: 'new'},
        {op: 'update', key: k('a'), value: 'clobber', expectedRevision: stale},
        {op: 'create', key: k('b'), value: 'clobber'},
        {op: 'delete', key: k('gone')},
        {op: 'update', key: k('zero'), value: 'v', expectedRevision: 0},
        {op: 'update', key: k('b'), value: 'b?', expectedRevision: 0},
      ]
      // Keys are unique per transaction, so the two b ops go in separate calls.
      const first = await ds.transact(failing.slice(0, 5))
      assert.ok(!first.ok)
      const want = [undefined, ConflictError, AlreadyExistsError, NotFoundError, NotFoundError]
      first.failures.forEach((f, i) => {
        const w = want[i]
        if (w === undefined) assert.equal(f, undefined, `op ${i} passes its check`)
        else assert.ok(f instanceof w && f.key === failing[i].key, `op ${i}: expected ${w.name}, got ${f?.name}`)
      })
      assert.deepEqual(first.current, [undefined, a2, b, undefined, undefined], 'the current pair of every key')
      const second = await ds.transact([failing[5]])
      assert.ok(!second.ok && second.failures[0] instanceof ConflictError, 'a present key never matches a non-positive revision')
      assert.equal(await ds.get(k('new')), undefined, 'nothing of a failed transaction is written')
      assert.deepEqual(await ds.get(k('a')), a2)

      const before = await ds.revision()
      const done = await ds.transact([
        {op: 'create', key: k('new'), value: 'new'},
        {op: 'update', key: k('a'), value: 'a3', expectedRevision: a2.modRevision},
        {op: 'delete', key: k('b'), expectedRevision: b.modRevision},
        {op: 'update', key: k('a-unconditional-missing'), value: 'x'},
      ])
      assert.ok(!done.ok && done.failures[3] instanceof NotFoundError, 'one failing op stops them all')
      assert.deepEqual(await ds.get(k('b')), b)
      const ok = await ds.transact([
        {op: 'create', key: k('new'), value: 'new'},
        {op: 'update', key: k('a'), value: 'a3', expectedRevision: a2.modRevision},
        {op: 'delete', key: k('b'), expectedRevision: b.modRevision},
      ])
      assert.ok(ok.ok)
      assert.deepEqual(ok.kvs[2], b, 'a delete returns the pair as it was')
      assert.deepEqual(await ds.get(k('new')), ok.kvs[0])
      assert.deepEqual(await ds.get(k('a')), ok.kvs[1])
      assert.equal(ok.kvs[1].createRevision, a.createRevision)
      assert.ok(ok.kvs[0].modRevision > before && ok.kvs[1].modRevision > before)
      assert.equal(await ds.get(k('b')), undefined)

      await assert.rejects(ds.transact([{op: 'create', key: k('dup'), value: '1'}, {op: 'delete', key: k('dup')}]), DatastoreError)
      await assert.rejects(
        ds.transact(Array.from({length: MAX_TXN_OPS + 1}, (_, i) => ({op: 'create' as const, key: k(`many${i}`), value: ''}))),
        DatastoreError,
      )
      assert.equal(await ds.get(k('dup')), undefined)
      assert.deepEqual(await ds.transact([]), {ok: true, kvs: []})
    })

    it('transact: concurrent compare-and-swaps on one key from several clients never both win', 60_000, async ({open, prefix}) => {
      const stores = await Promise.all([open(), open(), open()])
      const key = `${prefix}counter`
      await stores[0].create(key, '0')
      let wins = 0
      await Promise.all(
        stores.map(async (ds, w) => {
          for (let n = 0; n < 40; n++) {
            let current = await ds.get(key)
            for (;;) {
              const value = String(Number(current?.value) + 1)
              const result = await ds.transact([
                {op: 'update', key, value, expectedRevision: current?.modRevision},
                {op: 'create', key: `${prefix}w${w}-${n}`, value},
              ])
              if (result.ok) break
              current = result.current[0]
            }
            wins++
          }
        }),
      )
      assert.equal(wins, 120)
      assert.equal((await stores[0].get(key))?.value, '120', 'every increment landed exactly once')
      assert.equal((await stores[0].list(`${prefix}w`)).items.length, 120)
    })

    it('batch of 10,000 creates', 120_000, async ({open, prefix, t}) => {
      const ds = await open()
      const value = (i: number): string =>
        JSON.stringify({kind: 'NetworkPolicy', metadata: {name: `p${i}`}, spec: {selector: `app == 'a${i}'`, order: i}})
      const ops: WriteOp[] = Array.from({length: 10_000}, (_, i) => ({
        op: 'create',
        key: `${prefix}${String(i).padStart(5, '0')}`,
        value: value(i),
      }))
      const started = performance.now()
      const results = await ds.batch(ops)
      const ms = performance.now() - started
      t.diagnostic(`batch of 10,000 creates: ${ms.toFixed(0)} ms (${Math.round(10_000 / (ms / 1000))} writes/s)`)
      assert.equal(results.length, 10_000)
      assert.ok(results.every((r) => r.ok))
      const listed = await listAllPaged(ds, prefix, 999)
      assert.equal(listed.items.length, 10_000)
      assert.ok(listed.items.every((kv, i) => kv.value === value(i)))
    })

    it('watch delivers every op of a large batch once, with the revisions the batch reported', 30_000, async (ctx) => {
      const {open, prefix, res} = ctx
      const ds = await open()
      const c = res.trackWatch(collect(ds, prefix, (await ds.revision()) + 1))
      const ops: WriteOp[] = Array.from({length: 1_000}, (_, i) => ({
        op: 'create',
        key: `${prefix}${String(i).padStart(4, '0')}`,
        value: `v${i}`,
      }))
      // Some keys twice, so a batch may also hold dependent ops.
      ops.push({op: 'update', key: ops[0].key, value: 'again'}, {op: 'delete', key: ops[1].key})
      const results = await ds.batch(ops)
      assert.ok(results.every((r) => r.ok))
      await c.waitForCount(ops.length)
      await sleep(100)
      assert.equal(c.events.length, ops.length, 'exactly once')
      const revisions = c.events.map(eventRevision)
      revisions.forEach((r, i) => assert.ok(i === 0 || r >= revisions[i - 1], `event revisions never go back (#${i})`))
      const reported = new Map(results.map((r, i) => [`${ops[i].op} ${ops[i].key}`, r.ok ? r.kv.modRevision : -1]))
      for (const e of c.events) {
        if (e.type === 'put') {
          const op = e.kv.value === 'again' ? 'update' : 'create'
          assert.equal(e.kv.modRevision, reported.get(`${op} ${e.kv.key}`), `revision of ${op} ${e.kv.key}`)
        } else {
          assert.equal(e.key, ops[1].key)
          assert.ok(e.modRevision > (reported.get(`create ${e.key}`) ?? Infinity), 'the delete comes after the create')
        }
      }
      assert.equal(c.error, undefined)
    })

    // ---------------------------------------------------------------- watch

    it('watch replays history from an old revision, then delivers live events, in order, once', 20_000, async (ctx) => {
      const {open, prefix, res} = ctx
      const ds = await open()
      const k = (n: string): string => `${prefix}w/${n}`
      const a1 = await ds.create(k('a'), 'a1')
      const a2 = await ds.update(k('a'), 'a2')
      await ds.create(`${prefix}other`, 'not watched')
      await ds.delete(k('a'))
      const aDeletedAt = await ds.revision()
      const b1 = await ds.create(k('b'), 'b1')

      const c = res.trackWatch(collect(ds, `${prefix}w/`, a1.modRevision))
      await c.waitForCount(4)
      // Live events after the replay.
      const c1 = await ds.create(k('c'), 'c1')
      const b2 = await ds.update(k('b'), 'b2')
      await ds.delete(k('b'), b2.modRevision)
      const bDeletedAt = await ds.revision()
      await c.waitForCount(7)
      await sleep(100)
      assert.equal(c.events.length, 7, 'nothing extra is delivered')
      assert.equal(c.error, undefined)

      assertEvents(c.events, [
        {type: 'put', kv: a1},
        {type: 'put', kv: a2, prev: a1},
        {type: 'delete', key: k('a'), modRevision: aDeletedAt, prev: a2},
        {type: 'put', kv: b1},
        {type: 'put', kv: c1},
        {type: 'put', kv: b2, prev: b1},
        {type: 'delete', key: k('b'), modRevision: bDeletedAt, prev: b2},
      ])
      strictlyIncreasing(c.events.map(eventRevision), 'watch event revisions')
    })

    it('watch from list revision + 1 sees only later writes; close stops delivery', 20_000, async ({open, prefix, res}) => {
      const ds = await open()
      await ds.create(`${prefix}old`, 'old')
      const listed = await ds.list(prefix)
      const c = res.trackWatch(collect(ds, prefix, listed.revision + 1))
      await sleep(50)
      assert.equal(c.events.length, 0, 'nothing before the start revision')
      const n = await ds.create(`${prefix}new`, 'new')
      await c.waitForCount(1)
      assertEvents(c.events, [{type: 'put', kv: n}])
      await c.handle.close()
      await ds.create(`${prefix}after-close`, 'x')
      await sleep(150)
      assert.equal(c.events.length, 1, 'no events after close')
      assert.equal(c.error, undefined)
      await c.handle.close() // closing twice is harmless
    })

    it('watch sees writes made through another client of the same store', 20_000, async ({open, prefix, res, t}) => {
      const watcher = await open()
      const writer = await open()
      const start = (await watcher.revision()) + 1
      const c = res.trackWatch(collect(watcher, prefix, start))
      const latencies: number[] = []
      for (let i = 0; i < 20; i++) {
        const before = Date.now()
        await writer.create(`${prefix}${i}`, `${i}`)
        await c.waitForCount(i + 1)
        latencies.push(c.arrivals[i] - before)
      }
      t.diagnostic(`second client → watch latency: median ${median(latencies)} ms, max ${Math.max(...latencies)} ms`)
      assert.deepEqual(c.events.map((e) => eventKey(e)), latencies.map((_, i) => `${prefix}${i}`))
    })

    it('watch sees writes from another process, in order, exactly once', 60_000, async ({open, prefix, res, config, t}) => {
      const ds = await open()
      const c = res.trackWatch(collect(ds, prefix, (await ds.revision()) + 1))
      const bulk = res.spawnWorker('write-keys', config, [`${prefix}bulk/`, '300'])
      assert.equal(await bulk.exited(), 0, bulk.stderr())
      await c.waitForCount(300)
      assert.deepEqual(
        c.events.map((e) => eventKey(e)),
        Array.from({length: 300}, (_, i) => `${prefix}bulk/${String(i).padStart(6, '0')}`),
      )
      strictlyIncreasing(c.events.map(eventRevision), 'cross-process watch revisions')

      // Latency: paced writes; each value carries the writer's clock just before its write.
      const paced = res.spawnWorker('write-keys', config, [`${prefix}paced/`, '20', '30'])
      await c.waitForCount(320, 30_000)
      assert.equal(await paced.exited(), 0, paced.stderr())
      const latencies = c.events.slice(300).map((e, i) => {
        assert.equal(e.type, 'put')
        return c.arrivals[300 + i] - (JSON.parse(e.type === 'put' ? e.kv.value : '{}') as {t: number}).t
      })
      t.diagnostic(`other process → watch latency: median ${median(latencies)} ms, max ${Math.max(...latencies)} ms`)
      await sleep(100)
      assert.equal(c.events.length, 320, 'exactly once')
      assert.equal(c.error, undefined)
    })

    it('a process that closes its watch and datastore exits by itself', 30_000, async ({prefix, res, config}) => {
      const w = res.spawnWorker('watch-exit', config, [prefix])
      assert.equal(await w.exited(20_000), 0, w.stderr())
      assert.ok(w.lines.includes('closed'))
    })

    // ---------------------------------------------------------------- compaction

    it('compaction: reads and watches below the compacted revision fail with CompactedError', 20_000, async ({open, prefix, res}) => {
      const ds = await open()
      const a1 = await ds.create(`${prefix}a`, 'a1')
      const a2 = await ds.update(`${prefix}a`, 'a2')
      const b1 = await ds.create(`${prefix}b`, 'b1')
      await ds.compact(a2.modRevision)

      const err = await rejectsWith(ds.list(prefix, {revision: a1.modRevision}), CompactedError, 'list below compaction')
      assert.equal(err.requestedRevision, a1.modRevision)
      assert.ok(err.compactRevision >= a2.modRevision)
      assert.deepEqual((await ds.list(prefix, {revision: a2.modRevision})).items, [a2], 'the compaction revision itself is readable')
      assert.deepEqual((await ds.list(prefix)).items, [a2, b1], 'current data survives compaction')
      assert.deepEqual(await ds.get(`${prefix}a`), a2)

      const stale = res.trackWatch(collect(ds, prefix, a1.modRevision))
      const watchErr = await stale.waitForError()
      assert.ok(watchErr instanceof CompactedError, `expected CompactedError, got ${String(watchErr)}`)
      assert.equal(stale.events.length, 0)

      const fresh = res.trackWatch(collect(ds, prefix, a2.modRevision))
      await fresh.waitForCount(2)
      assertEvents(fresh.events, [{type: 'put', kv: a2, prev: a1}, {type: 'put', kv: b1}])
      assert.deepEqual(fresh.events.map(eventRevision), [a2.modRevision, b1.modRevision])
      assert.equal(fresh.error, undefined)

      // Writes go on after compaction.
      const c1 = await ds.create(`${prefix}c`, 'c1')
      await fresh.waitForCount(3)
      assertEvents(fresh.events.slice(2), [{type: 'put', kv: c1}])
    })

    // ---------------------------------------------------------------- processes

    it('two processes racing CAS increments lose no update', 120_000, async ({open, prefix, res, config, t}) => {
      const ds = await open()
      const key = `${prefix}counter`
      const created = await ds.create(key, '0')
      const perWorker = 200
      const goKey = `${prefix}go`
      const workers = [0, 1].map(() => res.spawnWorker('cas-increment', config, [key, String(perWorker), goKey]))
      for (const w of workers) await w.waitForLine((l) => l === 'ready')
      const started = performance.now()
      await ds.create(goKey, 'go')
      for (const w of workers) assert.equal(await w.exited(100_000), 0, w.stderr())
      const ms = performance.now() - started
      const conflicts = workers.map((w) => w.lines.find((l) => l.startsWith('done ')) ?? '?')
      t.diagnostic(`2×${perWorker} CAS increments in ${ms.toFixed(0)} ms; ${conflicts.join(', ')} conflicts`)
      const final = await ds.get(key)
      assert.equal(final?.value, String(2 * perWorker), 'final counter is exact')

      // The history is a single chain: every update replaced exactly the previous value.
      const c = res.trackWatch(collect(ds, key, created.modRevision))
      await c.waitForCount(2 * perWorker + 1)
      c.events.forEach((e, i) => {
        assert.equal(e.type, 'put')
        if (e.type !== 'put') return
        assert.equal(e.kv.value, String(i))
        if (i > 0 && e.prev !== undefined) assert.equal(e.prev.value, String(i - 1))
      })
    })

    it('kill -9 of a writing process leaves a readable store with only complete values', 180_000, async (ctx) => {
      const {open, prefix, res, config, t} = ctx
      for (let round = 0; round < 3; round++) {
        const w = res.spawnWorker('write-stream', config, [`${prefix}stream/`])
        // Let it get well into its stream, then kill it at an arbitrary moment.
        await w.waitForLine((l) => l.startsWith('progress ') && Number(l.slice(9)) >= 40 + round * 20, 60_000)
        await sleep(Math.floor(Math.random() * 25))
        w.child.kill('SIGKILL')
        assert.equal(await w.exited(10_000), 'SIGKILL')

        const ds = await open()
        const listed = await listAllPaged(ds, `${prefix}stream/`, 200)
        assert.ok(listed.items.length > 0, 'the writes before the kill are there')
        for (const kv of listed.items) {
          const parsed = JSON.parse(kv.value) as {seq: number; body: string; sum: string}
          assert.equal(checksum(parsed.body), parsed.sum, `value of ${kv.key} is complete`)
          assert.ok(kv.modRevision <= listed.revision && kv.createRevision <= kv.modRevision)
        }
        const probe = await ds.create(`${prefix}probe/${round}`, 'after kill')
        assert.ok(probe.modRevision > listed.revision, 'writes work after the kill')
        assert.equal((await ds.get(`${prefix}probe/${round}`))?.value, 'after kill')
        t.diagnostic(`round ${round}: ${listed.items.length} keys intact at revision ${listed.revision}`)
      }
    })
  })
}

/**
 * Compares watch events with the expected ones. `prev` is optional in the contract (a backend may
 * be unable to supply it, as a Kubernetes watch cannot for updates), so it is compared only when
 * the backend delivered one; a delivered `prev` must be exactly right.
 */
function assertEvents(actual: WatchEvent[], expected: WatchEvent[]): void {
  assert.equal(actual.length, expected.length, 'number of watch events')
  actual.forEach((a, i) => {
    const e = expected[i]
    const strip = (ev: WatchEvent): WatchEvent =>
      ev.type === 'put' ? {type: 'put', kv: ev.kv} : {type: 'delete', key: ev.key, modRevision: ev.modRevision}
    assert.deepEqual(strip(a), strip(e), `watch event #${i}`)
    if (a.prev !== undefined) assert.deepEqual(a.prev, e.prev, `prev of watch event #${i}`)
  })
}
