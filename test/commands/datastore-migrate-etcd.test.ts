/**
 * `datastore migrate` between backends: local → etcd → local against a real etcd server started
 * here (test/datastore/etcd/server.ts). If etcd cannot be started the test fails; nothing is skipped.
 */
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, test} from 'node:test'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import {EtcdServer} from '../datastore/etcd/server.js'
import {runCli, tempStore} from '../helpers/cli.js'
import {
  ALL_KINDS_FIXTURE,
  IPAM_SEED,
  localConfig,
  MIRRORED_POLICY_KEY,
  MIRRORED_POLICY_VALUE,
  readRaw,
  seedRaw,
  snapshot,
} from '../fixtures/migrate/support.js'

let server: EtcdServer | undefined
const stores: Array<ReturnType<typeof tempStore>> = []
after(async () => {
  await server?.destroy()
  stores.forEach((s) => s.cleanup())
})

type Env = Record<string, string | undefined>

async function run(env: Env, ...args: string[]): Promise<string> {
  const got = await runCli(args, {env})
  assert.equal(got.stderr, '', `${args.join(' ')}`)
  assert.equal(got.exitCode, 0)
  return got.stdout
}

async function clusterGUID(env: Env): Promise<string> {
  return (JSON.parse(await run(env, 'get', 'clusterinformation', 'default', '-o', 'json')) as {spec: {clusterGUID: string}}).spec.clusterGUID
}

test('local → etcd → local keeps every resource and every IPAM key', {timeout: 60_000}, async () => {
  server = await EtcdServer.start()
  const source = tempStore()
  const last = tempStore()
  stores.push(source, last)
  const etcdEnv: Env = {
    ...source.env,
    CALICO_DATASTORE_DIR: undefined,
    DATASTORE_TYPE: 'etcdv3',
    ETCD_ENDPOINTS: server.clientUrl,
  }
  const etcdConfig: DatastoreConfig = {datastoreType: 'etcdv3', etcdEndpoints: server.clientUrl}

  await run(source.env, 'apply', '-f', ALL_KINDS_FIXTURE)
  await seedRaw(localConfig(source.env), {...IPAM_SEED, [MIRRORED_POLICY_KEY]: MIRRORED_POLICY_VALUE})
  await run(source.env, 'datastore', 'migrate', 'lock')
  const first = join(source.dir, 'local.txt')
  writeFileSync(first, await run(source.env, 'datastore', 'migrate', 'export'))

  const imported = await run(etcdEnv, 'datastore', 'migrate', 'import', '--filename', first)
  assert.match(imported, /^Successfully applied 32 resource\(s\)\nImporting IPAM resources\nSuccessfully applied 7 IPAM resource\(s\)\n/)
  assert.deepEqual(await readRaw(etcdConfig, '/calico/ipam/v2/'), IPAM_SEED, 'IPAM values reach etcd byte for byte')

  const second = join(source.dir, 'etcd.txt')
  writeFileSync(second, await run(etcdEnv, 'datastore', 'migrate', 'export'))
  await run(last.env, 'datastore', 'migrate', 'import', '--filename', second)

  const expected = await snapshot(source.env)
  expected.NetworkPolicy = expected.NetworkPolicy.split(/(?=^- apiVersion)/m)
    .filter((item) => !item.includes('name: knp.default.'))
    .join('')
  assert.deepEqual(await snapshot(etcdEnv), expected)
  assert.deepEqual(await snapshot(last.env), expected)
  assert.deepEqual(await readRaw(localConfig(last.env), '/calico/ipam/v2/'), IPAM_SEED)
  const guid = await clusterGUID(source.env)
  assert.equal(await clusterGUID(etcdEnv), guid)
  assert.equal(await clusterGUID(last.env), guid)

  assert.equal(await run(etcdEnv, 'datastore', 'migrate', 'unlock'), 'Datastore unlocked.\n')
})
