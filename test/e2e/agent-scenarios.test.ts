/**
 * More connectivity-matrix scenarios for the node agent, judged by real packets against
 * PolicyModel (topology: support/agent-harness.ts, local store, an external namespace on the
 * host's uplink):
 * - GlobalNetworkSet nets in a rule: a workload's IP in a set that a deny rule selects, then moved
 *   to another workload's IP (ipset membership changes in place);
 * - named ports: `ports: [http]` resolves per endpoint (w3: http = the listener port, w2: http =
 *   another port, w1: no such port);
 * - a host endpoint (the uplink) with a deny-all policy: the failsafe port TCP 22 (a listener in
 *   the host netns) still answers from outside, TCP 8080 on the same host is blocked, and the
 *   workload matrix is unaffected.
 * NAT outgoing and doNotTrack/preDNAT host endpoint policy: agent-nat.test.ts, agent-host-endpoints.test.ts.
 *
 * Needs root, iproute2, iptables-nft, ipset, ping: it FAILS (never skips) without them.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import type {Resource} from '../../src/api/resource.js'
import {AgentHarness, API, EXT_IP, gnp, HOST_IP, NODE, NsProber, profile, TCP_PORT, WORKLOADS, type MatrixProbe} from './support/agent-harness.js'

const FAILSAFE_PORT = 22
const OTHER_HTTP_PORT = 9999
const HEP_NAME = 'e2e-host-up0'

const globalNetworkSet = (nets: string[]): Resource => ({apiVersion: API, kind: 'GlobalNetworkSet', metadata: {name: 'blocked', labels: {blocked: 'true'}}, spec: {nets}})

describe('node agent scenarios: network sets, named ports, host endpoint failsafe (root)', () => {
  const h = new AgentHarness({
    tag: 'scn',
    datastore: 'local',
    resyncSeconds: 10,
    external: true,
    // w1: no named port; w2: http is another port; w3: http is the listener.
    wepExtra: (w) =>
      w.pod === 'w1' ? {} : {ports: [{name: 'http', protocol: 'TCP', port: w.pod === 'w3' ? TCP_PORT : OTHER_HTTP_PORT}]},
  })
  const verdict = (verdicts: boolean[], label: string): boolean => {
    const index = h.probes.findIndex((p) => p.label === label)
    assert.ok(index >= 0, label)
    return verdicts[index]
  }

  before(async () => {
    await h.setup()
  })

  after(async () => {
    await h.teardown()
  })

  it('GlobalNetworkSet nets selected by a deny rule', async () => {
    await h.put(profile('ns-a', true), profile('ns-b', true))
    await h.put(
      globalNetworkSet([`${WORKLOADS[0].ip}/32`]),
      gnp('deny-blocked', {order: 10, selector: 'all()', types: ['Ingress'], ingress: [{action: 'Deny', source: {selector: 'blocked == "true"'}}, {action: 'Allow'}]}),
    )
    let verdicts = await h.assertMatrix('w1 in the blocked set')
    assert.equal(verdict(verdicts, 'w1->w2 tcp'), false)
    assert.equal(verdict(verdicts, 'w1->w3 icmp'), false)
    assert.equal(verdict(verdicts, 'w2->w1 tcp'), true)
    assert.equal(verdict(verdicts, 'w3->w2 udp'), true)

    await h.put(globalNetworkSet([`${WORKLOADS[1].ip}/32`, '192.0.2.0/24']))
    verdicts = await h.assertMatrix('w2 in the blocked set instead')
    assert.equal(verdict(verdicts, 'w1->w2 tcp'), true)
    assert.equal(verdict(verdicts, 'w2->w1 tcp'), false)
    await h.clear('GlobalNetworkPolicy', 'GlobalNetworkSet')
  })

  it('named ports: ports: [http] resolves per endpoint', async () => {
    await h.put(gnp('allow-http', {order: 10, selector: 'all()', types: ['Ingress'], ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: ['http']}}]}))
    const verdicts = await h.assertMatrix('named port http')
    assert.equal(verdict(verdicts, 'w1->w3 tcp'), true, 'w3 names its listener port http')
    assert.equal(verdict(verdicts, 'w1->w2 tcp'), false, 'w2 names another port http')
    assert.equal(verdict(verdicts, 'w2->w1 tcp'), false, 'w1 has no port named http')
    assert.equal(verdict(verdicts, 'w1->w3 udp'), false)
    await h.clear('GlobalNetworkPolicy')
  })

  it('host endpoint with deny-all: the failsafe port still answers, another port is blocked', async () => {
    const ext = h.ext
    assert.ok(ext !== undefined)
    // Listeners in the host netns: TCP 22 (failsafe) and TCP 8080 (UDP ports unused).
    await NsProber.start(h.cleanup, h.hostNs, {tcp: FAILSAFE_PORT, udp: 5354})
    await NsProber.start(h.cleanup, h.hostNs, {tcp: TCP_PORT, udp: 5355})
    const hostProbe = (port: number): MatrixProbe => ({
      label: `ext->host tcp ${port}`,
      flow: (_model, resources) =>
        resources.some((r) => r.kind === 'HostEndpoint')
          ? {source: {kind: 'ip', ip: EXT_IP}, destination: {kind: 'host', name: HEP_NAME, ip: HOST_IP}, protocol: 'TCP', dstPort: port}
          : undefined,
      run: () => ext.probe('tcp', HOST_IP, port),
    })
    const hostProbes = [hostProbe(FAILSAFE_PORT), hostProbe(TCP_PORT)]
    assert.deepEqual(await h.assertMatrix('no host endpoint yet', hostProbes), [true, true])

    await h.put(
      {apiVersion: API, kind: 'HostEndpoint', metadata: {name: HEP_NAME, labels: {role: 'host'}}, spec: {node: NODE, interfaceName: 'e2e-up0', expectedIPs: [HOST_IP]}},
      gnp('host-deny-all', {order: 10, selector: 'role == "host"', types: ['Ingress', 'Egress'], ingress: [{action: 'Deny'}], egress: [{action: 'Deny'}]}),
    )
    assert.deepEqual(await h.assertMatrix('host endpoint with deny-all', hostProbes), [true, false])
    // Workload traffic does not cross the uplink: unaffected.
    const verdicts = await h.assertMatrix('workloads with a host endpoint present')
    assert.ok(verdicts.every((v) => v))

    await h.clear('HostEndpoint', 'GlobalNetworkPolicy')
    assert.deepEqual(await h.assertMatrix('host endpoint removed', hostProbes), [true, true])
  })
})
