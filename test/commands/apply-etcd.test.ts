/**
 * The resource commands against a real etcd (the server is started and removed here): the same
 * commands and messages as on the local store, and an apply of many resources cut off mid-way by
 * etcd going away, whose output must say which resources were not written.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {createDatastore} from '../../src/datastore/factory.js'
import {TcpProxy} from '../datastore/etcd/proxy.js'
import {EtcdServer} from '../datastore/etcd/server.js'
import {runCli} from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')
const fixtures = join(root, 'test', 'fixtures', 'resources')
const POLICY_PREFIX = '/calico/resources/v3/projectcalico.org/networkpolicies/'

function policyFile(dir: string, count: number): string {
  const docs = Array.from(
    {length: count},
    (_, i) =>
      `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p-${i}, namespace: ns-${i % 10}}\n` +
      `spec:\n  selector: app == "a${i % 7}"\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination: {ports: [${1 + (i % 60000)}]}\n`,
  )
  const file = join(dir, `policies-${count}.yaml`)
  writeFileSync(file, docs.join('---\n'))
  return file
}

describe('resource commands on etcd', () => {
  let server: EtcdServer
  let dir: string
  const env = () => ({DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: server.clientUrls[0], CALICO_DATASTORE_DIR: undefined})
  before(async () => {
    server = await EtcdServer.start()
    dir = mkdtempSync(join(tmpdir(), 'apply-etcd-'))
  })
  after(async () => {
    await server.destroy()
    rmSync(dir, {recursive: true, force: true})
  })

  test('apply, get, replace and delete behave as on the local store', async () => {
    const applied = await runCli(['apply', '-f', join(fixtures, 'pools.yaml')], {env: env()})
    assert.deepEqual([applied.exitCode, applied.stdout], [0, "Successfully applied 3 'IPPool' resource(s)\n"])
    const again = await runCli(['create', '-f', join(fixtures, 'pools.yaml')], {env: env()})
    assert.equal(again.exitCode, 1)
    assert.match(again.stderr, /^failed to create any 'IPPool' resources: \[resource already exists: IPPool\(pool-a\)/)
    const pool = JSON.parse((await runCli(['get', 'ippool', 'pool-a', '-o', 'json'], {env: env()})).stdout)
    const kv = await (async () => {
      const ds = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: server.clientUrls[0]})
      try {
        return await ds.get('/calico/resources/v3/projectcalico.org/ippools/pool-a')
      } finally {
        await ds.close()
      }
    })()
    assert.ok(kv, 'stored under Calico\'s etcd key')
    assert.equal(pool.metadata.resourceVersion, String(kv.modRevision), 'resourceVersion is the etcd mod revision')
    assert.equal(JSON.parse(kv.value).metadata.resourceVersion, undefined, 'the stored value carries no resourceVersion')
    const deleted = await runCli(['delete', 'ippool', 'pool-a', 'pool-b', 'pool-v6'], {env: env()})
    assert.deepEqual([deleted.exitCode, deleted.stdout], [0, "Successfully deleted 3 'IPPool' resource(s)\n"])
  })

  test('a key written again by the next batch keeps input order while batches overlap', async () => {
    // 1,500 documents over 600 names: most names recur in the next batch of 500, which is
    // prepared (and may be sent) while the previous one is still being written.
    const names = 600
    const docs = Array.from(
      {length: 1500},
      (_, i) =>
        `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: r-${i % names}, namespace: ns-r}\n` +
        `spec:\n  selector: all()\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination: {ports: [${i + 1}]}\n`,
    )
    const file = join(dir, 'recurring.yaml')
    writeFileSync(file, docs.join('---\n'))
    try {
      const result = await runCli(['apply', '-f', file], {env: env()})
      assert.deepEqual([result.exitCode, result.stdout, result.stderr], [0, "Successfully applied 1500 'NetworkPolicy' resource(s)\n", ''])
      const listed = JSON.parse((await runCli(['get', 'networkpolicy', '-n', 'ns-r', '-o', 'json'], {env: env()})).stdout)
      assert.equal(listed.items.length, names)
      for (const item of listed.items) {
        const n = Number(item.metadata.name.slice(2))
        const last = n + 600 * Math.floor((1499 - n) / 600)
        assert.equal(item.spec.ingress[0].destination.ports[0], last + 1, item.metadata.name)
      }
    } finally {
      // The next test counts the policies under the shared prefix.
      const policyNames = Array.from({length: names}, (_, i) => `r-${i}`)
      await runCli(['delete', 'networkpolicy', ...policyNames, '-n', 'ns-r', '--skip-not-exists'], {env: env()})
    }
  })

  test('etcd unreachable: one line naming the endpoint and the cause', async () => {
    const result = await runCli(['get', 'ippools', '--allow-version-mismatch'], {
      env: {...env(), ETCD_ENDPOINTS: 'http://127.0.0.1:1'},
    })
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /^etcd is unreachable at http:\/\/127\.0\.0\.1:1: connection refused\n$/)
  })

  test('etcd going away in the middle of an apply: every unwritten resource is named', {timeout: 120_000}, async () => {
    const count = 20_000
    const file = policyFile(dir, count)
    const proxy = await TcpProxy.start(server.clientUrls[0])
    const direct = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: server.clientUrls[0]})
    try {
      const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), 'apply', '-f', file], {
        env: {...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: proxy.url},
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
      // Cut etcd off once some policies have landed, but long before all of them can have.
      for (;;) {
        const written = (await direct.list(POLICY_PREFIX, {limit: 1000})).items.length
        if (written >= 500) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      await proxy.close()
      const code = await exited
      assert.equal(code, 1)

      const stored = new Set((await direct.list(POLICY_PREFIX)).items.map((kv) => kv.key.slice(POLICY_PREFIX.length)))
      assert.ok(stored.size > 0 && stored.size < count, `some but not all were written (${stored.size})`)
      const failed = new Map<string, string>()
      for (const match of stderr.matchAll(/NetworkPolicy\((ns-\d+\/p-\d+)\): ([^\]]*?)(?= NetworkPolicy\(|\]\n)/g)) {
        failed.set(match[1], match[2])
      }
      const unsure = [...failed.values()].filter((reason) => reason.includes('may or may not have been applied')).length
      for (let i = 0; i < count; i++) {
        const id = `ns-${i % 10}/p-${i}`
        const reason = failed.get(id)
        if (reason === undefined) assert.ok(stored.has(id), `${id} was reported applied and is in etcd`)
        else if (!reason.includes('may or may not have been applied')) assert.ok(!stored.has(id), `${id} reported not written: ${reason}`)
      }
      assert.ok(failed.size > 0, 'the failures are listed')
      assert.ok(unsure <= 1000, `only writes in flight are uncertain (${unsure})`)
      assert.match(stderr, new RegExp(proxy.url.replaceAll('.', '\\.')), 'the reason names the endpoint')
      if (stored.size > failed.size) assert.match(stdout, /^Partial success: applied the first \d+ out of 20000 'NetworkPolicy' resources:\n$/)
    } finally {
      await proxy.close()
      await direct.close()
    }
  })
})
