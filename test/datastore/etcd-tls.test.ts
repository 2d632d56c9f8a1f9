/**
 * The etcd backend over TLS with client certificates (etcd run with --client-cert-auth), with a
 * CA, server and client certificates made at test time by openssl: the conformance suite with
 * certificate files, then inline PEM and the failures a misconfigured client must report.
 */
import assert from 'node:assert/strict'
import {after, describe, test} from 'node:test'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import {UnavailableError} from '../../src/datastore/datastore.js'
import {openEtcdDatastore} from '../../src/datastore/etcd/index.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {runConformance} from './conformance.js'
import {makeTestPki, type TestPki} from './etcd/certs.js'
import {EtcdServer} from './etcd/server.js'

let shared: Promise<{server: EtcdServer; pki: TestPki}> | undefined
function tlsServer(): Promise<{server: EtcdServer; pki: TestPki}> {
  shared ??= (async () => {
    const pki = makeTestPki()
    try {
      const server = await EtcdServer.start({
        tls: {caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile},
      })
      return {server, pki}
    } catch (error) {
      pki.remove()
      throw error
    }
  })()
  return shared
}
after(async () => {
  const s = await shared?.catch(() => undefined)
  await s?.server.destroy()
  s?.pki.remove()
})

async function fileConfig(): Promise<DatastoreConfig> {
  const {server, pki} = await tlsServer()
  return {
    datastoreType: 'etcdv3',
    etcdEndpoints: server.clientUrl,
    etcdCACertFile: pki.caFile,
    etcdCertFile: pki.clientCertFile,
    etcdKeyFile: pki.clientKeyFile,
  }
}

runConformance('etcd over TLS', async () => ({config: await fileConfig(), cleanup: async () => {}}))

describe('etcd TLS specifics', () => {
  test('inline PEM certificates work like files', {timeout: 20_000}, async () => {
    const {server, pki} = await tlsServer()
    const ds = await createDatastore({
      datastoreType: 'etcdv3',
      etcdEndpoints: server.clientUrl,
      etcdCACert: pki.read(pki.caFile),
      etcdCert: pki.read(pki.clientCertFile),
      etcdKey: pki.read(pki.clientKeyFile),
    })
    try {
      const kv = await ds.create('/tls/inline', 'yes')
      assert.deepEqual(await ds.get('/tls/inline'), kv)
    } finally {
      await ds.close()
    }
  })

  test('a wrong CA, a missing client certificate and a plain-http client fail with one clear line', {timeout: 30_000}, async () => {
    const {server, pki} = await tlsServer()
    const base = await fileConfig()
    const cases: Array<[string, DatastoreConfig, RegExp]> = [
      ['wrong CA', {...base, etcdCACertFile: pki.otherCaFile}, /TLS handshake failed: unable to verify the first certificate$/],
      [
        'no client certificate',
        {datastoreType: 'etcdv3', etcdEndpoints: server.clientUrl, etcdCACertFile: pki.caFile},
        /TLS handshake failed: the server refused the connection \(TLS alert "(bad certificate|certificate required)"/,
      ],
      [
        'http client',
        {datastoreType: 'etcdv3', etcdEndpoints: server.clientUrl.replace('https:', 'http:')},
        /connection failed \(no HTTP\/2 answer; is the endpoint https\?\)$/,
      ],
    ]
    await Promise.all(
      cases.map(async ([name, config, pattern]) => {
        const ds = openEtcdDatastore(config, {timeoutMs: 1_500})
        try {
          await assert.rejects(ds.get('/tls/x'), (error: Error) => {
            assert.ok(error instanceof UnavailableError, `${name}: ${String(error)}`)
            assert.match(error.message, /^etcd is unreachable at http/)
            assert.match(error.message, pattern, name)
            assert.ok(!error.message.includes('\n'), name)
            assert.ok(!error.message.includes('PRIVATE KEY'), name)
            return true
          })
        } finally {
          await ds.close()
        }
      }),
    )
  })
})
