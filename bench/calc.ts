// Calc-graph bench (issue 5, item 5): 100,000 workload endpoints (250 on this node), 2,000
// policies across 5 tiers, then 1,000 endpoint label updates. Prints start-of-day time to in-sync,
// per-update p50/p99 of the synchronous graph (onUpdate + flush, i.e. a flush per update — the
// pessimistic case; the agent flushes at most ~100×/s), and memory. Asserts nothing.
// Run: node --import tsx bench/calc.ts   (CALC_BENCH_ENDPOINTS=… to scale down)
import {performance} from 'node:perf_hooks'

import type {Resource} from '../src/api/index.js'
import {CalcGraph, keyOf, type CalcUpdate} from '../src/calc/index.js'

const ENDPOINTS = Number(process.env.CALC_BENCH_ENDPOINTS ?? 100_000)
const LOCAL = 250
const POLICIES = 2_000
const TIERS = ['platform', 'security', 'tenant', 'app', 'default']
const NAMESPACES = 100
const APPS = 200
const UPDATES = 1_000
const TARGET_P99_MS = 10
const NODE = 'node-0'

let peakRss = 0
let peakHeap = 0
function sampleMemory(): void {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  peakHeap = Math.max(peakHeap, m.heapUsed)
}

/** Deterministic pseudo-random numbers (xorshift32), so runs are comparable. */
let seed = 12345
function random(n: number): number {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) % n
}

const resource = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string, labels?: Record<string, string>): Resource => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata: {name, ...(namespace ? {namespace} : {}), ...(labels ? {labels} : {})},
  spec,
})

function endpoint(i: number, app = `app-${((i * 2654435761) >>> 7) % APPS}`): CalcUpdate {
  // Every 400th endpoint is local: 250 of 100,000.
  const node = i % Math.floor(ENDPOINTS / LOCAL) === 0 ? NODE : `node-${1 + (i % 999)}`
  const namespace = `ns-${i % NAMESPACES}`
  const pod = `pod-${i}`
  const name = `${node}-k8s-${pod}-eth0`
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const value = resource(
    'WorkloadEndpoint',
    name,
    {
      orchestrator: 'k8s',
      node,
      pod,
      endpoint: 'eth0',
      interfaceName: `cali${i}`,
      ipNetworks: [`${ip}/32`],
      profiles: [`kns.${namespace}`, `ksa.${namespace}.default`],
      serviceAccountName: 'default',
      ports: [{name: 'http', protocol: 'TCP', port: 8080}],
    },
    namespace,
    {app, role: ['frontend', 'backend', 'db'][(i >> 2) % 3], version: `v${i % 5}`},
  )
  return {key: keyOf('workloadendpoints', name, namespace), value}
}

function* snapshot(): Generator<CalcUpdate> {
  yield {key: keyOf('felixconfigurations', 'default'), value: resource('FelixConfiguration', 'default', {logSeverityScreen: 'Info'})}
  for (const [i, name] of TIERS.entries()) {
    yield {key: keyOf('tiers', name), value: resource('Tier', name, {order: name === 'default' ? 1_000_000 : (i + 1) * 100, defaultAction: 'Deny'})}
  }
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`
    const allow = [{action: 'Allow'}]
    yield {
      key: keyOf('profiles', `kns.${ns}`),
      value: resource('Profile', `kns.${ns}`, {ingress: allow, egress: allow, labelsToApply: {'pcns.projectcalico.org/name': ns, 'pcns.env': n % 2 ? 'prod' : 'dev'}}),
    }
    yield {
      key: keyOf('profiles', `ksa.${ns}.default`),
      value: resource('Profile', `ksa.${ns}.default`, {ingress: allow, egress: allow, labelsToApply: {'pcsa.projectcalico.org/name': 'default'}}),
    }
  }
  for (let j = 0; j < POLICIES; j++) {
    const tier = TIERS[j % TIERS.length]
    const spec = {
      tier,
      order: j % 50,
      selector: `app == 'app-${j % APPS}'`,
      types: ['Ingress', 'Egress'],
      ingress: [
        {action: 'Allow', protocol: 'TCP', source: {selector: `app == 'app-${(j * 7) % APPS}' && role == 'frontend'`}, destination: {ports: [80, 'http']}},
        {action: j % 3 === 0 ? 'Pass' : 'Deny', source: {nets: ['192.168.0.0/16']}},
      ],
      egress: [{action: 'Allow', destination: {namespaceSelector: "env == 'prod'", selector: `role == 'db'`}}],
    }
    if (j % 2 === 0) yield {key: keyOf('globalnetworkpolicies', `gnp-${j}`), value: resource('GlobalNetworkPolicy', `gnp-${j}`, spec)}
    else {
      const ns = `ns-${j % NAMESPACES}`
      yield {key: keyOf('networkpolicies', `np-${j}`, ns), value: resource('NetworkPolicy', `np-${j}`, spec, ns)}
    }
  }
  for (let i = 0; i < ENDPOINTS; i++) yield endpoint(i)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`
}

const graph = new CalcGraph({nodeName: NODE})
sampleMemory()
const t0 = performance.now()
let fed = 0
for (const update of snapshot()) {
  graph.onUpdate(update)
  if (++fed % 20_000 === 0) sampleMemory()
}
const tFed = performance.now()
graph.inSync()
const first = graph.flush()
const tSynced = performance.now()
sampleMemory()
const stats = graph.stats()
const afterSync = process.memoryUsage()

function runUpdates(label: string, pick: () => number): void {
  const times: number[] = []
  let messages = 0
  for (let u = 0; u < UPDATES; u++) {
    const update = endpoint(pick(), `app-${random(APPS)}`)
    const start = performance.now()
    graph.onUpdate(update)
    messages += graph.flush().length
    times.push(performance.now() - start)
    if (u % 100 === 0) sampleMemory()
  }
  times.sort((a, b) => a - b)
  const p99 = percentile(times, 99)
  console.log(
    `  ${label.padEnd(38)} p50 ${fmt(percentile(times, 50)).padStart(8)}  p99 ${fmt(p99).padStart(8)}  max ${fmt(times.at(-1) ?? 0).padStart(8)}` +
      `  (${(p99 / TARGET_P99_MS).toFixed(2)}× of the ${TARGET_P99_MS} ms target; ${messages} messages)`,
  )
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`
console.log(`calc graph bench: ${ENDPOINTS.toLocaleString('en')} endpoints (${stats.localEndpoints} local), ${POLICIES} policies, ${TIERS.length} tiers`)
console.log(`  start of day: fed in ${fmt(tFed - t0)}, first flush ${fmt(tSynced - tFed)}, in-sync after ${fmt(tSynced - t0)} (${first.length} messages)`)
console.log(
  `  active: ${stats.activePolicies} policies, ${stats.activeIPSets} ipsets; ${stats.selectorEvaluations.toLocaleString('en')} selector evaluations; memory after in-sync rss ${mb(afterSync.rss)}, heap ${mb(afterSync.heapUsed)}`,
)
console.log(`  ${UPDATES} endpoint label updates (app label changed; onUpdate + flush each):`)
runUpdates('random endpoints (0.25% local)', () => random(ENDPOINTS))
runUpdates('local endpoints only', () => random(LOCAL) * Math.floor(ENDPOINTS / LOCAL))
sampleMemory()
console.log(`  peak memory: rss ${mb(peakRss)}, heap ${mb(peakHeap)}`)
