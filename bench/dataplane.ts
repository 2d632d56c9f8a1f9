/**
 * Dataplane bench (issue 6, item 6), as root, inside network namespaces it creates and removes:
 * 250 local workload endpoints × 2,000 policies (5 tiers) through the calc graph into the
 * iptables + ipset dataplane. Prints
 *  - the initial programming time, as a ratio to a raw `ipset restore` + `iptables-restore` of the
 *    very same final sets and rules (all four tables) into a fresh namespace (target ≤ 1.3×);
 *  - the bytes written by a no-op resync, in total and per table (target 0).
 * Apply-to-first-dropped-packet latency needs workloads with real interfaces: see
 * bench/dataplane-latency.ts. Run: node --import tsx bench/dataplane.ts
 */
import {spawnSync} from 'node:child_process'
import {performance} from 'node:perf_hooks'

import type {Resource} from '../src/api/index.js'
import {CalcGraph, keyOf, type CalcUpdate} from '../src/calc/index.js'
import {IptablesDataplane, inNetns, runCmd} from '../src/dataplane/index.js'

const LOCAL = 250
const POLICIES = 2_000
const TIERS = ['platform', 'security', 'tenant', 'app', 'default']
const APPS = 100
const NODE = 'bench-node'

const resource = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string, labels?: Record<string, string>): Resource => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata: {name, ...(namespace ? {namespace} : {}), ...(labels ? {labels} : {})},
  spec,
})

function* snapshot(): Generator<CalcUpdate> {
  yield {key: keyOf('felixconfigurations', 'default'), value: resource('FelixConfiguration', 'default', {})}
  for (const [i, name] of TIERS.entries()) {
    yield {key: keyOf('tiers', name), value: resource('Tier', name, {order: name === 'default' ? 1_000_000 : (i + 1) * 100, defaultAction: 'Deny'})}
  }
  yield {key: keyOf('profiles', 'kns.bench'), value: resource('Profile', 'kns.bench', {ingress: [{action: 'Allow'}], egress: [{action: 'Allow'}]})}
  for (let j = 0; j < POLICIES; j++) {
    const spec = {
      tier: TIERS[j % TIERS.length],
      order: j % 50,
      selector: `app == 'app-${j % APPS}'`,
      types: ['Ingress', 'Egress'],
      ingress: [
        {action: 'Allow', protocol: 'TCP', source: {selector: `app == 'app-${(j * 7) % APPS}'`}, destination: {ports: [80, 443, '8000:8100']}},
        {action: j % 3 === 0 ? 'Pass' : 'Deny', source: {nets: [`192.168.${j % 250}.0/24`]}},
      ],
      egress: [{action: 'Allow', protocol: 'UDP', destination: {ports: [53]}}],
    }
    yield {key: keyOf('globalnetworkpolicies', `gnp-${j}`), value: resource('GlobalNetworkPolicy', `gnp-${j}`, spec)}
  }
  for (let i = 0; i < LOCAL; i++) {
    const name = `${NODE}-k8s-pod${i}-eth0`
    const spec = {
      orchestrator: 'k8s',
      node: NODE,
      pod: `pod${i}`,
      endpoint: 'eth0',
      interfaceName: `calib${String(i).padStart(8, '0')}`,
      ipNetworks: [`10.77.${i >> 8}.${i & 255}/32`],
      profiles: ['kns.bench'],
    }
    yield {key: keyOf('workloadendpoints', name, 'bench'), value: resource('WorkloadEndpoint', name, spec, 'bench', {app: `app-${i % APPS}`})}
  }
}

function sh(argv: string[], input?: string): string {
  const result = spawnSync(argv[0], argv.slice(1), {input, encoding: 'utf8', maxBuffer: 1 << 28})
  if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`)
  return result.stdout
}

if (process.getuid?.() !== 0) {
  console.error('bench/dataplane needs root (it creates network namespaces)')
  process.exit(1)
}
const programmed = `bench-dp-${process.pid}`
const raw = `bench-raw-${process.pid}`
const rawNoflush = `bench-rawnf-${process.pid}`
for (const ns of [programmed, raw, rawNoflush]) sh(['ip', 'netns', 'add', ns])
try {
  const graph = new CalcGraph({nodeName: NODE})
  for (const update of snapshot()) graph.onUpdate(update)
  graph.inSync()
  const messages = graph.flush()
  const dataplane = new IptablesDataplane({run: inNetns(programmed, runCmd), refreshTimer: false, writeSysctls: async () => undefined})
  for (const message of messages) dataplane.onUpdate(message)
  const start = performance.now()
  await dataplane.apply()
  const initialMs = performance.now() - start
  const status = dataplane.status()

  const sets = sh(['ip', 'netns', 'exec', programmed, 'ipset', 'save'])
  // All four tables (raw, mangle, nat, filter): the agent programs them all.
  const rules = sh(['ip', 'netns', 'exec', programmed, 'iptables-save'])
  const rawStart = performance.now()
  sh(['ip', 'netns', 'exec', raw, 'ipset', 'restore'], sets)
  sh(['ip', 'netns', 'exec', raw, 'iptables-restore'], rules)
  const rawMs = performance.now() - rawStart
  // The same with --noflush, the form any agent that must leave other rules alone uses.
  const noflushStart = performance.now()
  sh(['ip', 'netns', 'exec', rawNoflush, 'ipset', 'restore'], sets)
  sh(['ip', 'netns', 'exec', rawNoflush, 'iptables-restore', '--noflush'], rules)
  const noflushMs = performance.now() - noflushStart

  const before = dataplane.status()
  dataplane.requestResync()
  await dataplane.apply()
  const after = dataplane.status()
  const resyncBytes = after.iptablesBytesWritten - before.iptablesBytesWritten
  const resyncCalls = after.iptablesRestoreCalls - before.iptablesRestoreCalls
  const perTable = (['raw', 'mangle', 'nat', 'filter'] as const)
    .map((t) => `${t} ${after.tables[t].bytesWritten - before.tables[t].bytesWritten}`)
    .join(', ')
  await dataplane.close()

  const ruleCount = rules.split('\n').filter((line) => line.startsWith('-A ')).length
  console.log(`dataplane bench: ${LOCAL} local endpoints × ${POLICIES} policies in ${TIERS.length} tiers (${status.policies} active, ${status.ipsets} ipsets, ${ruleCount} rules in 4 tables)`)
  console.log(`  initial programming        ${initialMs.toFixed(0)} ms (calc messages ${messages.length})`)
  console.log(`  raw ipset + iptables-restore of the same final state  ${rawMs.toFixed(0)} ms`)
  console.log(`  raw, with --noflush (as the agent must, to leave other rules alone)  ${noflushMs.toFixed(0)} ms`)
  console.log(`  ratio ${(initialMs / rawMs).toFixed(2)}x to the plain restore (target <= 1.3x); ${(initialMs / noflushMs).toFixed(2)}x to --noflush`)
  console.log(`  no-op resync: ${resyncBytes} bytes written in ${resyncCalls} iptables-restore calls (target 0); per table: ${perTable}`)
} finally {
  for (const ns of [programmed, raw, rawNoflush]) spawnSync('ip', ['netns', 'del', ns])
}
