/**
 * NAT outgoing on the real agent (issue 6 connectivity matrix), with real packets. Topology
 * (support/agent-harness.ts, local store): a host netns running `calicoctl node run`, workloads
 * w1..w3 (10.65.0.x) on veths, and an "outside" netns on the host's uplink (10.200.0.2) that also
 * holds 10.66.0.9, an address in a second Calico pool. The outside routes 10.65.0.0/16 back to the
 * host, so an un-masqueraded packet still gets an answer: a listener there (support/peer-echo.mjs)
 * answers each connection with the source address it saw.
 *
 * Expected (Felix rules/nat.go): with natOutgoing on the workloads' pool, traffic to the outside
 * leaves with the HOST's address; traffic to another pool's address keeps the workload's address,
 * also when that pool is disabled; with natOutgoing off, nothing is masqueraded.
 *
 * Needs root, iproute2, iptables-nft, ipset: it FAILS (never skips) without them.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {after, before, describe, it} from 'node:test'

import type {Resource} from '../../src/api/resource.js'
import {AgentHarness, API, EXT_IP, HOST_IP, profile, WORKLOADS} from './support/agent-harness.js'
import {inNs, waitFor} from './support/netns.js'

const ECHO = join(import.meta.dirname, 'support', 'peer-echo.mjs')
const ECHO_PORT = 7070
const OTHER_POOL_IP = '10.66.0.9'
const DEADLINE_MS = 20_000

const pool = (name: string, cidr: string, spec: Record<string, unknown> = {}): Resource => ({
  apiVersion: API,
  kind: 'IPPool',
  metadata: {name},
  spec: {cidr, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', ...spec},
})

describe('node agent: NAT outgoing (root)', () => {
  const h = new AgentHarness({tag: 'nat', datastore: 'local', resyncSeconds: 10, external: true})

  /** The source address the outside saw for one connection from workload w1, or '' if none got through. */
  const seenFrom = (dst: string): string => {
    try {
      return inNs(h.workloads[0].ns, process.execPath, ECHO, 'client', dst, String(ECHO_PORT)).trim()
    } catch {
      return ''
    }
  }

  /** Waits (bounded) until the outside sees `want` as the source of w1's connections to `dst`. */
  const expectSource = async (what: string, dst: string, want: string): Promise<void> => {
    const deadline = Date.now() + DEADLINE_MS
    let got = ''
    while (Date.now() < deadline) {
      got = seenFrom(dst)
      if (got === want && seenFrom(dst) === want) return
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.fail(
      `${what}: ${dst} saw ${got === '' ? 'no connection' : got}, expected ${want}\n--- nat table ---\n${inNs(h.hostNs, 'iptables-nft-save', '-t', 'nat')}\n--- agent log ---\n${h.agentLogTail()}`,
    )
  }

  before(async () => {
    await h.setup()
    // The outside: an address in a second pool, and a route back to the workloads' pool.
    inNs(h.extNs, 'ip', 'addr', 'add', `${OTHER_POOL_IP}/32`, 'dev', 'lo')
    inNs(h.extNs, 'ip', 'route', 'add', '10.65.0.0/16', 'via', HOST_IP)
    inNs(h.hostNs, 'ip', 'route', 'add', `${OTHER_POOL_IP}/32`, 'via', EXT_IP)
    const server = spawn('ip', ['netns', 'exec', h.extNs, process.execPath, ECHO, 'server', String(ECHO_PORT)], {stdio: ['pipe', 'pipe', 'inherit']})
    h.cleanup.process(server)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('peer-echo server did not start')), 10_000)
      createInterface({input: server.stdout}).once('line', () => {
        clearTimeout(timer)
        resolve()
      })
      server.once('exit', (code) => reject(new Error(`peer-echo server exited with ${code}`)))
    })
    await h.put(profile('ns-a', true), profile('ns-b', true))
  })

  after(async () => {
    await h.teardown()
  })

  it('without any pool nothing is masqueraded and the nat chain is empty', async () => {
    await expectSource('no pools', EXT_IP, WORKLOADS[0].ip)
    assert.doesNotMatch(inNs(h.hostNs, 'iptables-nft-save', '-t', 'nat'), /-A cali-nat-outgoing/)
  })

  it('natOutgoing pool: to the outside as the host; to another pool as the workload', async () => {
    await h.put(pool('workloads', '10.65.0.0/16', {natOutgoing: true}), pool('other', '10.66.0.0/16'))
    await expectSource('natOutgoing on', EXT_IP, HOST_IP)
    await expectSource('destination in another pool', OTHER_POOL_IP, WORKLOADS[0].ip)
    assert.match(inNs(h.hostNs, 'iptables-nft-save', '-t', 'nat'), /-A cali-nat-outgoing .*--match-set cali40masq-ipam-pools src .*! --match-set cali40all-ipam-pools dst -j MASQUERADE/)
  })

  it('a disabled pool is still a Calico destination: not masqueraded', async () => {
    // The same result as before the change: a pool written after it shows when it has been applied.
    await h.put(pool('other', '10.66.0.0/16', {disabled: true}), pool('marker', '10.67.0.0/16'))
    const allPools = () => inNs(h.hostNs, 'ipset', 'list', 'cali40all-ipam-pools')
    assert.ok(await waitFor(() => allPools().includes('10.67.0.0/16'), DEADLINE_MS), `the marker pool was not programmed:\n${allPools()}`)
    assert.match(allPools(), /^10\.66\.0\.0\/16$/m)
    await expectSource('disabled pool', OTHER_POOL_IP, WORKLOADS[0].ip)
    await expectSource('still masqueraded to the outside', EXT_IP, HOST_IP)
  })

  it('natOutgoing off: not masqueraded; on again: masqueraded', async () => {
    await h.put(pool('workloads', '10.65.0.0/16', {natOutgoing: false}))
    await expectSource('natOutgoing off', EXT_IP, WORKLOADS[0].ip)
    await h.put(pool('workloads', '10.65.0.0/16', {natOutgoing: true}))
    await expectSource('natOutgoing on again', EXT_IP, HOST_IP)
    await h.clear('IPPool')
    await expectSource('pools deleted', EXT_IP, WORKLOADS[0].ip)
  })
})
