/**
 * Dataplane bench (issue 6, item 6), as root, inside network namespaces it creates and removes:
 * 250 local workload endpoints × 2,000 policies (5 tiers) through the calc graph into the
 * iptables + ipset dataplane, as `calicoctl node run` runs them (the compiled dist/: run
 * `npm run build` first). Three rounds, each: the agent's initial programming as a cold start in
 * a fresh process and namespace, then the baselines, each into a fresh namespace: a raw
 * `ipset restore` + `iptables-restore` of the very same final sets and rules (all four tables) in
 * one call, in one call per table, and in one `--noflush` call. Prints the medians: the initial
 * programming time as a ratio to the faster plain baseline (target ≤ 1.3×) and to `--noflush`,
 * CPU (user + sys, /proc/self/stat with children, clock ticks) of each, and the bytes a forced
 * no-op resync writes (target 0).
 * Apply-to-first-dropped-packet latency needs workloads with real interfaces: see
 * bench/dataplane-latency.ts. Run: node --import tsx bench/dataplane.ts
 * (DATAPLANE_CHUNK_CHAINS=<n> / DATAPLANE_CHUNK_RULES=<n> set the chains / non-leaf rules per
 * transaction of a split write; DATAPLANE_TRACE=1 prints when each child of the first round's
 * initial programming ran, and DATAPLANE_SCRIPTS=<dir> also saves what each one read on stdin.)
 */
import {spawnSync} from 'node:child_process'
import {appendFileSync, readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'

import type {Resource} from '../src/api/index.js'
import type {CalcUpdate} from '../src/calc/index.js'
import type {CmdRunner} from '../src/dataplane/index.js'
import {loadBuiltDataplane} from './support.js'

// The agent's code as `calicoctl node run` runs it: the compiled dist/ (npm run build), not a tsx
// transform of src/.
const {CalcGraph, keyOf, IptablesDataplane, inNetns, runCmd} = await loadBuiltDataplane()

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

/** What one agent run reports to the parent (one JSON line on stdout). */
interface AgentRun {
  readonly ms: number
  readonly user: number
  readonly sys: number
  readonly messages: number
  readonly policies: number
  readonly ipsets: number
  readonly transactions: number
  readonly restoreCalls: number
  readonly resyncBytes: number
  readonly resyncCalls: number
  readonly resyncPerTable: string
  readonly trace: readonly string[]
}

/**
 * One cold start of the agent's dataplane in this fresh process: the calc graph's snapshot, then
 * the first apply into namespace `ns` (timed: wall, and CPU of this process and its children),
 * then a forced resync that must write nothing.
 */
async function agentRun(ns: string): Promise<AgentRun> {
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
      return await inNetns(ns, runCmd)({...cmd, stdin})
    } finally {
      const input = stdin === undefined ? '' : ` (${bytes} bytes in)`
      trace.push(`${begin.toFixed(0).padStart(6)} → ${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${cmd.argv.join(' ')}${input}`)
    }
  }
  const run = tracing ? traced : inNetns(ns, runCmd)
  const dataplane = new IptablesDataplane({run, refreshTimer: false, writeSysctls: async () => undefined, chunkChains, chunkRules})
  for (const message of messages) dataplane.onUpdate(message)
  const cpuStart = cpu()
  const start = performance.now()
  await dataplane.apply()
  const ms = performance.now() - start
  const used = cpu().minus(cpuStart)
  const status = dataplane.status()
  if (tracing) trace.unshift(`children, ms after the dataplane was created (apply began at ${(start - t0).toFixed(0)}):`)

  dataplane.requestResync()
  await dataplane.apply()
  const after = dataplane.status()
  await dataplane.close()
  return {
    ms,
    user: used.user,
    sys: used.sys,
    messages: messages.length,
    policies: status.policies,
    ipsets: status.ipsets,
    transactions: status.iptablesTransactions,
    restoreCalls: status.iptablesRestoreCalls,
    resyncBytes: after.iptablesBytesWritten - status.iptablesBytesWritten,
    resyncCalls: after.iptablesRestoreCalls - status.iptablesRestoreCalls,
    resyncPerTable: (['raw', 'mangle', 'nat', 'filter'] as const).map((t) => `${t} ${after.tables[t].bytesWritten - status.tables[t].bytesWritten}`).join(', '),
    trace,
  }
}

const AGENT_NS_ENV = 'DATAPLANE_BENCH_AGENT_NS'
const agentNs = process.env[AGENT_NS_ENV]
if (agentNs !== undefined) {
  // A child of the run below: one agent cold start, reported as JSON.
  console.log(JSON.stringify(await agentRun(agentNs)))
  process.exit(0)
}

/**
 * ROUNDS rounds, each: one agent cold start in a fresh process and a fresh namespace, then the
 * baselines, each into a fresh namespace, of the very sets and rules the first agent run left: the
 * same in one plain restore, in one plain restore per table, and in one --noflush restore (what an
 * agent sharing the tables uses). Every figure is the median of its ROUNDS runs; interleaving the
 * rounds lets the machine's drift (±15% from run to run here) hit both sides alike.
 */
const ROUNDS = 3
const once = (ns: string, sets: string, scripts: readonly string[], args: readonly string[]): {ms: number; cpu: Cpu} => {
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
const agentNsOf = (round: number) => `bench-dp-${process.pid}-${round}`
const baselineNs = `bench-raw-${process.pid}`
try {
  const agents: AgentRun[] = []
  const baselines: Record<'oneCall' | 'perTable' | 'noflush', {ms: number; cpu: Cpu}[]> = {oneCall: [], perTable: [], noflush: []}
  let sets = ''
  let rules = ''
  for (let round = 0; round < ROUNDS; round++) {
    const ns = agentNsOf(round)
    sh(['ip', 'netns', 'add', ns])
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename], {
      env: {...process.env, [AGENT_NS_ENV]: ns},
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    })
    if (child.status !== 0) throw new Error(`agent run failed: ${child.stderr}`)
    agents.push(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as AgentRun)
    if (round === 0) {
      sets = sh(['ip', 'netns', 'exec', ns, 'ipset', 'save'])
      // All four tables (raw, mangle, nat, filter): the agent programs them all.
      rules = sh(['ip', 'netns', 'exec', ns, 'iptables-save'])
    }
    spawnSync('ip', ['netns', 'del', ns])
    const perTableRules = rules.split(/(?=^\*)/m).filter((t) => t.startsWith('*'))
    baselines.oneCall.push(once(baselineNs, sets, [rules], []))
    baselines.perTable.push(once(baselineNs, sets, perTableRules, []))
    baselines.noflush.push(once(baselineNs, sets, [rules], ['--noflush']))
  }
  const median = <T extends {ms: number}>(xs: readonly T[]): T => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]
  const agent = median(agents)
  const agentCpu = makeCpu(agent.user, agent.sys)
  const [oneCall, perTable, noflush] = [median(baselines.oneCall), median(baselines.perTable), median(baselines.noflush)]
  const plain = oneCall.ms <= perTable.ms ? {...oneCall, how: 'one call'} : {...perTable, how: 'one call per table'}

  if (agents[0].trace.length > 0) console.log(agents[0].trace.join('\n'))
  const ruleCount = rules.split('\n').filter((line) => line.startsWith('-A ')).length
  const runs = (xs: readonly {ms: number}[]) => xs.map((x) => x.ms.toFixed(0)).join('/')
  console.log(`dataplane bench: ${LOCAL} local endpoints × ${POLICIES} policies in ${TIERS.length} tiers (${agent.policies} active, ${agent.ipsets} ipsets, ${ruleCount} rules in 4 tables); medians of ${ROUNDS} rounds`)
  console.log(
    `  initial programming (a cold agent process each round)  ${agent.ms.toFixed(0)} ms, cpu ${agentCpu} ` +
      `(runs ${runs(agents)} ms; calc messages ${agent.messages}, ${agent.transactions} transactions in ${agent.restoreCalls} iptables-restore calls)`,
  )
  console.log(`  raw ipset + iptables-restore, one call        ${oneCall.ms.toFixed(0)} ms, cpu ${oneCall.cpu} (runs ${runs(baselines.oneCall)} ms)`)
  console.log(`  raw ipset + iptables-restore, one per table   ${perTable.ms.toFixed(0)} ms, cpu ${perTable.cpu} (runs ${runs(baselines.perTable)} ms)`)
  console.log(`  raw, one call with --noflush (as an agent sharing the tables must)  ${noflush.ms.toFixed(0)} ms, cpu ${noflush.cpu}`)
  console.log(
    `  ratio ${(agent.ms / plain.ms).toFixed(2)}x to the faster plain restore (${plain.how}; target <= 1.3x); ` +
      `${(agent.ms / noflush.ms).toFixed(2)}x to --noflush; cpu ratio ${(agentCpu.total / plain.cpu.total).toFixed(2)}x`,
  )
  const resync = agents.map((a) => a.resyncBytes)
  console.log(`  no-op resync: ${resync.join('/')} bytes written in ${agents.map((a) => a.resyncCalls).join('/')} iptables-restore calls (target 0); per table (first run): ${agents[0].resyncPerTable}`)
} finally {
  for (let round = 0; round < ROUNDS; round++) spawnSync('ip', ['netns', 'del', agentNsOf(round)], {stdio: 'ignore'})
  spawnSync('ip', ['netns', 'del', baselineNs], {stdio: 'ignore'})
}
