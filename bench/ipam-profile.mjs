#!/usr/bin/env node
// IPAM profiling aid (prints figures, asserts nothing): runs N single-address allocations in this
// process against the datastore named by a JSON config (default: a fresh local store) and counts
// the datastore calls each allocation makes, by method and key kind, with their mean latency.
// Run it under `node --cpu-prof` to see where the CPU goes. Needs `npm run build`.
// IPAM_CACHE=0 profiles the one-shot (uncached) client; IN_FLIGHT=16 keeps 16 requests in flight.
// Usage: node bench/ipam-profile.mjs [N] ['{"datastoreType":"etcdv3","etcdEndpoints":"http://…"}']
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {root} from './lib.mjs'

const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href)
const count = Number(process.argv[2] ?? 500)
const inFlight = Number(process.env.IN_FLIGHT ?? 1)
const config = process.argv[3] ? JSON.parse(process.argv[3]) : {datastoreType: 'local', localDir: mkdtempSync(join(tmpdir(), 'ipam-profile-'))}

const {createDatastore} = await dist('datastore/factory.js')
const {ResourceClient} = await dist('datastore/resources.js')
const {IPAMClient} = await dist('ipam/index.js')

const kind = (key) => {
  const m = /^\/calico\/(?:ipam\/v2\/(assignment|host|handle|config)|resources\/v3\/projectcalico\.org\/([a-z]+))/.exec(key ?? '')
  return m ? (m[1] ?? m[2]) : (key ?? '?').slice(0, 30)
}
const stats = new Map()
const note = (name, ms) => {
  const s = stats.get(name) ?? {n: 0, ms: 0}
  s.n++
  s.ms += ms
  stats.set(name, s)
}
function counting(ds) {
  const timed = (method, label) => async (...args) => {
    const start = performance.now()
    try {
      return await ds[method](...args)
    } finally {
      note(`${method} ${label(...args)}`, performance.now() - start)
    }
  }
  return new Proxy(ds, {
    get(target, prop) {
      if (prop === 'batch') return timed('batch', (ops) => ops.map((o) => `${o.op}:${kind(o.key)}`).join('+'))
      if (prop === 'transact') return timed('transact', (ops) => `${ops.length} ops (${[...new Set(ops.map((o) => `${o.op}:${kind(o.key)}`))].join(', ')})`)
      if (['get', 'list', 'create', 'update', 'delete'].includes(prop)) return timed(prop, (key) => kind(key))
      const value = target[prop]
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

const raw = await createDatastore(config)
const resources = new ResourceClient(raw)
await resources.ensureInitialized()
const poolName = `profile-${Date.now()}`
const cidr = `10.${(Date.now() >> 8) % 200}.0.0/16`
await resources.create({apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: {name: poolName}, spec: {cidr}})
const ipam = new IPAMClient(counting(raw), {cache: process.env.IPAM_CACHE !== '0'})
const start = performance.now()
const cpuStart = process.cpuUsage()
let next = 0
const lane = async () => {
  while (next < count) {
    const n = next++
    await ipam.assign({host: `profile-node-${Math.floor(n / 1000)}`, handleId: `${poolName}-${n}`, num4: 1})
  }
}
await Promise.all(Array.from({length: inFlight}, lane))
const ms = performance.now() - start
const cpu = process.cpuUsage(cpuStart)
console.log(`${count} allocations in ${ms.toFixed(0)} ms: ${((count / ms) * 1000).toFixed(0)}/s, ${(ms / count).toFixed(2)} ms each, CPU ${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms each (pool ${cidr})`)
let calls = 0
for (const [name, s] of [...stats].sort((a, b) => b[1].n - a[1].n)) {
  calls += s.n
  console.log(`  ${(s.n / count).toFixed(2).padStart(6)} per allocation  ${(s.ms / s.n).toFixed(2).padStart(6)} ms  ${name}`)
}
console.log(`  ${(calls / count).toFixed(2).padStart(6)} datastore calls per allocation`)
await resources.delete('IPPool', poolName).catch(() => undefined)
await ipam.close()
await raw.close()
