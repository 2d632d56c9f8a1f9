/**
 * Dataplane bench (issue 6, item 6), as root, inside network namespaces it creates and removes:
 * 250 local workload endpoints × 2,000 policies (5 tiers) through the calc graph into the
 * iptables + ipset dataplane. Prints
 *  - the initial programming time (one cold start), as a ratio to a raw `ipset restore` +
 *    `iptables-restore` of the very same final sets and rules (all four tables) into a fresh
 *    namespace, the faster of one call and one call per table, each the median of 3 runs
 *    (target ≤ 1.3×); the same with `--noflush`; CPU (user + sys) of this process and its children
 *    for each (/proc/self/stat, clock ticks);
 *  - the bytes written by a no-op resync, in total and per table (target 0).
 * Apply-to-first-dropped-packet latency needs workloads with real interfaces: see
 * bench/dataplane-latency.ts. Run: node --import tsx bench/dataplane.ts
 * (DATAPLANE_CHUNK_CHAINS=<n> / DATAPLANE_CHUNK_RULES=<n> set the chains / non-leaf rules per
 * transaction of a split write; DATAPLANE_TRACE=1 prints when each child of the initial
 * programming ran, and DATAPLANE_SCRIPTS=<dir> also saves what each one read on stdin.)
 */
import {spawnSync} from 'node:child_process'
import {appendFileSync, readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'

import type {Resource} from '../src/api/index.js'
import {CalcGraph, keyOf, type CalcUpdate} from '../src/calc/index.js'
import {IptablesDataplane, inNetns, runCmd, type CmdRunner} from '../src/dataplane/index.js'

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

/** CPU time of this process plus its waited-for children (user + sys, ms), from /proc/self/stat. */
interface Cpu {
  readonly user: number
  readonly sys: number
  readonly total: number
  minus(other: Cpu): Cpu
  toString(): string
}

function makeCpu(user: number, sys: number): Cpu {
  return {user, sys, total: user + sys, minus: (o) => makeCpu(user - o.user, sys - o.sys), toString: () => `user ${user.toFixed(0)} ms + sys ${sys.toFixed(0)} ms`}
}

function cpu(): Cpu {
  // Fields after the command name: utime stime cutime cstime are fields 14-17 (clock ticks, 100 Hz).
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = (i: number): number => Number(fields[i - 3]) * 10
  return makeCpu(ticks(14) + ticks(16), ticks(15) + ticks(17))
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
const baselineNs = `bench-raw-${process.pid}`
const BASELINE_ROUNDS = 3
sh(['ip', 'netns', 'add', programmed])
try {
  const graph = new CalcGraph({nodeName: NODE})
  for (const update of snapshot()) graph.onUpdate(update)
  graph.inSync()
  const messages = graph.flush()
  // DATAPLANE_CHUNK_CHAINS overrides the chains per transaction of a split write (to compare sizes).
  const chunkChains = process.env.DATAPLANE_CHUNK_CHAINS === undefined ? undefined : Number(process.env.DATAPLANE_CHUNK_CHAINS)
  const chunkRules = process.env.DATAPLANE_CHUNK_RULES === undefined ? undefined : Number(process.env.DATAPLANE_CHUNK_RULES)
  // DATAPLANE_TRACE / DATAPLANE_SCRIPTS: each child's start and end, and its stdin.
  const trace: string[] = []
  const scriptsDir = process.env.DATAPLANE_SCRIPTS
  const tracing = process.env.DATAPLANE_TRACE !== undefined || scriptsDir !== undefined
  const t0 = performance.now()
  let children = 0
  const traced: CmdRunner = async (cmd) => {
    const begin = performance.now() - t0
    const n = ++children
    let bytes = 0
    // A streamed stdin is passed through piece by piece (counted, and saved when asked), unbuffered.
    const pieces = typeof cmd.stdin === 'object' ? cmd.stdin : cmd.stdin === undefined ? undefined : [cmd.stdin]
    const stdin =
      pieces === undefined
        ? undefined
        : (async function* (): AsyncGenerator<string> {
            for await (const piece of pieces) {
              if (scriptsDir !== undefined) appendFileSync(`${scriptsDir}/${String(n).padStart(2, '0')}-${cmd.argv[0]}`, piece)
              bytes += piece.length
              yield piece
            }
          })()
    try {
      return await inNetns(programmed, runCmd)({...cmd, stdin})
    } finally {
      const input = stdin === undefined ? '' : ` (${bytes} bytes in)`
      trace.push(`${begin.toFixed(0).padStart(6)} → ${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${cmd.argv.join(' ')}${input}`)
    }
  }
  const run = tracing ? traced : inNetns(programmed, runCmd)
  const dataplane = new IptablesDataplane({run, refreshTimer: false, writeSysctls: async () => undefined, chunkChains, chunkRules})
  for (const message of messages) dataplane.onUpdate(message)
  const cpuStart = cpu()
  const start = performance.now()
  await dataplane.apply()
  if (tracing) console.log(`children, ms after the dataplane was created (apply began at ${(start - t0).toFixed(0)}):\n${trace.join('\n')}`)
  const initialMs = performance.now() - start
  const initialCpu = cpu().minus(cpuStart)
  const status = dataplane.status()

  const sets = sh(['ip', 'netns', 'exec', programmed, 'ipset', 'save'])
  // All four tables (raw, mangle, nat, filter): the agent programs them all.
  const rules = sh(['ip', 'netns', 'exec', programmed, 'iptables-save'])
  const perTableRules = rules.split(/(?=^\*)/m).filter((t) => t.startsWith('*'))
  // Baselines, each into a fresh namespace: the same sets and rules in one plain restore, in one
  // plain restore per table, and in one --noflush restore (what an agent sharing the tables uses).
  // Each is the median of BASELINE_ROUNDS runs, the variants interleaved (a restore's time varies
  // by ±15% from run to run here); the agent's figure stays one cold start.
  const once = (ns: string, scripts: readonly string[], args: readonly string[]): {ms: number; cpu: Cpu} => {
    sh(['ip', 'netns', 'add', ns])
    try {
      const c0 = cpu()
      const t0 = performance.now()
      sh(['ip', 'netns', 'exec', ns, 'ipset', 'restore'], sets)
      for (const script of scripts) sh(['ip', 'netns', 'exec', ns, 'iptables-restore', ...args], script)
      return {ms: performance.now() - t0, cpu: cpu().minus(c0)}
    } finally {
      spawnSync('ip', ['netns', 'del', ns])
    }
  }
  const variants = {oneCall: [[rules], []], perTable: [perTableRules, []], noflush: [[rules], ['--noflush']]} as const
  const runs: Record<keyof typeof variants, {ms: number; cpu: Cpu}[]> = {oneCall: [], perTable: [], noflush: []}
  for (let round = 0; round < BASELINE_ROUNDS; round++) {
    for (const [name, [scripts, args]] of Object.entries(variants) as [keyof typeof variants, (typeof variants)[keyof typeof variants]][]) {
      runs[name].push(once(baselineNs, scripts, args))
    }
  }
  const median = (xs: {ms: number; cpu: Cpu}[]): {ms: number; cpu: Cpu} => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]
  const [oneCall, perTable, noflush] = [median(runs.oneCall), median(runs.perTable), median(runs.noflush)]
  const plain = oneCall.ms <= perTable.ms ? {...oneCall, how: 'one call'} : {...perTable, how: 'one call per table'}

  const before = dataplane.status()
  dataplane.requestResync()
  await dataplane.apply()
  const after = dataplane.status()
  const resyncBytes = after.iptablesBytesWritten - before.iptablesBytesWritten
  const resyncCalls = after.iptablesRestoreCalls - before.iptablesRestoreCalls
  const resyncPerTable = (['raw', 'mangle', 'nat', 'filter'] as const)
    .map((t) => `${t} ${after.tables[t].bytesWritten - before.tables[t].bytesWritten}`)
    .join(', ')
  await dataplane.close()

  const ruleCount = rules.split('\n').filter((line) => line.startsWith('-A ')).length
  console.log(`dataplane bench: ${LOCAL} local endpoints × ${POLICIES} policies in ${TIERS.length} tiers (${status.policies} active, ${status.ipsets} ipsets, ${ruleCount} rules in 4 tables)`)
  console.log(`  initial programming        ${initialMs.toFixed(0)} ms, cpu ${initialCpu} (calc messages ${messages.length}, ${status.iptablesTransactions} transactions in ${status.iptablesRestoreCalls} iptables-restore calls)`)
  console.log(`  baselines, median of ${BASELINE_ROUNDS} runs each:`)
  console.log(`  raw ipset + iptables-restore, one call        ${oneCall.ms.toFixed(0)} ms, cpu ${oneCall.cpu}`)
  console.log(`  raw ipset + iptables-restore, one per table   ${perTable.ms.toFixed(0)} ms, cpu ${perTable.cpu}`)
  console.log(`  raw, one call with --noflush (as an agent sharing the tables must)  ${noflush.ms.toFixed(0)} ms, cpu ${noflush.cpu}`)
  console.log(
    `  ratio ${(initialMs / plain.ms).toFixed(2)}x to the faster plain restore (${plain.how}; target <= 1.3x); ` +
      `${(initialMs / noflush.ms).toFixed(2)}x to --noflush; cpu ratio ${(initialCpu.total / plain.cpu.total).toFixed(2)}x`,
  )
  console.log(`  no-op resync: ${resyncBytes} bytes written in ${resyncCalls} iptables-restore calls (target 0); per table: ${resyncPerTable}`)
} finally {
  for (const ns of [programmed, baselineNs]) spawnSync('ip', ['netns', 'del', ns], {stdio: 'ignore'})
}
