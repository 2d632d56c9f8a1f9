#!/usr/bin/env node
// IPAM benchmark (prints figures, asserts nothing): allocations per second with one allocator
// process and with eight concurrent processes (two per host), on the local store and (when the
// `etcd` binary is installed) on a real etcd started here (default flags), each for long-lived
// allocators (the IPAMClient cache) and for fresh reads per request (a one-shot CLI or CNI call)
// issuing one request at a time, then for long-lived allocators (measured once started: connected,
// their cached inputs loaded) serving 8 and 32 requests at once
// (their concurrent requests share block writes: src/ipam/commit.ts); the CPU per allocation of
// the allocators and etcd, and the datastore calls per allocation; then `ipam check` wall time
// over 100,000 allocations.
// Needs `npm run build` (it drives dist/). Usage: node bench/ipam.mjs [--quick] [--only=local|etcd] [--concurrent] [--in-flight=N]
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {pathToFileURL} from 'node:url'

import {bin, root} from './lib.mjs'

const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href)
const quick = process.argv.includes('--quick')
/** `--only=local` or `--only=etcd`: one backend's allocation figures, no check timing. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7)
/** `--concurrent`: only the figures with several requests in flight. */
const concurrentOnly = process.argv.includes('--concurrent')

// Worker mode: allocate `count` addresses with `inFlight` requests at a time (1: one after the
// other, as a CNI plugin does; more: a node agent or IPAM service serving concurrent requests),
// after a "go" line on stdin.
if (process.argv[2] === '--worker') {
  const [config, count, host, prefix, cache, inFlight] = process.argv.slice(3)
  const {createDatastore} = await dist('datastore/factory.js')
  const {IPAMClient} = await dist('ipam/index.js')
  const raw = await createDatastore(JSON.parse(config))
  // IPAM_BENCH_DETAIL=1: calls counted by method and key kind (block, affinity, handle, …).
  const detail = process.env.IPAM_BENCH_DETAIL === '1'
  const kind = (key) => /^\/calico\/ipam\/v2\/(assignment|host|handle|config)/.exec(key)?.[1] ?? 'other'

  // Datastore calls by method (and failed transactions), to print per allocation.
  const calls = {}
  const ds = new Proxy(raw, {
    get(target, prop) {
      const value = target[prop]
      if (typeof value !== 'function') return value
      if (!['get', 'getMany', 'list', 'create', 'update', 'delete', 'batch', 'transact'].includes(prop)) return value.bind(target)
      return async (...args) => {
        const name = detail && typeof args[0] === 'string' ? `${prop}:${kind(args[0])}${prop === 'update' ? `:${/"state":"(\w*)"/.exec(args[1])?.[1] ?? ''}` : ''}` : prop
        calls[name] = (calls[name] ?? 0) + 1
        const result = await value.apply(target, args)
        if (prop === 'transact' && !result.ok) calls['transact lost'] = (calls['transact lost'] ?? 0) + 1
        return result
      }
    },
  })
  // A long-lived allocator, as a node agent or an IPAM service would be (cache: see src/ipam/cache.ts).
  const ipam = new IPAMClient(ds, {cache: cache === 'cache'})
  // A long-lived allocator is measured once started: its connection open and its cached inputs
  // (pools, reservations, config, node labels) listed and watched, as they are after its first
  // request. A fresh-reads client has nothing to prepare.
  if (cache === 'cache') await ipam.sync(0)
  process.stdout.write('ready\n')
  await new Promise((resolve) => createInterface({input: process.stdin}).once('line', resolve))
  let errors = 0
  const cpuStart = process.cpuUsage()
  let next = 0
  const lane = async () => {
    while (next < Number(count)) {
      const n = next++
      try {
        await ipam.assign({host, handleId: `${prefix}-${n}`, num4: 1})
      } catch (error) {
        if (errors++ === 0) process.stderr.write(`first error: ${error.message}\n`)
      }
    }
  }
  await Promise.all(Array.from({length: Number(inFlight)}, lane))
  const cpu = process.cpuUsage(cpuStart)
  process.stdout.write(`${JSON.stringify({errors, cpuMs: (cpu.user + cpu.system) / 1000, calls})}\n`)
  await ipam.close()
  await raw.close()
  process.exit(0)
}

async function seedPool(config, cidr) {
  const {createDatastore} = await dist('datastore/factory.js')
  const {ResourceClient} = await dist('datastore/resources.js')
  const ds = await createDatastore(config)
  const resources = new ResourceClient(ds)
  await resources.ensureInitialized()
  await resources.create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name: `bench-${cidr.replace(/[./]/g, '-')}`}, spec: {cidr}})
  await ds.close()
}

/** Runs `workers` allocator processes (hosts round-robin over 4) and returns allocations per second. */
/** CPU time (ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return undefined
  }
}

/** IPAM_BENCH_PROFILE=<dir>: every allocator process writes a V8 CPU profile there (node --cpu-prof). */
const profileFlags = process.env.IPAM_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.IPAM_BENCH_PROFILE}`] : []

let run = 0
async function allocate(config, workers, perWorker, cache = true, serverPid = undefined, inFlight = 1) {
  run++
  const serverCpu = serverPid === undefined ? undefined : processCpuMs(serverPid)
  const children = Array.from({length: workers}, (_, w) =>
    spawn(process.execPath, [...profileFlags, join(root, 'bench', 'ipam.mjs'), '--worker', JSON.stringify(config), String(perWorker), `node-${run}-${w % 4}`, `b${w}-${Date.now()}`, cache ? 'cache' : 'fresh', String(inFlight)], {stdio: ['pipe', 'pipe', 'inherit']}),
  )
  const lines = children.map((c) => createInterface({input: c.stdout}))
  await Promise.all(lines.map((l) => new Promise((resolve) => l.once('line', resolve))))
  const start = performance.now()
  const done = lines.map((l) => new Promise((resolve) => l.once('line', (line) => resolve(JSON.parse(line)))))
  for (const c of children) c.stdin.write('go\n')
  const results = await Promise.all(done)
  const seconds = (performance.now() - start) / 1000
  const errors = results.reduce((n, r) => n + r.errors, 0)
  const allocated = workers * perWorker - errors
  const clientCpu = results.reduce((n, r) => n + r.cpuMs, 0) / allocated
  const serverAfter = serverPid === undefined ? undefined : processCpuMs(serverPid)
  const server = serverCpu === undefined || serverAfter === undefined ? undefined : (serverAfter - serverCpu) / allocated
  const calls = {}
  for (const r of results) for (const [name, n] of Object.entries(r.calls)) calls[name] = (calls[name] ?? 0) + n
  const perCall = Object.entries(calls)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${(n / allocated).toFixed(2)}`)
    .join(', ')
  return {
    perSecond: allocated / seconds,
    errors,
    cpu: `CPU/allocation: allocators ${clientCpu.toFixed(2)} ms${server === undefined ? '' : `, etcd ${server.toFixed(2)} ms`} (calls/allocation: ${perCall})`,
  }
}

/** Writes `total` allocations (64 per /26 block, one handle each) straight into the store. */
async function seedAllocations(config, total) {
  const {createDatastore} = await dist('datastore/factory.js')
  const ipam = await dist('ipam/index.js')
  const ds = await createDatastore(config)
  const pool = ipam.parseNet('10.0.0.0/8')
  let ops = []
  const flush = async () => {
    const results = await ds.batch(ops)
    if (results.some((r) => !r.ok)) throw new Error('seeding failed')
    ops = []
  }
  for (let blockIndex = 0; blockIndex * 64 < total; blockIndex++) {
    const cidr = {version: 4, base: pool.base + BigInt(blockIndex * 64), prefix: 26}
    let block = ipam.newBlock(cidr, `host:node-${blockIndex % 100}`)
    for (let i = 0; i < 64 && blockIndex * 64 + i < total; i++) {
      const handle = `seed-${blockIndex}-${i}`
      block = ipam.assignInBlock(block, 1, handle, {node: `node-${blockIndex % 100}`}, ipam.Reservations.NONE).block
      ops.push({op: 'create', key: ipam.handleKey(handle), value: ipam.encodeHandle({block: {[ipam.netString(cidr)]: 1}, deleted: false})})
    }
    ops.push({op: 'create', key: ipam.blockKey(cidr), value: ipam.encodeBlock(block)})
    ops.push({op: 'create', key: ipam.affinityKey(`node-${blockIndex % 100}`, cidr), value: '{"state":"confirmed","deleted":false}'})
    if (ops.length >= 2000) await flush()
  }
  if (ops.length > 0) await flush()
  await ds.close()
}

function timeCheck(env) {
  const start = performance.now()
  const r = spawnSync(process.execPath, [bin, 'ipam', 'check'], {env: {...process.env, ...env}, encoding: 'utf8', maxBuffer: 1 << 28})
  if (r.status !== 0) throw new Error(`ipam check failed: ${r.stderr}`)
  return performance.now() - start
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function startEtcd(dir) {
  if (spawnSync('etcd', ['--version']).status !== 0) return undefined
  const [client, peer] = [await freePort(), await freePort()]
  const child = spawn('etcd', ['--data-dir', join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`], {stdio: ['ignore', 'ignore', 'pipe']})
  let log = ''
  child.stderr.on('data', (c) => (log += c))
  const deadline = Date.now() + 15000
  while (!log.includes('serving client') && !log.includes('ready to serve client')) {
    if (Date.now() > deadline) throw new Error(`etcd did not start: ${log.slice(-500)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {url: `http://127.0.0.1:${client}`, pid: child.pid, stop: () => child.kill('SIGKILL')}
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ipam-'))
const etcd = await startEtcd(dir).catch((e) => (console.log(`etcd: not started (${e.message})`), undefined))
try {
  const backends = [['local', {datastoreType: 'local', localDir: join(dir, 'alloc')}]]
  if (etcd) backends.push(['etcd', {datastoreType: 'etcdv3', etcdEndpoints: etcd.url}])
  else console.log('etcd: `etcd` binary not found; etcd figures skipped')
  const single = quick ? 100 : 400
  const each = quick ? 50 : 250
  /** Requests each long-lived allocator has in flight in the concurrent figures (--in-flight=N). */
  const inFlightArg = process.argv.find((a) => a.startsWith('--in-flight='))?.slice(12)
  const IN_FLIGHT = inFlightArg === undefined ? [8, 32] : [Number(inFlightArg)]
  // At most 20 blocks per host (Calico's default limit): 8 × 500 is 1,000 addresses per host.
  const eachConcurrent = quick ? 250 : 500
  for (const [name, config] of backends.filter(([n]) => only === undefined || n === only)) {
    await seedPool(config, '10.64.0.0/12')
    const pid = name === 'etcd' ? etcd.pid : undefined
    for (const cache of concurrentOnly ? [] : [true, false]) {
      const one = await allocate(config, 1, single, cache, pid)
      const eight = await allocate(config, 8, each, cache, pid)
      const mode = (cache ? 'long-lived (cached), 1 request at a time' : 'fresh reads, 1 request at a time').padEnd(40)
      console.log(`${name.padEnd(5)} ${mode} allocations/s: 1 process ${one.perSecond.toFixed(0)} (${single} allocations)   8 processes ${eight.perSecond.toFixed(0)} (${8 * each} allocations)${one.errors + eight.errors ? `  errors ${one.errors + eight.errors}` : ''}`)
      console.log(`      1 process ${one.cpu}\n      8 processes ${eight.cpu}`)
    }
    for (const inFlight of IN_FLIGHT) {
      const one = await allocate(config, 1, eachConcurrent, true, pid, inFlight)
      const eight = await allocate(config, 8, eachConcurrent, true, pid, inFlight)
      const mode = `long-lived (cached), ${inFlight} requests in flight`.padEnd(40)
      console.log(`${name.padEnd(5)} ${mode} allocations/s: 1 process ${one.perSecond.toFixed(0)} (${eachConcurrent} allocations)   8 processes ${eight.perSecond.toFixed(0)} (${8 * eachConcurrent} allocations)${one.errors + eight.errors ? `  errors ${one.errors + eight.errors}` : ''}`)
      console.log(`      1 process ${one.cpu}\n      8 processes ${eight.cpu}`)
    }
  }
  const total = quick ? 10_000 : 100_000
  if (only === undefined) {
    const checkDir = join(dir, 'check')
    await seedAllocations({datastoreType: 'local', localDir: checkDir}, total)
    await seedPool({datastoreType: 'local', localDir: checkDir}, '10.0.0.0/8')
    const ms = timeCheck({CALICO_DATASTORE_DIR: checkDir, DATASTORE_TYPE: 'local', ETCD_ENDPOINTS: ''})
    console.log(`local ipam check over ${total} allocations (${Math.ceil(total / 64)} blocks, ${total} handles): ${(ms / 1000).toFixed(2)} s`)
  }
  if (etcd && only === undefined) {
    await seedAllocations({datastoreType: 'etcdv3', etcdEndpoints: etcd.url}, total)
    await seedPool({datastoreType: 'etcdv3', etcdEndpoints: etcd.url}, '10.0.0.0/8').catch(() => undefined)
    const etcdMs = timeCheck({DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: etcd.url, CALICO_DATASTORE_DIR: ''})
    console.log(`etcd  ipam check over ${total} allocations: ${(etcdMs / 1000).toFixed(2)} s`)
  }
} finally {
  etcd?.stop()
  rmSync(dir, {recursive: true, force: true})
}
