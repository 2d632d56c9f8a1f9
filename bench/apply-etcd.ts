/**
 * `calicoctl apply -f` of 10,000 NetworkPolicies into a real etcd, as a ratio to raw batched
 * etcd puts of the very same bytes (read back from etcd after the apply), measured in one run.
 * Also: re-apply (every resource an update) and `get -A -o json` of the whole set.
 *
 * The apply figure is end to end — process start, YAML parsing, decoding, validation, defaults,
 * the tier check and the writes — against puts that do none of that, so the ratio is the share
 * of etcd's raw write rate that a user's `apply` reaches. The write path alone (Datastore.batch
 * in groups of 500, as apply's bulk executor calls it, with the same bytes) is printed too.
 * Run: node --import tsx bench/apply-etcd.ts
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Etcd3} from 'etcd3'

import {createDatastore} from '../src/datastore/factory.js'
import {EtcdServer} from '../test/datastore/etcd/server.js'
import {median, policyDocuments, timeCli} from './support.js'

const count = Number(process.env.BENCH_POLICIES ?? 10_000)
const PREFIX = '/calico/resources/v3/projectcalico.org/networkpolicies/'


/** Raw puts of the given values: transactions of 100 puts, 8 in flight. */
async function rawPuts(client: Etcd3, values: Buffer[], prefix: string): Promise<number> {
  const start = process.hrtime.bigint()
  const groups: Buffer[][] = []
  for (let i = 0; i < values.length; i += 100) groups.push(values.slice(i, i + 100))
  let next = 0
  const worker = async () => {
    while (next < groups.length) {
      const index = next++
      const txn = client.if(`${prefix}sentinel`, 'Version', '==', 0)
      await txn.then(...groups[index].map((value, j) => client.put(`${prefix}${index}-${j}`).value(value))).commit()
    }
  }
  await Promise.all(Array.from({length: 8}, worker))
  return Number(process.hrtime.bigint() - start) / 1e6
}

const dir = mkdtempSync(join(tmpdir(), 'bench-apply-etcd-'))
const server = await EtcdServer.start()
try {
  const file = join(dir, 'policies.yaml')
  writeFileSync(file, policyDocuments(count))
  const env = {...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: server.clientUrls[0]}
  const applyMs = timeCli(['apply', '-f', file], env)
  const reapplyMs = timeCli(['apply', '-f', file], env)
  const getMs = timeCli(['get', 'networkpolicy', '-A', '-o', 'json'], env)

  const client = new Etcd3({hosts: server.clientUrls})
  try {
    // The stored bytes, read through the project's paged list (one etcd range is capped at 4 MiB).
    const datastore = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: server.clientUrls[0]})
    const values = (await datastore.list(PREFIX)).items.map((kv) => Buffer.from(kv.value))
    const writeMs: number[] = []
    for (let round = 0; round < 3; round++) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < values.length; i += 500) {
        const ops = values.slice(i, i + 500).map((value, j) => ({op: 'create' as const, key: `/bench/batch-${round}/${i + j}`, value: value.toString()}))
        const results = await datastore.batch(ops)
        if (results.some((r) => !r.ok)) throw new Error('batch write failed')
      }
      writeMs.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    await datastore.close()
    const bytes = values.reduce((sum, v) => sum + v.length, 0)
    const rawMs: number[] = []
    for (let round = 0; round < 3; round++) rawMs.push(await rawPuts(client, values, `/bench/raw-${round}/`))
    const raw = median(rawMs)
    const rate = (ms: number) => Math.round((values.length / ms) * 1000)
    console.log(`apply -f of ${count} NetworkPolicies into etcd (${(bytes / values.length).toFixed(0)} B each as stored):`)
    console.log(`  raw batched puts, same bytes   ${raw.toFixed(0)} ms   ${rate(raw)} puts/s (median of 3)`)
    const write = median(writeMs)
    console.log(`  Datastore.batch, same bytes    ${write.toFixed(0)} ms   ${rate(write)} writes/s   ratio ${(raw / write).toFixed(2)} (the write path alone)`)
    console.log(`  calicoctl apply (create)       ${applyMs.toFixed(0)} ms   ${rate(applyMs)} resources/s   ratio ${(raw / applyMs).toFixed(2)} (target >= 0.50)`)
    console.log(`  calicoctl apply (update)       ${reapplyMs.toFixed(0)} ms   ${rate(reapplyMs)} resources/s   ratio ${(raw / reapplyMs).toFixed(2)}`)
    console.log(`  calicoctl get -A -o json       ${getMs.toFixed(0)} ms`)
  } finally {
    client.close()
  }
} finally {
  await server.destroy()
  rmSync(dir, {recursive: true, force: true})
}
