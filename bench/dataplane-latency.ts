/**
 * Dataplane latency bench (issue 6, item 6), as root, on the real-kernel e2e topology
 * (test/e2e/support/agent-harness.ts: a host netns running `calicoctl node run --dataplane=iptables`
 * on a local store, three workload namespaces on veth pairs). Measures "apply of a deny policy →
 * first dropped packet": while w1 → w2 TCP is probed in a tight loop (a fresh connection every
 * PROBE_EVERY_MS, each with a PROBE_TIMEOUT_MS timeout), a GlobalNetworkPolicy denying it is
 * written, and the time from that write's completion to the sending of the first probe that fails
 * (the first of FAIL_RUN failures in a row, so a single slow probe is not taken for a drop) is
 * recorded. The policy is then deleted and the flow must work again (SUCCESS_RUN successes in a
 * row) before the next trial; that delete → first working probe time is printed too.
 * Prints p50/p99/max over TRIALS trials (one untimed warm-up first) against the target
 * (p99 ≤ 500 ms); asserts nothing. The whole run is bounded (RUN_BUDGET_MS, then a hard stop), and
 * every namespace, process and directory is removed (finally, plus the harness's exit/signal hooks).
 * Run: sudo node --import tsx bench/dataplane-latency.ts
 */
import {performance} from 'node:perf_hooks'

import {AgentHarness, gnp, profile, TCP_PORT, WORKLOADS} from '../test/e2e/support/agent-harness.js'
import {median} from './support.js'

const TRIALS = 50
const TARGET_P99_MS = 500
const PROBE_EVERY_MS = 5
const PROBE_TIMEOUT_MS = 100
const FAIL_RUN = 5
const SUCCESS_RUN = 3
/** Give up on one transition (deny taking effect, or the flow coming back) after this long. */
const TRANSITION_LIMIT_MS = 10_000
/** Stop starting trials after this long (setup included); the hard stop follows HARD_STOP_MS after the start. */
const RUN_BUDGET_MS = 150_000
const HARD_STOP_MS = 175_000

const [SRC, DST] = WORKLOADS
const deny = gnp('bench-deny-w1-w2', {
  order: 10,
  selector: `role == '${DST.labels.role}'`,
  types: ['Ingress'],
  ingress: [
    {action: 'Deny', protocol: 'TCP', source: {selector: `role == '${SRC.labels.role}'`}, destination: {ports: [TCP_PORT]}},
    // Everything else stays allowed, so the drop is the Deny rule's, not the tier's implicit end-of-tier drop.
    {action: 'Allow'},
  ],
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Nearest-rank percentile (p99 of 50 samples is the largest). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

if (process.getuid?.() !== 0) {
  console.error('bench/dataplane-latency needs root (it creates network namespaces and runs the agent in one)')
  process.exit(1)
}

const started = performance.now()
const h = new AgentHarness({tag: 'lat', datastore: 'local', resyncSeconds: 90})
// The harness's Cleanup already runs on exit and SIGINT/SIGTERM; this bounds a run that hangs.
const hardStop = setTimeout(() => {
  console.error(`dataplane-latency bench: still running after ${HARD_STOP_MS / 1000} s, stopping`)
  h.cleanup.runAll()
  process.exit(2)
}, HARD_STOP_MS)
hardStop.unref()

interface Probe {
  readonly sentAt: number
  ok?: boolean
}

/**
 * Probes SRC → DST TCP every PROBE_EVERY_MS while `change` runs and afterwards, until FAIL_RUN
 * (want = false) or SUCCESS_RUN (want = true) probes in a row, sent after `change` began, came back
 * `want`. Returns the time from `change`'s completion to the sending of the first probe of that run
 * (negative if the dataplane changed before the write call returned), or undefined on time-out.
 */
async function timeTransition(change: () => Promise<void>, want: boolean): Promise<{ms?: number; stray: number}> {
  const workload = h.workloads[0]
  const probes: Probe[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const probe: Probe = {sentAt: performance.now()}
      probes.push(probe)
      void workload.probe('tcp', DST.ip, TCP_PORT, PROBE_TIMEOUT_MS).then((ok) => (probe.ok = ok))
      await sleep(PROBE_EVERY_MS)
    }
  })()
  const need = want ? SUCCESS_RUN : FAIL_RUN
  const findRun = (): number | undefined => {
    let runStart = -1
    for (let i = 0; i < probes.length; i++) {
      const ok = probes[i].ok
      if (ok === undefined) return undefined // results are only trusted in sending order
      if (ok !== want) runStart = -1
      else if (runStart < 0) runStart = i
      if (runStart >= 0 && i - runStart + 1 >= need) return runStart
    }
    return undefined
  }
  try {
    await change()
    const writtenAt = performance.now()
    const deadline = writtenAt + TRANSITION_LIMIT_MS
    let found: number | undefined
    while ((found = findRun()) === undefined && performance.now() < deadline) await sleep(PROBE_EVERY_MS)
    if (found === undefined) return {stray: 0}
    // Probes before the run that already gave the new answer (e.g. one slow success taken for a drop).
    const stray = probes.slice(0, found).filter((p) => p.ok === want).length
    return {ms: probes[found].sentAt - writtenAt, stray}
  } finally {
    running = false
    await loop
  }
}

const applyMs: number[] = []
const restoreMs: number[] = []
let strayFailures = 0
let timeouts = 0
let stoppedEarly = false
try {
  await h.setup()
  await h.put(profile('ns-a', true), profile('ns-b', true))
  // The flow must work before anything is timed.
  const up = await timeTransition(async () => undefined, true)
  if (up.ms === undefined) throw new Error(`w1 -> w2 TCP never worked with allow-all profiles:\n${h.agentLogTail()}`)

  for (let trial = 0; trial <= TRIALS; trial++) {
    if (performance.now() - started > RUN_BUDGET_MS) {
      stoppedEarly = true
      break
    }
    const applied = await timeTransition(() => h.put(deny), false)
    const restored = await timeTransition(() => h.remove(deny), true)
    if (restored.ms === undefined) throw new Error(`the flow did not come back within ${TRANSITION_LIMIT_MS} ms of deleting the policy:\n${h.agentLogTail()}`)
    if (trial === 0) continue // warm-up
    if (applied.ms === undefined) timeouts++
    else applyMs.push(applied.ms)
    restoreMs.push(restored.ms)
    strayFailures += applied.stray
  }
} finally {
  await h.teardown().catch((error: unknown) => console.error('teardown:', error))
  clearTimeout(hardStop)
}

const fmt = (values: readonly number[]) =>
  values.length === 0 ? 'no samples' : `p50 ${median(values).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms, min ${Math.min(...values).toFixed(1)} ms`
console.log(`dataplane latency bench: w1 -> w2 TCP probed every ${PROBE_EVERY_MS} ms (timeout ${PROBE_TIMEOUT_MS} ms), agent on a local store, ${applyMs.length} trials${stoppedEarly ? ` (stopped early: ${RUN_BUDGET_MS / 1000} s budget)` : ''}, run ${((performance.now() - started) / 1000).toFixed(1)} s`)
console.log(`  apply of a deny policy -> first dropped packet: ${fmt(applyMs)} (target p99 <= ${TARGET_P99_MS} ms)`)
if (timeouts > 0) console.log(`  ${timeouts} trials saw no drop within ${TRANSITION_LIMIT_MS} ms (left out above)`)
if (strayFailures > 0) console.log(`  ${strayFailures} isolated failed probes before the drop (ignored: ${FAIL_RUN} in a row count)`)
console.log(`  delete of the policy -> first working probe: ${fmt(restoreMs)}`)
