/**
 * Host endpoint policy in the raw and mangle tables on the real agent, with real packets
 * (topology: support/agent-harness.ts, local store, an outside netns on the host's uplink
 * e2e-up0 = 10.200.0.1). The host endpoint has no interfaceName, only expectedIPs: [10.200.0.1],
 * so the agent must find the interface from the host's addresses.
 *
 * - doNotTrack deny (raw PREROUTING) of TCP 8080: blocked, although normal policy allows it; TCP
 *   8081 still answers; the failsafe port TCP 22 answers.
 * - doNotTrack allow of TCP 8081 (with an egress allow for the replies, which are untracked too)
 *   under a normal deny-all: 8081 answers, 8080 does not, 22 does.
 * - preDNAT deny (mangle PREROUTING) of TCP 9090, where the host DNATs 10.200.0.1:9090 to workload
 *   w3:8080 (a rule the test adds, as kube-proxy would): forwarded connection blocked by its
 *   original destination port; 8081 unaffected; failsafe answers.
 * - a chain under a Calico name that someone else created: the agent reports not-ready naming the
 *   table and chain, and recovers once the chain is gone.
 *
 * Expectations are written out here: PolicyModel (src/policy) models normal host endpoint policy
 * only, not untracked or pre-DNAT policy.
 * Needs root, iproute2, iptables-nft, ipset: it FAILS (never skips) without them.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import type {Resource} from '../../src/api/resource.js'
import {AgentHarness, API, gnp, HOST_IP, NODE, NsProber, profile, WORKLOADS, type MatrixProbe} from './support/agent-harness.js'
import {inNs, waitFor} from './support/netns.js'

const FAILSAFE_PORT = 22
const DENIED_PORT = 8080
const OTHER_PORT = 8081
const DNAT_PORT = 9090
const HEP_NAME = 'e2e-host-by-ip'

const hostEndpoint: Resource = {apiVersion: API, kind: 'HostEndpoint', metadata: {name: HEP_NAME, labels: {role: 'host'}}, spec: {node: NODE, expectedIPs: [HOST_IP]}}
const allowAllNormal = gnp('host-allow-all', {order: 100, selector: 'role == "host"', types: ['Ingress', 'Egress'], ingress: [{action: 'Allow'}], egress: [{action: 'Allow'}]})
const denyAllNormal = gnp('host-allow-all', {order: 100, selector: 'role == "host"', types: ['Ingress', 'Egress'], ingress: [{action: 'Deny'}], egress: [{action: 'Deny'}]})

describe('node agent: untracked and pre-DNAT host endpoint policy (root)', () => {
  const h = new AgentHarness({tag: 'hep', datastore: 'local', resyncSeconds: 10, external: true})
  let probes: MatrixProbe[] = []

  before(async () => {
    await h.setup()
    const ext = h.ext
    assert.ok(ext !== undefined)
    // Listeners in the host netns (their UDP ports are unused).
    await NsProber.start(h.cleanup, h.hostNs, {tcp: FAILSAFE_PORT, udp: 5354})
    await NsProber.start(h.cleanup, h.hostNs, {tcp: DENIED_PORT, udp: 5355})
    await NsProber.start(h.cleanup, h.hostNs, {tcp: OTHER_PORT, udp: 5356})
    // kube-proxy-style port forward to workload w3's listener; Calico must leave it alone.
    inNs(h.hostNs, 'iptables-nft', '-t', 'nat', '-A', 'PREROUTING', '-d', HOST_IP, '-p', 'tcp', '--dport', String(DNAT_PORT), '-j', 'DNAT', '--to-destination', `${WORKLOADS[2].ip}:8080`)
    const probe = (port: number): MatrixProbe => ({label: `ext->host tcp ${port}`, flow: () => undefined, run: () => ext.probe('tcp', HOST_IP, port)})
    probes = [probe(FAILSAFE_PORT), probe(DENIED_PORT), probe(OTHER_PORT), probe(DNAT_PORT)]
    await h.put(profile('ns-a', true), profile('ns-b', true), hostEndpoint, allowAllNormal)
  })

  after(async () => {
    await h.teardown()
  })

  it('a host endpoint by expected IP with normal allow-all: everything answers', async () => {
    // Everything answers before the host endpoint is programmed too: wait for its dispatch rule.
    const dispatch = /-A cali-from-host-endpoint -i e2e-up0 .*-g cali-fh-e2e-up0/
    assert.ok(await waitFor(() => dispatch.test(h.iptablesSave()), 10_000), 'the host endpoint found by its expected IP is programmed')
    await h.assertMatrix('normal allow-all', probes, [true, true, true, true])
  })

  it('doNotTrack deny drops in raw before normal policy; failsafe still answers', async () => {
    await h.put(
      gnp('untracked-deny', {order: 1, selector: 'role == "host"', doNotTrack: true, applyOnForward: true, types: ['Ingress'], ingress: [{action: 'Deny', protocol: 'TCP', destination: {ports: [DENIED_PORT]}}]}),
    )
    await h.assertMatrix('untracked deny 8080', probes, [true, false, true, true])
    const raw = inNs(h.hostNs, 'iptables-nft-save', '-t', 'raw')
    assert.match(raw, /-A cali-fh-e2e-up0 .*-j cali-pi-gnp\/untracked-deny/)
    await h.clear('GlobalNetworkPolicy')
  })

  it('doNotTrack allow (both directions) passes under a normal deny-all; failsafe still answers', async () => {
    await h.put(
      denyAllNormal,
      gnp('untracked-allow', {
        order: 1,
        selector: 'role == "host"',
        doNotTrack: true,
        applyOnForward: true,
        types: ['Ingress', 'Egress'],
        ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: [OTHER_PORT]}}],
        egress: [{action: 'Allow', protocol: 'TCP', source: {ports: [OTHER_PORT]}}],
      }),
    )
    // The previous test's end state gives the same matrix: wait for this policy to be in place.
    const untrackedAllow = /-A cali-fh-e2e-up0 .*-j cali-pi-gnp\/untracked-allow/
    assert.ok(await waitFor(() => untrackedAllow.test(inNs(h.hostNs, 'iptables-nft-save', '-t', 'raw')), 10_000), 'the untracked allow is programmed')
    // 9090 is forwarded traffic: normal (non-applyOnForward) policy does not apply to it.
    await h.assertMatrix('untracked allow 8081, normal deny-all', probes, [true, false, true, true])
    await h.clear('GlobalNetworkPolicy')
    await h.put(allowAllNormal)
  })

  it('preDNAT deny drops a forwarded connection by its original destination; failsafe still answers', async () => {
    await h.assertMatrix('before the preDNAT policy', probes, [true, true, true, true])
    await h.put(
      gnp('prednat-deny', {order: 1, selector: 'role == "host"', preDNAT: true, applyOnForward: true, types: ['Ingress'], ingress: [{action: 'Deny', protocol: 'TCP', destination: {ports: [DNAT_PORT]}}]}),
    )
    await h.assertMatrix('preDNAT deny 9090', probes, [true, true, true, false])
    assert.match(inNs(h.hostNs, 'iptables-nft-save', '-t', 'mangle'), /-A cali-fh-e2e-up0 .*-j cali-pi-gnp\/prednat-deny/)
    assert.match(inNs(h.hostNs, 'iptables-nft-save', '-t', 'nat'), /--dport 9090 -j DNAT --to-destination 10\.65\.0\.3:8080/, 'the DNAT rule is untouched')
    await h.clear('GlobalNetworkPolicy')
    await h.put(allowAllNormal)
    await h.assertMatrix('preDNAT policy removed', probes, [true, true, true, true])
  })

  it('a foreign chain under a Calico name: not ready with table and chain named; ready again once it is gone', async () => {
    // The agent reads the kernel at start and on resync; a chain someone creates between two reads
    // is only seen at the next one (as in Felix). So: stop the agent, create the chain, start again.
    await h.stopAgent('SIGTERM')
    inNs(h.hostNs, 'iptables-nft', '-t', 'raw', '-N', 'cali-fh-e2e-up0')
    inNs(h.hostNs, 'iptables-nft', '-t', 'raw', '-A', 'cali-fh-e2e-up0', '-p', 'tcp', '--dport', '1', '-j', 'ACCEPT')
    await h.put(
      gnp('untracked-deny', {order: 1, selector: 'role == "host"', doNotTrack: true, applyOnForward: true, types: ['Ingress'], ingress: [{action: 'Deny', protocol: 'TCP', destination: {ports: [DENIED_PORT]}}]}),
    )
    await h.startAgent(false)
    const reason = (): string => (h.status().notReady ?? []).join(' | ')
    assert.ok(
      await waitFor(() => /iptables table raw: chain cali-fh-e2e-up0 already exists with 1 rule\(s\) Calico did not write/.test(reason()), 30_000),
      `expected a not-ready reason naming raw/cali-fh-e2e-up0, got: ${reason()}\n${h.agentLogTail()}`,
    )
    assert.equal(h.status().ready, false)
    assert.match(inNs(h.hostNs, 'iptables-nft-save', '-t', 'raw'), /-A cali-fh-e2e-up0 -p tcp -m tcp --dport 1 -j ACCEPT/, 'the foreign chain is untouched')
    // The other tables were still programmed: the normal allow-all policy works.
    assert.match(h.iptablesSave(), /-A cali-fh-e2e-up0 /)
    inNs(h.hostNs, 'iptables-nft', '-t', 'raw', '-F', 'cali-fh-e2e-up0')
    inNs(h.hostNs, 'iptables-nft', '-t', 'raw', '-X', 'cali-fh-e2e-up0')
    assert.ok(await waitFor(() => h.status().ready === true, 30_000), `the agent did not become ready again: ${reason()}\n${h.agentLogTail()}`)
    await h.assertMatrix('untracked deny after recovery', probes, [true, false, true, true])
    await h.clear('GlobalNetworkPolicy')
  })
})
