/**
 * Eight separate processes allocate 500 addresses each (4 hosts, two processes per host, so
 * processes race for the same blocks) against one store: the local store, and a real etcd
 * started by test/datastore/etcd/server.ts. Afterwards: no address is handed out twice, the
 * store satisfies every structural invariant, and once every address is given a
 * WorkloadEndpoint, `ipam check` finds 0 problems.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {resourceKey, ResourceClient} from '../../src/datastore/resources.js'
import {runCli} from '../helpers/cli.js'
import {EtcdServer} from '../datastore/etcd/server.js'
import {checkInvariants} from './helpers/invariants.js'
import {runAllocators} from './helpers/workers.js'

const WORKERS = 8
const PER_WORKER = 500

async function seed(ds: Datastore): Promise<void> {
  const resources = new ResourceClient(ds)
  await resources.ensureInitialized()
  await resources.create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name: 'load'}, spec: {cidr: '10.128.0.0/16'}})
}

/** A WorkloadEndpoint per allocated address, written straight to the store (one batch). */
async function addEndpoints(ds: Datastore, ips: string[]): Promise<void> {
  const ops = ips.map((ip, i) => {
    const name = `node-k8s-pod${i}-eth0`
    const value = {kind: 'WorkloadEndpoint', apiVersion: 'projectcalico.org/v3', metadata: {name, namespace: 'load'}, spec: {node: 'node', ipNetworks: [`${ip}/32`]}}
    return {op: 'create' as const, key: resourceKey('WorkloadEndpoint', name, 'load'), value: JSON.stringify(value)}
  })
  for (let i = 0; i < ops.length; i += 1000) {
    const results = await ds.batch(ops.slice(i, i + 1000))
    assert.ok(results.every((r) => r.ok))
  }
}

async function runScenario(config: DatastoreConfig, cliEnv: Record<string, string | undefined>): Promise<void> {
  const ds = await createDatastore(config)
  try {
    await seed(ds)
    const run = await runAllocators(config, WORKERS, PER_WORKER, 4)
    const errors = run.workers.flatMap((w) => w.errors)
    assert.deepEqual(errors, [], 'allocation errors')
    const all = run.workers.flatMap((w) => w.ips)
    assert.equal(all.length, WORKERS * PER_WORKER)
    assert.equal(new Set(all).size, all.length, 'an address was handed out twice')
    const allocations = await checkInvariants(ds)
    assert.equal(allocations.size, all.length)
    for (const ip of all) assert.ok(allocations.has(ip), `${ip} missing from the store`)
    await addEndpoints(ds, all)
    const check = await runCli(['ipam', 'check'], {env: cliEnv})
    assert.equal(check.exitCode, 0, check.stderr)
    assert.match(check.stdout, new RegExp(`IPAM blocks record ${all.length} allocations\\.`))
    assert.match(check.stdout, /Check complete; found 0 problems\.\n$/)
    console.log(`${config.datastoreType}: ${all.length} allocations by ${WORKERS} processes in ${Math.round(run.wallMs)} ms (${Math.round((all.length / run.wallMs) * 1000)}/s)`)
  } finally {
    await ds.close()
  }
}

describe('concurrent allocators', () => {
  const dirs: string[] = []
  let etcd: Promise<EtcdServer> | undefined
  after(async () => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
    await (await etcd?.catch(() => undefined))?.destroy()
  })

  test('8 processes × 500 on the local store: no duplicates, clean check', {timeout: 900_000}, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipam-concurrency-'))
    dirs.push(dir)
    const localDir = join(dir, 'store')
    await runScenario({datastoreType: 'local', localDir}, {CALICO_DATASTORE_DIR: localDir, DATASTORE_TYPE: undefined, CALICO_DATASTORE_TYPE: undefined, ETCD_ENDPOINTS: undefined})
  })

  test('8 processes × 500 on etcd: no duplicates, clean check', {timeout: 900_000}, async () => {
    etcd = EtcdServer.start()
    const server = await etcd
    await runScenario(
      {datastoreType: 'etcdv3', etcdEndpoints: server.clientUrl},
      {DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: server.clientUrl, CALICO_DATASTORE_TYPE: undefined, CALICO_DATASTORE_DIR: undefined},
    )
  })
})
