/**
 * `apply -f` of 10,000 NetworkPolicies into a real etcd, as ratios to raw batched etcd puts of the
 * very same stored bytes, all measured in one run against one etcd:
 *
 *  (a) raw batched puts of the values apply stored (transactions of 100 puts, 8 in flight) — the
 *      baseline: no parsing, no checks, nothing but etcd's write rate as seen from this process;
 *  (b) the apply pipeline in-process: runFileAction, the function the `apply` command runs (read
 *      the file → parse → decode → validate/default → batched writes → report lines to a sink),
 *      loaded from the built dist/ as the CLI runs it (`npm run build` first) and called here on
 *      an emptied key range each round — the figure the ≥ 0.50 target is about;
 *  (c) `calicoctl apply -f` end to end as a child process (adds process start and module loading).
 *
 * Also printed: Datastore.batch alone with the same bytes (the write path without the CLI work),
 * re-apply (every resource an update) in-process and as a child, and `get -A -o json`.
 * Rounds of (a) and (b) are interleaved so the machine's drift hits both alike.
 * Run: node --import tsx bench/apply-etcd.ts
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Etcd3} from 'etcd3'

import type {Datastore} from '../src/datastore/datastore.js'
import {EtcdServer} from '../test/datastore/etcd/server.js'
import {loadBuilt, median, policyDocuments, timeCli, timeCliWithRss} from './support.js'

const count = Number(process.env.BENCH_POLICIES ?? 10_000)
// The pipeline as the CLI runs it: the compiled dist/ (npm run build), not a tsx transform of src/.
const {runFileAction, createDatastore, ResourceClient} = await loadBuilt()
const ROUNDS = 3
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

/** (b): the command's own pipeline, in this process; returns wall milliseconds. */
async function applyInProcess(datastore: Datastore, file: string): Promise<number> {
  const lines: string[] = []
  const start = process.hrtime.bigint()
  const {results, error} = await runFileAction(new ResourceClient(datastore), 'apply', {filename: file}, (line) => lines.push(line))
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (error !== undefined || results.handled !== count) throw new Error(`apply failed: ${error ?? lines.join('\n')}`)
  return ms
}

async function storedCount(datastore: Datastore): Promise<number> {
  return (await datastore.list(PREFIX)).items.length
}

const dir = mkdtempSync(join(tmpdir(), 'bench-apply-etcd-'))
const server = await EtcdServer.start()
const client = new Etcd3({hosts: server.clientUrls})
const datastore = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: server.clientUrls[0]})
try {
  const file = join(dir, 'policies.yaml')
  writeFileSync(file, policyDocuments(count))
  const wipe = () => client.delete().prefix(PREFIX).exec()

  const inProcessMs: number[] = []
  const rawMs: number[] = []
  let values: Buffer[] = []
  for (let round = 0; round < ROUNDS; round++) {
    await wipe()
    inProcessMs.push(await applyInProcess(datastore, file))
    if (round === 0) values = (await datastore.list(PREFIX)).items.map((kv) => Buffer.from(kv.value))
    rawMs.push(await rawPuts(client, values, `/bench/raw-${round}/`))
  }
  if ((await storedCount(datastore)) !== count) throw new Error('in-process apply did not store every policy')
  const reapplyInProcessMs: number[] = []
  for (let round = 0; round < ROUNDS; round++) reapplyInProcessMs.push(await applyInProcess(datastore, file))

  const writeMs: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < values.length; i += 500) {
      const ops = values.slice(i, i + 500).map((value, j) => ({op: 'create' as const, key: `/bench/batch-${round}/${i + j}`, value: value.toString()}))
      const results = await datastore.batch(ops)
      if (results.some((r) => !r.ok)) throw new Error('batch write failed')
    }
    writeMs.push(Number(process.hrtime.bigint() - start) / 1e6)
  }

  await wipe()
  const env = {...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: server.clientUrls[0]}
  const childMs = timeCli(['apply', '-f', file], env)
  const childReapplyMs = timeCli(['apply', '-f', file], env)
  const get = timeCliWithRss(['get', 'networkpolicy', '-A', '-o', 'json'], env)

  const bytes = values.reduce((sum, v) => sum + v.length, 0)
  const raw = median(rawMs)
  const rate = (ms: number) => Math.round((values.length / ms) * 1000)
  const rounds = (list: number[]) => list.map((ms) => ms.toFixed(0)).join('/')
  const line = (label: string, ms: number, unit: string, note = '') =>
    console.log(`  ${label.padEnd(42)} ${ms.toFixed(0).padStart(6)} ms  ${String(rate(ms)).padStart(6)} ${unit}  ratio ${(raw / ms).toFixed(2)}${note}`)
  console.log(`apply -f of ${count} NetworkPolicies into etcd (${(bytes / values.length).toFixed(0)} B each as stored); medians of ${ROUNDS}:`)
  console.log(`  (a) ${'raw batched puts, same bytes'.padEnd(38)} ${raw.toFixed(0).padStart(6)} ms  ${String(rate(raw)).padStart(6)} puts/s        (baseline; rounds ${rounds(rawMs)} ms)`)
  line('(b) apply pipeline in-process (create)', median(inProcessMs), 'res/s', `  (target >= 0.50; rounds ${rounds(inProcessMs)} ms)`)
  line('    apply pipeline in-process (update)', median(reapplyInProcessMs), 'res/s', `  (rounds ${rounds(reapplyInProcessMs)} ms)`)
  line('(c) calicoctl apply child process (create)', childMs, 'res/s', '  (includes process start)')
  line('    calicoctl apply child process (update)', childReapplyMs, 'res/s')
  line('    Datastore.batch alone, same bytes', median(writeMs), 'wr/s', '  (the write path without the CLI work)')
  console.log(`  calicoctl get -A -o json (child)            ${get.ms.toFixed(0).padStart(6)} ms  peak RSS ${(get.maxRssKiB / 1024).toFixed(0)} MiB`)
} finally {
  await datastore.close()
  client.close()
  await server.destroy()
  rmSync(dir, {recursive: true, force: true})
}
