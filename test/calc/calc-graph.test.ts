// The calc graph against named states (states.ts), replayed as Felix's calc_graph_fv_test.go does:
// each state from scratch; the sequence forwards, backwards, with updates in reverse key order,
// with a flush after every single update; and squashed (all updates, then one flush).
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {CalcGraph, type CalcUpdate, type TierInfo} from '../../src/calc/index.js'
import {policyIdString} from '../../src/calc/messages.js'
import {RecordingDataplane, type DataplaneModel} from './recording-dataplane.js'
import {ALL_STATES, EMPTY, NODE, STATE_SEQUENCE, keyOfResource, updatesOf, type ExpectedState, type State} from './states.js'

const tierLine = (label: string, t: TierInfo): string =>
  `${label} ${t.name} ${t.defaultAction} in=${t.ingressPolicies.map(policyIdString).join(',')} out=${t.egressPolicies.map(policyIdString).join(',')}`

/** The model reduced to the ExpectedState form. */
export function summarise(model: DataplaneModel): ExpectedState {
  const endpoints: Record<string, string[]> = {}
  for (const [id, e] of Object.entries(model.workloads)) {
    endpoints[id] = [`profiles ${e.profileIds.join(',')}`, ...e.tiers.map((t) => tierLine('tier', t))]
  }
  for (const [id, e] of Object.entries(model.hosts)) {
    endpoints[`hep:${id}`] = [
      `name ${e.name} ips ${[...e.expectedIpv4Addrs, ...e.expectedIpv6Addrs].join(',')}`,
      `profiles ${e.profileIds.join(',')}`,
      ...e.tiers.map((t) => tierLine('tier', t)),
      ...e.untrackedTiers.map((t) => tierLine('untracked', t)),
      ...e.preDnatTiers.map((t) => tierLine('prednat', t)),
      ...e.forwardTiers.map((t) => tierLine('forward', t)),
    ]
  }
  return {
    ipsets: Object.fromEntries(Object.entries(model.ipsets).map(([id, s]) => [id, s.members])),
    policies: Object.keys(model.policies),
    profiles: Object.keys(model.profiles),
    endpoints: Object.fromEntries(Object.keys(endpoints).sort().map((k) => [k, endpoints[k]])),
    config: model.config ?? {},
    ...(Object.keys(model.pools).length > 0
      ? {
          pools: Object.fromEntries(
            Object.entries(model.pools).map(([id, p]) => [id, `${p.cidr} masq=${p.masquerade} disabled=${p.disabled} ipip=${p.ipipMode} vxlan=${p.vxlanMode}`]),
          ),
        }
      : {}),
  }
}

/** Updates that turn datastore content `from` into `to`: changed and new keys, then deletions. */
function transition(from: State, to: State): CalcUpdate[] {
  const before = new Map(updatesOf(from.resources).map((u) => [u.key, u.value]))
  const after = updatesOf(to.resources)
  const out: CalcUpdate[] = after.filter((u) => JSON.stringify(before.get(u.key)) !== JSON.stringify(u.value))
  const keys = new Set(to.resources.map(keyOfResource))
  for (const key of before.keys()) if (!keys.has(key)) out.push({key, value: undefined})
  return out
}

interface Harness {
  readonly graph: CalcGraph
  readonly dataplane: RecordingDataplane
  flush(): void
}

function harness(): Harness {
  const graph = new CalcGraph({nodeName: NODE})
  const dataplane = new RecordingDataplane()
  return {graph, dataplane, flush: () => dataplane.apply(graph.flush())}
}

function check(h: Harness, state: State, context: string): void {
  assert.deepEqual(summarise(h.dataplane.model()), state.expected, `${context}: state "${state.name}"`)
}

type Order = 'forward' | 'reverse'

/** Replays states in sequence; the first state is the snapshot, in sync before the first flush. */
function replay(states: readonly State[], order: Order, perUpdateFlush: boolean): void {
  const h = harness()
  let previous = EMPTY
  states.forEach((state, i) => {
    const updates = transition(previous, state)
    if (order === 'reverse') updates.reverse()
    for (const update of updates) {
      h.graph.onUpdate(update)
      if (perUpdateFlush) h.flush()
    }
    if (i === 0) h.graph.inSync()
    h.flush()
    check(h, state, `${order}${perUpdateFlush ? ', flush per update' : ''}, step ${i}`)
    previous = state
  })
}

describe('calc graph: named states', () => {
  for (const state of ALL_STATES) {
    it(`from scratch: ${state.name}`, () => {
      const h = harness()
      h.graph.onUpdates(updatesOf(state.resources))
      assert.deepEqual(h.graph.flush(), [], 'nothing before in-sync')
      h.graph.inSync()
      h.flush()
      assert.ok(h.dataplane.inSync)
      check(h, state, 'from scratch')
      h.flush()
      assert.deepEqual(h.graph.flush(), [], 'a second flush with no updates is empty')
    })
  }

  const sequences: [string, readonly State[]][] = [
    ['forwards', STATE_SEQUENCE],
    ['backwards', [...STATE_SEQUENCE].reverse()],
    ['each state twice', STATE_SEQUENCE.flatMap((s) => [s, s])],
    ['alternating with empty', ALL_STATES.flatMap((s) => [EMPTY, s])],
  ]
  for (const [name, states] of sequences) {
    for (const order of ['forward', 'reverse'] as const) {
      it(`${name}, updates in ${order} key order`, () => replay(states, order, false))
    }
    it(`${name}, flush after every update`, () => replay(states, 'forward', true))
  }

  for (const [name, states] of sequences) {
    it(`squashed ${name}: all updates, then one flush`, () => {
      const h = harness()
      let previous = EMPTY
      for (const state of states) {
        h.graph.onUpdates(transition(previous, state))
        previous = state
      }
      h.graph.inSync()
      h.flush()
      check(h, previous, 'squashed')
    })
  }

  it('emits nothing before in-sync, then everything in one batch ending with InSync', () => {
    const graph = new CalcGraph({nodeName: NODE})
    graph.onUpdates(updatesOf(ALL_STATES[2].resources))
    assert.deepEqual(graph.flush(), [])
    graph.inSync()
    const batch = graph.flush()
    assert.equal(batch.at(-1)?.type, 'InSync')
    assert.equal(batch.filter((m) => m.type === 'InSync').length, 1)
    graph.inSync()
    assert.equal(graph.flush().filter((m) => m.type === 'InSync').length, 0, 'InSync only once')
  })

  it('treats an undecodable resource as absent', () => {
    const h = harness()
    const state = ALL_STATES[1]
    h.graph.onUpdates(updatesOf(state.resources))
    const bad = updatesOf(state.resources).find((u) => u.value?.kind === 'NetworkPolicy') as CalcUpdate
    h.graph.onUpdate({key: bad.key, value: {...bad.value!, spec: {selector: 'app ==='}}})
    h.graph.inSync()
    h.flush()
    check(h, ALL_STATES[0], 'bad selector')
    assert.equal(h.graph.stats().invalidUpdates, 1)
  })
})
