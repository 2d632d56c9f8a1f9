/**
 * Measures the etcd backend against raw etcd writes of the same bytes (figures, never asserted):
 * - batch: Datastore.batch of N ~800-byte creates, against raw batched puts (transactions of
 *   plain puts sent straight through the etcd3 client, several in flight; the best of a few
 *   shapes is the baseline), rounds interleaved, medians reported;
 * - single: sequential awaited creates per second;
 * - watch: latency from a create being acknowledged to its event reaching a watcher.
 *
 * Used by etcd.test.ts (as diagnostics) and runnable on its own, starting its own etcd:
 *   node --import tsx test/datastore/etcd/throughput.ts [count] [rounds]
 */
import {randomBytes} from 'node:crypto'
import {pathToFileURL} from 'node:url'

import {Etcd3} from 'etcd3'

import type {WatchEvent, WriteOp} from '../../../src/datastore/datastore.js'
import {createDatastore} from '../../../src/datastore/factory.js'
import {EtcdServer} from './server.js'

export interface Figures {
  count: number
  batchPerSecond: number
  rawPerSecond: number
  /** batch ÷ raw. */
  ratio: number
  rawShape: string
  singlePerSecond: number
  watchMedianMs: number
  watchP99Ms: number
}

/** A NetworkPolicy-like JSON value of about 800 bytes. */
export function policyValue(i: number): string {
  const rules = Array.from({length: 4}, (_, r) => ({
    action: 'Allow',
    protocol: 'TCP',
    source: {selector: `role == 'frontend-${(i + r) % 20}' && tier in {'web', 'api'}`},
    destination: {ports: [80, 443, '8000:8100']},
  }))
  return JSON.stringify({
    kind: 'NetworkPolicy',
    apiVersion: 'projectcalico.org/v3',
    metadata: {name: `policy-${i}`, namespace: `ns-${i % 50}`, uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`},
    spec: {tier: 'default', order: i, selector: `app == 'app-${i % 200}'`, types: ['Ingress'], ingress: rules},
  })
}

const RAW_SHAPES = [
  {opsPerTxn: 128, inFlight: 4},
  {opsPerTxn: 100, inFlight: 8},
]

/** Raw puts start from the same JS strings as the batch; encoding them is part of the cost. */
async function rawPuts(client: Etcd3, prefix: string, count: number, shape: {opsPerTxn: number; inFlight: number}) {
  const values = Array.from({length: count}, (_, i) => ({key: `${prefix}${String(i).padStart(6, '0')}`, value: policyValue(i)}))
  let next = 0
  const started = performance.now()
  const worker = async (): Promise<void> => {
    while (next < count) {
      const chunk = values.slice(next, next + shape.opsPerTxn)
      next += chunk.length
      const success = chunk.map((kv) => ({request_put: {key: Buffer.from(kv.key), value: Buffer.from(kv.value)}}))
      await client.kv.txn({success})
    }
  }
  await Promise.all(Array.from({length: shape.inFlight}, worker))
  return count / ((performance.now() - started) / 1000)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

export async function measure(endpoint: string, count = 10_000, rounds = 3): Promise<Figures> {
  const client = new Etcd3({hosts: endpoint})
  const ds = await createDatastore({datastoreType: 'etcdv3', etcdEndpoints: endpoint})
  const run = randomBytes(4).toString('hex')
  try {
    // Warm both paths up (connections, JIT) before timing.
    await rawPuts(client, `/bench/${run}/warm-raw/`, 1_000, RAW_SHAPES[0])
    await ds.batch(Array.from({length: 1_000}, (_, i) => ({op: 'create', key: `/bench/${run}/warm/${i}`, value: policyValue(i)})))
    const raw = new Map<string, number[]>()
    const ours: number[] = []
    for (let round = 0; round < rounds; round++) {
      for (const shape of RAW_SHAPES) {
        const name = `${shape.opsPerTxn} puts/txn × ${shape.inFlight} in flight`
        const rate = await rawPuts(client, `/bench/${run}/raw/${round}/${shape.opsPerTxn}/`, count, shape)
        raw.set(name, [...(raw.get(name) ?? []), rate])
      }
      const ops: WriteOp[] = Array.from({length: count}, (_, i) => ({
        op: 'create',
        key: `/bench/${run}/batch/${round}/${String(i).padStart(6, '0')}`,
        value: policyValue(i),
      }))
      const started = performance.now()
      const results = await ds.batch(ops)
      ours.push(count / ((performance.now() - started) / 1000))
      const failed = results.find((r) => !r.ok)
      if (failed !== undefined && !failed.ok) throw failed.error
    }
    const [rawShape, rawRates] = [...raw.entries()].sort((a, b) => median(b[1]) - median(a[1]))[0]
    const rawPerSecond = median(rawRates)
    const batchPerSecond = median(ours)

    const singleCount = 300
    const singleStart = performance.now()
    for (let i = 0; i < singleCount; i++) await ds.create(`/bench/${run}/single/${i}`, policyValue(i))
    const singlePerSecond = singleCount / ((performance.now() - singleStart) / 1000)

    const latencies = await watchLatencies(ds, `/bench/${run}/watch/`, 200)
    return {
      count,
      batchPerSecond,
      rawPerSecond,
      ratio: batchPerSecond / rawPerSecond,
      rawShape,
      singlePerSecond,
      watchMedianMs: median(latencies),
      watchP99Ms: percentile(latencies, 99),
    }
  } finally {
    await ds.close()
    client.close()
  }
}

/** Creates `count` keys one at a time; for each, ms from the create's acknowledgement to its event. */
async function watchLatencies(ds: Awaited<ReturnType<typeof createDatastore>>, prefix: string, count: number) {
  const arrivals = new Map<string, number>()
  const handle = ds.watch(prefix, (await ds.revision()) + 1, {
    onEvents: (events: WatchEvent[]) => {
      const now = performance.now()
      for (const e of events) arrivals.set(e.type === 'put' ? e.kv.key : e.key, now)
    },
    onError: () => {},
  })
  const latencies: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const key = `${prefix}${i}`
      await ds.create(key, 'x')
      const acked = performance.now()
      const deadline = Date.now() + 5_000
      while (!arrivals.has(key)) {
        if (Date.now() > deadline) throw new Error(`no watch event for ${key}`)
        await new Promise((resolve) => setImmediate(resolve))
      }
      latencies.push(Math.max(0, (arrivals.get(key) ?? acked) - acked))
    }
  } finally {
    await handle.close()
  }
  return latencies
}

export function formatFigures(f: Figures): string[] {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US')
  return [
    `batch of ${n(f.count)} ~800-byte creates: ${n(f.batchPerSecond)} writes/s; raw batched puts (${f.rawShape}): ` +
      `${n(f.rawPerSecond)} puts/s; ratio ${(f.ratio * 100).toFixed(0)}%`,
    `sequential single creates: ${n(f.singlePerSecond)} ops/s`,
    `watch latency after the write is acknowledged: median ${f.watchMedianMs.toFixed(2)} ms, p99 ${f.watchP99Ms.toFixed(2)} ms`,
  ]
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 10_000)
  const rounds = Number(process.argv[3] ?? 3)
  const server = await EtcdServer.start()
  const timer = setTimeout(() => {
    console.error('throughput measurement timed out')
    process.exit(1)
  }, 300_000)
  try {
    for (const line of formatFigures(await measure(server.clientUrl, count, rounds))) console.log(line)
  } finally {
    clearTimeout(timer)
    await server.destroy()
  }
}
