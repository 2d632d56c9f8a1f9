/**
 * The etcd backend against a real etcd server (Debian's etcd-server) started by this file: the
 * conformance suite, then etcd-only checks of configuration, batching and the throughput
 * figures. Failure handling (unreachable, failover, restarts, auth) is in etcd-failures.test.ts,
 * TLS in etcd-tls.test.ts. If etcd cannot be started every test here fails; nothing is skipped.
 */
import assert from 'node:assert/strict'
import {after, describe, test} from 'node:test'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import {DatastoreError, type WriteOp} from '../../src/datastore/datastore.js'
import {openEtcdDatastore} from '../../src/datastore/etcd/index.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {runConformance} from './conformance.js'
import {EtcdServer} from './etcd/server.js'
import {formatFigures, measure} from './etcd/throughput.js'
import {Resources} from './support.js'

let shared: Promise<EtcdServer> | undefined
/** One server for the whole file (tests run one at a time and use their own key prefixes). */
function server(): Promise<EtcdServer> {
  shared ??= EtcdServer.start()
  return shared
}
after(async () => {
  const s = await shared?.catch(() => undefined)
  await s?.destroy()
})

async function config(): Promise<DatastoreConfig> {
  return {datastoreType: 'etcdv3', etcdEndpoints: (await server()).clientUrl}
}

runConformance('etcd', async () => ({config: await config(), cleanup: async () => {}}))

describe('etcd backend specifics', () => {
  test('the factory opens an etcdv3 datastore; keys and values are stored verbatim', {timeout: 20_000}, async () => {
    const res = new Resources()
    try {
      const ds = res.track(await createDatastore(await config()))
      assert.equal(ds.type, 'etcdv3')
      const key = '/calico/resources/v3/projectcalico.org/globalnetworkpolicies/verbatim'
      const value = JSON.stringify({kind: 'GlobalNetworkPolicy', metadata: {name: 'verbatim'}})
      const kv = await ds.create(key, value)
      const raw = await (await server()).etcdctl(['get', key, '-w', 'json'])
      const parsed = JSON.parse(raw) as {kvs: Array<{key: string; value: string; mod_revision: number; create_revision: number}>}
      assert.equal(Buffer.from(parsed.kvs[0].key, 'base64').toString(), key)
      assert.equal(Buffer.from(parsed.kvs[0].value, 'base64').toString(), value)
      assert.equal(parsed.kvs[0].mod_revision, kv.modRevision, 'modRevision is etcd mod_revision')
      assert.equal(parsed.kvs[0].create_revision, kv.createRevision)
    } finally {
      await res.release()
    }
  })

  test('configuration errors are one clear line and never echo secrets', async () => {
    const open = (extra: Partial<DatastoreConfig>) => createDatastore({datastoreType: 'etcdv3', ...extra})
    await assert.rejects(open({}), {name: 'DatastoreError', message: /^no etcd endpoints specified/})
    await assert.rejects(open({etcdEndpoints: ' , '}), /no etcd endpoints specified/)
    await assert.rejects(open({etcdEndpoints: 'unix:///run/etcd.sock'}), /the scheme must be http or https/)
    await assert.rejects(open({etcdEndpoints: 'http://127.0.0.1:2379,https://127.0.0.1:2380'}), /mix http and https/)
    const withUserInfo = open({etcdEndpoints: 'http://admin:hunter2@127.0.0.1:2379'})
    await assert.rejects(withUserInfo, (error: Error) => {
      assert.match(error.message, /credentials do not belong in the URL/)
      assert.ok(!error.message.includes('hunter2'), error.message)
      return true
    })
    await assert.rejects(
      open({etcdEndpoints: 'http://127.0.0.1:2379', etcdCACert: 'PEM', etcdCertFile: '/x'}),
      {message: 'Cannot mix inline certificate-key and certificate / key files'},
    )
    await assert.rejects(
      open({etcdEndpoints: 'http://127.0.0.1:2379', etcdCertFile: '/nonexistent/cert.pem', etcdKeyFile: '/nonexistent/key.pem'}),
      {message: 'cannot read etcdCertFile /nonexistent/cert.pem: ENOENT'},
    )
    await assert.rejects(
      open({etcdEndpoints: 'https://127.0.0.1:2379', etcdKey: '-----BEGIN PRIVATE KEY-----\nsecret\n'}),
      (error: Error) => {
        assert.equal(error.message, 'etcdCert and etcdKey must be given together')
        return true
      },
    )
    await assert.rejects(
      open({etcdEndpoints: 'http://127.0.0.1:2379', etcdDiscoverySrv: 'example.com'}),
      /use either "etcdEndpoints" or "etcdDiscoverySrv"/,
    )
    // A port-less endpoint means etcd's 2379; nothing is contacted when opening.
    const ds = await open({etcdEndpoints: 'http://127.0.0.1'})
    await ds.close()
  })

  test('batch keeps op order for one key and splits groups when etcd allows fewer ops per transaction', {timeout: 60_000}, async () => {
    const s = await EtcdServer.start({extraArgs: ['--max-txn-ops', '16']})
    const ds = openEtcdDatastore({datastoreType: 'etcdv3', etcdEndpoints: s.clientUrl})
    try {
      const ops: WriteOp[] = []
      for (let i = 0; i < 300; i++) ops.push({op: 'create', key: `/small/${i}`, value: `${i}`})
      for (let i = 0; i < 300; i += 3) ops.push({op: 'update', key: `/small/${i}`, value: `${i}b`})
      for (let i = 0; i < 300; i += 3) ops.push({op: 'delete', key: `/small/${i}`})
      const results = await ds.batch(ops)
      results.forEach((r, i) => assert.ok(r.ok, `op ${i}: ${r.ok ? '' : r.error.message}`))
      const listed = await ds.list('/small/')
      assert.equal(listed.items.length, 200)
      assert.ok(listed.items.every((kv) => Number(kv.value) % 3 !== 0))
    } finally {
      await ds.close()
      await s.destroy()
    }
  })

  test('a value too large for etcd fails alone; the rest of the batch is applied', {timeout: 30_000}, async () => {
    const res = new Resources()
    try {
      const ds = res.track(await createDatastore(await config()))
      const results = await ds.batch([
        {op: 'create', key: '/large/a', value: 'a'},
        {op: 'create', key: '/large/huge', value: 'x'.repeat(3 * 1024 * 1024)},
        {op: 'create', key: '/large/b', value: 'b'},
      ])
      assert.ok(results[0].ok && results[2].ok)
      assert.ok(!results[1].ok)
      assert.ok(results[1].error instanceof DatastoreError)
      assert.match(results[1].error.message, /request is too large/)
      assert.equal(results[1].error.key, '/large/huge')
      assert.equal(await ds.get('/large/huge'), undefined)
    } finally {
      await res.release()
    }
  })

  test('throughput: batch vs raw batched puts, single ops, watch latency (figures only)', {timeout: 240_000}, async (t) => {
    const figures = await measure((await server()).clientUrl, 10_000, 3)
    for (const line of formatFigures(figures)) t.diagnostic(line)
    assert.ok(figures.batchPerSecond > 0 && figures.rawPerSecond > 0)
  })
})
