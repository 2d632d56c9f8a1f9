// Property: after any sequence of datastore updates (with flushes anywhere and in-sync anywhere),
// the dataplane state built from the graph's incremental output equals the state a fresh graph
// computes from the final datastore content alone. The recording dataplane also checks the
// ordering contract on every flush along the way.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {Resource} from '../../src/api/index.js'
import {CalcGraph, type CalcUpdate} from '../../src/calc/index.js'
import {RecordingDataplane} from './recording-dataplane.js'
import {keyOfResource, NODE, wep} from './states.js'

const res = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string, labels?: Record<string, string>): Resource => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata: {name, ...(namespace ? {namespace} : {}), ...(labels ? {labels} : {})},
  spec,
})

const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, {nil: undefined})
const node = fc.constantFrom(NODE, 'node2')
const labels = fc.record({app: opt(fc.constantFrom('web', 'db', 'cache')), color: opt(fc.constantFrom('red', 'blue'))}).map((l) =>
  Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as Record<string, string>,
)
const selector = fc.oneof(
  {weight: 12, arbitrary: fc.constantFrom("app == 'web'", "app == 'db'", 'all()', 'has(color)', "color != 'red'", "app in {'web', 'db'}", "pcns.team == 'red'")},
  {weight: 1, arbitrary: fc.constant('app ===')},
)

function wepArb(namespace: string, pod: string): fc.Arbitrary<Resource> {
  return fc
    .record({
      node,
      ip: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'),
      labels,
      profiles: fc.subarray([`kns.${namespace}`, 'shared', 'missing']),
      port: opt(fc.constantFrom(8080, 9090)),
      serviceAccount: opt(fc.constant('sa1')),
    })
    .map((o) =>
      wep(namespace, pod, {
        node: o.node,
        ip: o.ip,
        labels: o.labels,
        profiles: o.profiles,
        ...(o.serviceAccount ? {serviceAccount: o.serviceAccount} : {}),
        ...(o.port ? {ports: [{name: 'http', protocol: 'TCP', port: o.port}]} : {}),
      }),
    )
    .map((w) => ({...w, metadata: {...w.metadata, name: `wep-${pod}`}}))
}

const rule = fc
  .record({
    action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log'),
    src: opt(selector),
    notSrc: opt(fc.constantFrom("color == 'blue'", 'has(app)')),
    nsSel: opt(fc.constantFrom("team == 'red'", 'all()')),
    namedPort: fc.boolean(),
    numeric: fc.boolean(),
    udp: fc.boolean(),
  })
  .map((r) => ({
    action: r.action,
    ...(r.namedPort || r.numeric ? {protocol: r.udp ? 'UDP' : 'TCP'} : {}),
    source: {...(r.src ? {selector: r.src} : {}), ...(r.notSrc ? {notSelector: r.notSrc} : {}), ...(r.nsSel ? {namespaceSelector: r.nsSel} : {})},
    destination: r.namedPort || r.numeric ? {ports: [...(r.namedPort ? ['http'] : []), ...(r.numeric ? [80] : [])]} : {},
  }))

function policyArb(kind: 'NetworkPolicy' | 'GlobalNetworkPolicy', name: string, namespace?: string): fc.Arbitrary<Resource> {
  return fc
    .record({
      tier: fc.constantFrom('default', 't1', 'absent'),
      order: opt(fc.constantFrom(1, 5, 10)),
      selector,
      types: fc.constantFrom([], ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
      ingress: fc.array(rule, {maxLength: 2}),
      egress: fc.array(rule, {maxLength: 2}),
      kindFlag: fc.constantFrom('normal', 'doNotTrack', 'preDNAT', 'applyOnForward'),
    })
    .map((p) =>
      res(
        kind,
        name,
        {
          tier: p.tier,
          ...(p.order !== undefined ? {order: p.order} : {}),
          selector: p.selector,
          types: p.types,
          ingress: p.ingress,
          egress: p.egress,
          ...(kind === 'GlobalNetworkPolicy' && p.kindFlag !== 'normal' ? {[p.kindFlag]: true, applyOnForward: true} : {}),
        },
        namespace,
      ),
    )
}

const profileArb = (name: string): fc.Arbitrary<Resource> =>
  fc
    .record({team: opt(fc.constantFrom('red', 'blue')), ingress: fc.array(rule, {maxLength: 2})})
    .map((p) => res('Profile', name, {ingress: p.ingress, egress: [{action: 'Allow'}], ...(p.team ? {labelsToApply: {'pcns.team': p.team}} : {})}))

/** One generator per datastore key; each key's values vary. */
const RESOURCES: fc.Arbitrary<Resource>[] = [
  wepArb('ns1', 'a'),
  wepArb('ns1', 'b'),
  wepArb('ns2', 'c'),
  wepArb('ns2', 'd'),
  fc
    .record({node, labels, ip: fc.constantFrom('192.168.0.1', '10.0.0.1'), iface: fc.constantFrom('*', 'eth0')})
    .map((h) => res('HostEndpoint', 'hep1', {node: h.node, interfaceName: h.iface, expectedIPs: [h.ip]}, undefined, h.labels)),
  fc
    .record({labels, nets: fc.subarray(['10.0.0.2/32', '10.9.0.0/16', 'not-a-cidr'])})
    .map((s) => res('NetworkSet', 'set1', {nets: s.nets}, 'ns1', s.labels)),
  fc.record({labels}).map((s) => res('GlobalNetworkSet', 'gset1', {nets: ['8.8.8.0/24', '10.0.0.3/32']}, undefined, s.labels)),
  profileArb('kns.ns1'),
  profileArb('kns.ns2'),
  profileArb('shared'),
  policyArb('NetworkPolicy', 'np1', 'ns1'),
  policyArb('NetworkPolicy', 'np2', 'ns2'),
  policyArb('GlobalNetworkPolicy', 'gnp1'),
  policyArb('GlobalNetworkPolicy', 'gnp2'),
  fc.record({order: opt(fc.constantFrom(10, 2_000_000)), action: fc.constantFrom('Deny', 'Pass')}).map((t) => res('Tier', 't1', {...(t.order ? {order: t.order} : {}), defaultAction: t.action})),
  fc.constantFrom(res('Tier', 'default', {order: 1_000_000}), res('Tier', 'default', {order: 1})),
  // Two pools that may share a CIDR (Calico refuses that; the graph must still be order-independent).
  fc
    .record({cidr: fc.constantFrom('10.0.0.0/16', '10.1.0.0/16', 'not-a-cidr'), natOutgoing: fc.boolean(), disabled: fc.boolean()})
    .map((p) => res('IPPool', 'pool1', p)),
  fc.record({cidr: fc.constantFrom('10.1.0.0/16', '10.2.0.0/16'), vxlanMode: fc.constantFrom('Never', 'Always')}).map((p) => res('IPPool', 'pool2', p)),
  fc.constantFrom('Info', 'Debug').map((level) => res('FelixConfiguration', 'default', {logSeverityScreen: level, routeRefreshInterval: '1m30s'})),
  fc.constantFrom('Warning', 'Error').map((level) => res('FelixConfiguration', `node.${NODE}`, {logSeverityScreen: level})),
]

type Op = {op: 'put'; value: Resource} | {op: 'delete'; index: number} | {op: 'flush'} | {op: 'inSync'}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {weight: 6, arbitrary: fc.oneof(...RESOURCES).map((value): Op => ({op: 'put', value}))},
  {weight: 2, arbitrary: fc.nat(RESOURCES.length - 1).map((index): Op => ({op: 'delete', index}))},
  {weight: 2, arbitrary: fc.constant<Op>({op: 'flush'})},
  {weight: 1, arbitrary: fc.constant<Op>({op: 'inSync'})},
)

/** A key per generator index, for deletes (generated values of one generator share the key). */
const KEYS: string[] = RESOURCES.map((arb) => keyOfResource(fc.sample(arb, {numRuns: 1, seed: 1})[0]))

describe('calc graph: incremental equals from scratch', () => {
  it('holds for random update sequences', () => {
    fc.assert(
      fc.property(fc.tuple(...RESOURCES), fc.array(opArb, {maxLength: 80}), (snapshot, ops) => {
        const graph = new CalcGraph({nodeName: NODE})
        const dataplane = new RecordingDataplane()
        const content = new Map<string, Resource>()
        // A snapshot of every key (the syncer's list), then changes; in-sync wherever it falls.
        const all: Op[] = [...snapshot.map((value): Op => ({op: 'put', value})), ...ops]
        for (const op of all) {
          if (op.op === 'put') {
            const key = keyOfResource(op.value)
            content.set(key, op.value)
            graph.onUpdate({key, value: op.value})
          } else if (op.op === 'delete') {
            content.delete(KEYS[op.index])
            graph.onUpdate({key: KEYS[op.index], value: undefined})
          } else if (op.op === 'inSync') {
            graph.inSync()
          } else {
            dataplane.apply(graph.flush())
          }
        }
        graph.inSync()
        dataplane.apply(graph.flush())

        const fresh = new CalcGraph({nodeName: NODE})
        const expected = new RecordingDataplane()
        const updates: CalcUpdate[] = [...content].map(([key, value]) => ({key, value}))
        fresh.onUpdates(updates)
        fresh.inSync()
        expected.apply(fresh.flush())
        assert.deepEqual(dataplane.model(), expected.model())
      }),
      {numRuns: Number(process.env.CALC_PROPERTY_RUNS ?? 1000)},
    )
  })
})
