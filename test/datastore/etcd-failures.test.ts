/**
 * How the etcd backend behaves when etcd or the network does not: unreachable and hung
 * endpoints, failover between endpoints, watches across dropped connections and etcd restarts,
 * a batch cut off mid-way, and username/password authentication (secrets never in errors).
 * Every server and proxy is started and removed here, also when a test fails.
 */
import assert from 'node:assert/strict'
import {after, describe, test} from 'node:test'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import {type Datastore, DatastoreError, UnavailableError, type WriteOp} from '../../src/datastore/datastore.js'
import {openEtcdDatastore} from '../../src/datastore/etcd/index.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {EtcdServer, freePort} from './etcd/server.js'
import {silentServer, TcpProxy} from './etcd/proxy.js'
import {collect, eventKey, eventRevision, Resources, sleep} from './support.js'

const cleanups: Array<() => Promise<void>> = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

async function startServer(options?: Parameters<typeof EtcdServer.start>[0]): Promise<EtcdServer> {
  const server = await EtcdServer.start(options)
  cleanups.push(() => server.destroy())
  return server
}

function etcd(endpoints: string, extra: Partial<DatastoreConfig> = {}): DatastoreConfig {
  return {datastoreType: 'etcdv3', etcdEndpoints: endpoints, ...extra}
}

/** Awaits `promise`, expecting a rejection; returns the error and how long it took. */
async function failure(promise: Promise<unknown>): Promise<{error: Error; ms: number}> {
  const started = Date.now()
  try {
    await promise
  } catch (error) {
    return {error: error as Error, ms: Date.now() - started}
  }
  assert.fail('expected a failure')
}

function assertOneLine(error: Error): void {
  assert.ok(!error.message.includes('\n'), `one line: ${JSON.stringify(error.message)}`)
}

describe('etcd unreachable', () => {
  test('a refused endpoint gives one clear line within the 5 s default budget, for every operation', {timeout: 30_000}, async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const ds = await createDatastore(etcd(url))
    try {
      const ops: WriteOp[] = Array.from({length: 300}, (_, i) => ({op: 'create', key: `/u/${i}`, value: 'v'}))
      const [get, create, list, batch] = await Promise.all([
        failure(ds.get('/u/a')),
        failure(ds.create('/u/a', 'v')),
        failure(ds.list('/u/')),
        (async () => {
          const started = Date.now()
          return {results: await ds.batch(ops), ms: Date.now() - started}
        })(),
      ])
      for (const {error, ms} of [get, create, list]) {
        assert.ok(error instanceof UnavailableError, String(error))
        assertOneLine(error)
        assert.ok(ms <= 6_500, `failed after ${ms} ms`)
      }
      assert.equal(get.error.message, `etcd is unreachable at ${url}: connection refused`)
      assert.equal(create.error.message, `etcd is unreachable at ${url}: connection refused (not written)`)
      assert.ok(batch.ms <= 6_500, `batch failed after ${batch.ms} ms`)
      for (const [i, r] of batch.results.entries()) {
        assert.ok(!r.ok)
        assert.ok(r.error instanceof UnavailableError)
        assert.equal(r.error.key, ops[i].key)
        assert.match(r.error.message, /etcd is unreachable at .*: connection refused/)
      }
    } finally {
      await ds.close()
    }
  })

  test('several dead endpoints are all named; the budget is configurable', {timeout: 20_000}, async () => {
    const urls = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`]
    const ds = openEtcdDatastore(etcd(urls.join(',')), {timeoutMs: 1_000})
    try {
      const {error, ms} = await failure(ds.revision())
      assert.equal(error.message, `etcd is unreachable at ${urls.join(',')}: connection refused`)
      assert.ok(ms <= 2_000, `failed after ${ms} ms`)
    } finally {
      await ds.close()
    }
  })

  test('an endpoint that accepts connections but never answers fails within the budget', {timeout: 20_000}, async () => {
    const silent = await silentServer()
    cleanups.push(() => silent.close())
    const ds = await createDatastore(etcd(silent.url))
    try {
      const {error, ms} = await failure(ds.get('/x'))
      assert.ok(error instanceof UnavailableError)
      assertOneLine(error)
      assert.equal(error.message, `etcd is unreachable at ${silent.url}: could not connect in time`)
      assert.ok(ms >= 4_000 && ms <= 6_500, `failed after ${ms} ms`)
    } finally {
      await ds.close()
    }
  })
})

describe('etcd failover and resumed watches', () => {
  test('a dead first (or second) endpoint is skipped: every operation succeeds', {timeout: 30_000}, async () => {
    const server = await startServer()
    const dead = `http://127.0.0.1:${await freePort()}`
    for (const endpoints of [`${dead},${server.clientUrl}`, `${server.clientUrl},${dead}`]) {
      const res = new Resources()
      try {
        const ds = res.track(await createDatastore(etcd(endpoints)))
        const prefix = `/failover/${endpoints.indexOf(dead)}/`
        const c = res.trackWatch(collect(ds, prefix, (await ds.revision()) + 1))
        for (let i = 0; i < 20; i++) {
          const started = Date.now()
          await ds.create(`${prefix}${i}`, `${i}`)
          assert.equal((await ds.get(`${prefix}${i}`))?.value, `${i}`)
          assert.ok(Date.now() - started < 2_000, 'no long waits on the dead endpoint')
        }
        assert.equal((await ds.list(prefix)).items.length, 20)
        await c.waitForCount(20)
        assert.equal(c.error, undefined)
      } finally {
        await res.release()
      }
    }
  })

  test('a watch resumes on another endpoint after its connection drops, without loss or repeats', {timeout: 60_000}, async () => {
    const server = await startServer()
    const a = await TcpProxy.start(server.clientUrl)
    const b = await TcpProxy.start(server.clientUrl)
    cleanups.push(() => a.close(), () => b.close())
    const res = new Resources()
    try {
      const ds = res.track(await createDatastore(etcd(`${a.url},${b.url}`)))
      const writer = res.track(await createDatastore(etcd(server.clientUrl)))
      const c = res.trackWatch(collect(ds, '/fw/', (await writer.revision()) + 1))
      let n = 0
      const write = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++, n++) await writer.create(`/fw/${String(n).padStart(3, '0')}`, `${n}`)
      }
      await write(5)
      await c.waitForCount(5)
      // Endpoint A goes away (refused from now on); B drops its connections but stays up.
      await a.close()
      b.cut()
      await write(5)
      await c.waitForCount(10, 15_000)
      // And the other way round.
      await a.open()
      await b.close()
      await write(5)
      await c.waitForCount(15, 15_000)
      await sleep(200)
      assert.deepEqual(c.events.map(eventKey), Array.from({length: 15}, (_, i) => `/fw/${String(i).padStart(3, '0')}`))
      assert.equal(c.error, undefined)
      assert.equal((await ds.get('/fw/014'))?.value, '14', 'reads fail over too')
    } finally {
      await res.release()
    }
  })

  test('a watch resumes across etcd restarts (clean stop and kill -9) without loss or repeats', {timeout: 90_000}, async () => {
    const server = await startServer()
    const res = new Resources()
    try {
      const ds = res.track(await createDatastore(etcd(server.clientUrl)))
      const start = (await ds.revision()) + 1
      const c = res.trackWatch(collect(ds, '/restart/', start))
      let n = 0
      const write = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++, n++) await ds.create(`/restart/${String(n).padStart(3, '0')}`, `${n}`)
      }
      await write(3)
      await c.waitForCount(3)
      let late: ReturnType<typeof collect> | undefined
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        await server.stop(signal)
        // Nothing is written while etcd is down; a new watch may even be opened meanwhile.
        late ??= res.trackWatch(collect(ds, '/restart/', start))
        await sleep(500)
        await server.resume()
        await write(3)
        await c.waitForCount(n, 20_000)
      }
      await late?.waitForCount(n, 20_000)
      await sleep(200)
      const expected = Array.from({length: n}, (_, i) => `/restart/${String(i).padStart(3, '0')}`)
      for (const w of [c, late]) {
        assert.deepEqual(w?.events.map(eventKey), expected)
        const revisions = w?.events.map(eventRevision) ?? []
        revisions.forEach((r, i) => assert.ok(i === 0 || r > revisions[i - 1]))
        assert.equal(w?.error, undefined)
      }
    } finally {
      await res.release()
    }
  })

  test('a batch cut off mid-way says which ops were applied, not applied, or may have been', {timeout: 60_000}, async (t) => {
    const server = await startServer()
    const proxy = await TcpProxy.start(server.clientUrl)
    cleanups.push(() => proxy.close())
    const res = new Resources()
    try {
      const ds = res.track(await createDatastore(etcd(proxy.url)))
      const direct = res.track(await createDatastore(etcd(server.clientUrl)))
      const before = await direct.revision()
      const ops: WriteOp[] = Array.from({length: 40_000}, (_, i) => ({
        op: 'create',
        key: `/cut/${String(i).padStart(6, '0')}`,
        value: 'x'.repeat(200),
      }))
      const started = Date.now()
      const pending = ds.batch(ops)
      while ((await direct.revision()) < before + 20) await sleep(2)
      await proxy.close()
      const results = await pending
      const ms = Date.now() - started
      const kinds = {applied: 0, notWritten: 0, maybe: 0, notAttempted: 0}
      const exists = new Set((await direct.list('/cut/')).items.map((kv) => kv.key))
      for (const [i, r] of results.entries()) {
        const key = ops[i].key
        if (r.ok) {
          kinds.applied++
          assert.ok(exists.has(key), `${key} reported applied`)
          continue
        }
        assert.ok(r.error instanceof UnavailableError, String(r.error))
        assert.equal(r.error.key, key)
        assertOneLine(r.error)
        assert.ok(r.error.message.includes(proxy.url), r.error.message)
        if (/^not attempted: an earlier write of this batch failed \(/.test(r.error.message)) {
          kinds.notAttempted++
          assert.ok(!exists.has(key), `${key} reported not attempted`)
        } else if (/during the write: .*; it may or may not have been applied$/.test(r.error.message)) {
          kinds.maybe++
        } else {
          assert.match(r.error.message, /\(not written\)$/)
          kinds.notWritten++
          assert.ok(!exists.has(key), `${key} reported not written`)
        }
      }
      t.diagnostic(`after the cut at ${ms} ms: ${JSON.stringify(kinds)}`)
      assert.ok(kinds.applied > 0, JSON.stringify(kinds))
      assert.ok(kinds.maybe + kinds.notAttempted + kinds.notWritten > 0, JSON.stringify(kinds))
      assert.ok(ms < 15_000, `the batch ended after ${ms} ms`)
    } finally {
      await res.release()
    }
  })
})

describe('etcd username/password authentication', () => {
  const password = 's3cr3t-Pa55-w0rd'
  const rootPassword = 'r00t-Pa55'

  async function authServer(): Promise<EtcdServer> {
    const server = await startServer()
    const ctl = (args: string[]) => server.etcdctl(args)
    await ctl(['user', 'add', `root:${rootPassword}`])
    await ctl(['user', 'grant-role', 'root', 'root'])
    await ctl(['role', 'add', 'calico'])
    await ctl(['role', 'grant-permission', 'calico', '--prefix=true', 'readwrite', '/calico/'])
    await ctl(['user', 'add', `calico:${password}`])
    await ctl(['user', 'grant-role', 'calico', 'calico'])
    await ctl(['auth', 'enable'])
    return server
  }

  function assertNoSecret(error: unknown): void {
    const texts = [String(error), (error as Error).stack ?? '', JSON.stringify(error)]
    for (const text of texts) {
      assert.ok(!text.includes(password) && !text.includes(rootPassword), `secret leaked: ${text}`)
    }
  }

  test('works with the right password, fails clearly with a wrong one, and never shows it', {timeout: 60_000}, async () => {
    const server = await authServer()
    const res = new Resources()
    try {
      const ds: Datastore = res.track(await createDatastore(etcd(server.clientUrl, {etcdUsername: 'calico', etcdPassword: password})))
      const c = res.trackWatch(collect(ds, '/calico/', (await ds.revision()) + 1))
      await ds.create('/calico/a', '1')
      const results = await ds.batch([
        {op: 'create', key: '/calico/b', value: '2'},
        {op: 'update', key: '/calico/a', value: '1b'},
      ])
      assert.ok(results.every((r) => r.ok))
      assert.deepEqual((await ds.list('/calico/')).items.map((kv) => kv.value), ['1b', '2'])
      await c.waitForCount(3)

      const denied = await failure(ds.create('/elsewhere/a', 'x'))
      assert.ok(denied.error instanceof DatastoreError)
      assert.match(denied.error.message, /permission denied/)
      assertOneLine(denied.error)
      assertNoSecret(denied.error)

      const refused = res.trackWatch(collect(ds, '/elsewhere/', 1))
      assert.match((await refused.waitForError()).message, /permission denied/)

      const wrong = res.track(await createDatastore(etcd(server.clientUrl, {etcdUsername: 'calico', etcdPassword: 'not-it'})))
      const bad = await failure(wrong.get('/calico/a'))
      assert.ok(bad.error instanceof DatastoreError && !(bad.error instanceof UnavailableError), String(bad.error))
      assert.match(bad.error.message, /authentication failed/)
      assert.ok(bad.ms < 2_000, 'a wrong password is not retried')
      assertOneLine(bad.error)
      assertNoSecret(bad.error)

      const gone = openEtcdDatastore(etcd(`http://127.0.0.1:${await freePort()}`, {etcdUsername: 'calico', etcdPassword: password}), {
        timeoutMs: 500,
      })
      res.track(gone)
      assertNoSecret((await failure(gone.create('/calico/x', 'y'))).error)
      for (const r of await gone.batch([{op: 'create', key: '/calico/y', value: 'z'}])) assert.ok(!r.ok && (assertNoSecret(r.error), true))

      // Restarting etcd invalidates the auth token: reads, writes and the watch carry on.
      await server.stop()
      await server.resume()
      await ds.create('/calico/c', '3')
      await c.waitForCount(4, 20_000)
      assert.deepEqual(c.events.map(eventKey), ['/calico/a', '/calico/b', '/calico/a', '/calico/c'])
      assert.equal(c.error, undefined)
    } finally {
      await res.release()
    }
  })
})
