/**
 * Fault tests for the node agent, judged by real packets and by the kernel's own tables (see
 * support/agent-harness.ts for the topology: the agent in a host netns, three workloads on veth
 * pairs, the datastore a real etcd the agent reaches through a bridge the test can switch off).
 *
 * - kill -9 and restart: the agent converges to the very same filter table (no duplicate chain,
 *   no duplicate hook jump, same ipsets) and the matrix still matches PolicyModel; a policy removed
 *   while the agent was dead leaves no stale chain or ipset behind.
 * - datastore outage: while etcd is out of the agent's reach, a policy change written to etcd does
 *   not reach the kernel (fail static: the matrix keeps matching the old state across several
 *   resyncs, and drift is still repaired from the last known state); once etcd is reachable again
 *   the agent converges to the new state.
 * - iptables-restore failing while running (a PATH wrapper makes it exit 4 while a flag file
 *   exists): the agent stays up, reports not ready with the reason, the kernel keeps the last
 *   state, and the apply is retried with backoff until it goes through.
 *
 * Needs root, iproute2, iptables-nft, ipset, ping, etcd: it FAILS (never skips) without them.
 */
import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {AgentHarness, gnp, np, profile} from './support/agent-harness.js'
import {inNs, sh, waitFor} from './support/netns.js'

const RESYNC_S = 3

describe('node agent faults: kill -9, datastore outage (root)', () => {
  const h = new AgentHarness({tag: 'flt', datastore: 'etcd', resyncSeconds: RESYNC_S})
  /** The filter table's cali lines, ipsets and verdicts of the baseline state. */
  let baseRules: string[] = []
  let baseIpsets: string[] = []
  let baseVerdicts: boolean[] = []

  const BASE_POLICIES = [
    gnp('deny-db-udp', {order: 10, selector: 'role == "db"', types: ['Ingress'], ingress: [{action: 'Deny', protocol: 'UDP'}]}),
    np('ns-a', 'backend-from-frontend', {order: 20, selector: 'role == "backend"', types: ['Ingress'], ingress: [{action: 'Allow', protocol: 'TCP', source: {selector: 'role == "frontend"'}}, {action: 'Deny'}]}),
  ]
  /** Only there between a kill and the restart: must leave nothing behind. */
  const EXTRA = gnp('security.deny-from-team-b', {tier: 'security', order: 5, selector: 'all()', types: ['Ingress'], ingress: [{action: 'Deny', protocol: 'ICMP', source: {namespaceSelector: 'team == "b"'}}, {action: 'Pass'}]})

  /** No chain declared twice, and each kernel hook jumps to its cali- chain exactly once. */
  function assertNoDuplicates(what: string): void {
    const chains = h.caliChains()
    const dupes = chains.filter((c, i) => chains.indexOf(c) !== i)
    assert.deepEqual(dupes, [], `${what}: chains declared twice`)
    const rules = h.caliRules()
    const hooks = rules.filter((l) => /^-A (INPUT|FORWARD|OUTPUT) .*-j cali-/.test(l))
    assert.ok(hooks.length >= 3, `${what}: hook jumps missing:\n${rules.join('\n')}`)
    assert.equal(new Set(hooks).size, hooks.length, `${what}: duplicate hook jumps:\n${hooks.join('\n')}`)
    const lines = rules.filter((l) => l.startsWith('-A '))
    const dupLines = lines.filter((l, i) => lines.indexOf(l) !== i)
    assert.deepEqual(dupLines, [], `${what}: duplicate rules`)
  }

  /** iptables-nft-restore fails (exit 4) while this file exists. */
  const wrappers = mkdtempSync(join(tmpdir(), 'agent-faults-bin-'))
  const failFlag = join(wrappers, 'fail-restore')

  before(async () => {
    const real = sh('sh', '-c', 'command -v iptables-nft-restore').trim()
    writeFileSync(
      join(wrappers, 'iptables-nft-restore'),
      `#!/bin/sh\nif [ -e '${failFlag}' ]; then cat >/dev/null; echo 'iptables-nft-restore: injected failure' >&2; exit 4; fi\nexec '${real}' "$@"\n`,
    )
    chmodSync(join(wrappers, 'iptables-nft-restore'), 0o755)
    h.extraAgentEnv = {PATH: `${wrappers}:${process.env.PATH ?? ''}`}
    await h.setup()
  })

  after(async () => {
    await h.teardown()
    rmSync(wrappers, {recursive: true, force: true})
  })

  it('baseline: allow-all profiles and two policies', async () => {
    await h.put(profile('ns-a', true), profile('ns-b', true), ...BASE_POLICIES)
    baseVerdicts = await h.assertMatrix('baseline')
    assert.ok(baseVerdicts.some((v) => v) && baseVerdicts.some((v) => !v))
    assertNoDuplicates('baseline')
    baseRules = h.caliRules()
    baseIpsets = h.caliIpsets()
    assert.ok(h.caliChains().some((c) => c.startsWith('cali-pi-')), baseRules.join('\n'))
    assert.ok(baseIpsets.length > 0, 'a selector in a rule makes an ipset')
  })

  it('kill -9 and restart with nothing changed: the same filter table, ipsets and matrix', async () => {
    await h.stopAgent('SIGKILL')
    assert.equal(h.agent?.signalCode, 'SIGKILL')
    // The kernel keeps enforcing while the agent is dead.
    await h.assertMatrixHolds('agent dead', baseVerdicts, 0)
    await h.startAgent()
    const same = await waitFor(() => h.caliRules().join('\n') === baseRules.join('\n'), 10_000)
    assert.ok(same, `filter table differs after restart:\n--- before ---\n${baseRules.join('\n')}\n--- after ---\n${h.caliRules().join('\n')}`)
    assertNoDuplicates('after restart')
    assert.deepEqual(h.caliIpsets(), baseIpsets)
    // One more resync must not change anything either.
    await new Promise((resolve) => setTimeout(resolve, (RESYNC_S + 1) * 1000))
    assert.deepEqual(h.caliRules(), baseRules)
    await h.assertMatrix('after kill -9 and restart')
  })

  it('kill -9, a policy removed while the agent is dead: no stale chain or ipset after restart', async () => {
    await h.put(EXTRA)
    await h.assertMatrix('with the extra tiered policy')
    const withExtra = h.caliRules()
    const baseChains = new Set(baseRules.filter((l) => l.startsWith(':cali-')).map((l) => l.slice(1).split(' ')[0]))
    const extraChains = h.caliChains().filter((c) => !baseChains.has(c))
    assert.ok(extraChains.length > 0, 'the extra policy adds chains')
    assert.notDeepEqual(h.caliIpsets(), baseIpsets, 'the namespace selector adds an ipset')
    assert.notDeepEqual(withExtra, baseRules)

    await h.stopAgent('SIGKILL')
    await h.remove(EXTRA)
    await h.startAgent()
    const clean = await waitFor(() => h.caliRules().join('\n') === baseRules.join('\n'), 10_000)
    assert.ok(clean, `stale state after restart (chains of the removed policy: ${extraChains.join(', ')}):\n${h.caliRules().join('\n')}`)
    assertNoDuplicates('after restart with a removed policy')
    assert.ok(await waitFor(() => h.caliIpsets().join() === baseIpsets.join(), 5000), `stale ipsets: ${h.caliIpsets().join(', ')} (want ${baseIpsets.join(', ')})`)
    for (const chain of extraChains) assert.ok(!h.caliChains().includes(chain), `stale chain ${chain}`)
    await h.assertMatrix('after restart with a removed policy', undefined, baseVerdicts)
  })

  it('datastore out of reach: the dataplane keeps its last state (and repairs drift), then converges when it returns', async () => {
    const bridge = h.bridge
    assert.ok(bridge !== undefined)
    await h.assertMatrix('before the outage', undefined, baseVerdicts)

    await bridge.close()
    const outageStart = Date.now()
    // A change the agent cannot see: TCP into the db workload (denied so far) is allowed.
    const change = gnp('allow-tcp-to-db', {order: 1, selector: 'role == "db"', types: ['Ingress'], ingress: [{action: 'Allow', protocol: 'TCP'}]})
    await h.put(change)
    const newVerdicts = await h.expected()
    assert.notDeepEqual(newVerdicts, baseVerdicts, 'the change must alter the matrix, or the test proves nothing')

    // Fail static across at least two resyncs.
    const rounds = await h.assertMatrixHolds('datastore unreachable', baseVerdicts, 2 * RESYNC_S * 1000 + 1000)
    assert.ok(rounds >= 2)
    assert.equal(h.agent?.exitCode, null, `the agent exited during the outage:\n${h.agentLogTail()}`)
    assert.deepEqual(h.caliRules(), baseRules, 'the filter table changed while the datastore was unreachable')
    const outageStatus = h.status()
    assert.equal(outageStatus.ready, false, `still ready with the datastore out of reach: ${JSON.stringify(outageStatus)}`)
    assert.ok(outageStatus.notReady?.some((reason) => reason.includes('datastore unavailable')), JSON.stringify(outageStatus))

    // Drift during the outage is repaired from the last known state.
    const victim = h.caliChains().find((c) => c.startsWith('cali-pi-'))
    assert.ok(victim !== undefined)
    inNs(h.hostNs, 'iptables-nft', '-F', victim)
    assert.notDeepEqual(h.caliRules(), baseRules)
    const repaired = await waitFor(() => h.caliRules().join('\n') === baseRules.join('\n'), (RESYNC_S + 4) * 1000)
    assert.ok(repaired, `flushed ${victim} not repaired during the outage:\n${h.caliRules().join('\n')}\n${h.agentLogTail()}`)
    await h.assertMatrixHolds('datastore unreachable, after repair', baseVerdicts, 0)
    assert.ok(bridge.isOpen === false && Date.now() - outageStart > 2 * RESYNC_S * 1000)

    await bridge.open()
    const reopened = Date.now()
    await h.assertMatrix('after the datastore returned', undefined, newVerdicts)
    const convergedMs = Date.now() - reopened
    assert.ok(convergedMs < 30_000)
    assertNoDuplicates('after the outage')
    assert.ok(await waitFor(() => h.status().ready === true, 10_000), `not ready after the outage: ${JSON.stringify(h.status())}`)
    await h.remove(change)
    await h.assertMatrix('change removed again', undefined, baseVerdicts)
  })

  it('iptables-restore failing while running: up, not ready with the reason, last state kept, retried until it works', async () => {
    await h.assertMatrix('before the failures', undefined, baseVerdicts)
    const rules = h.caliRules()
    writeFileSync(failFlag, '')
    const change = gnp('allow-tcp-to-db', {order: 1, selector: 'role == "db"', types: ['Ingress'], ingress: [{action: 'Allow', protocol: 'TCP'}]})
    await h.put(change)
    const newVerdicts = await h.expected()
    assert.notDeepEqual(newVerdicts, baseVerdicts)
    const reported = await waitFor(() => h.status().ready === false && (h.status().notReady ?? []).some((r) => r.includes('iptables-nft-restore') && r.includes('injected failure')), 15_000)
    assert.ok(reported, `no readiness failure naming the failed restore: ${JSON.stringify(h.status())}\n${h.agentLogTail()}`)
    await h.assertMatrixHolds('while iptables-restore fails', baseVerdicts, 3000)
    assert.deepEqual(h.caliRules(), rules, 'the filter table changed while every restore failed')
    assert.equal(h.agent?.exitCode, null, `the agent exited:\n${h.agentLogTail()}`)
    const retries = h
      .agentLogTail(200)
      .split('\n')
      .filter((l) => l.includes('dataplane apply failed; keeping the last state and retrying'))
      .map((l) => (JSON.parse(l) as {retryInMs: number}).retryInMs)
    assert.ok(retries.length >= 2 && retries[1] > retries[0], `no growing backoff: ${retries.join(', ')}`)

    rmSync(failFlag)
    await h.assertMatrix('after iptables-restore works again', undefined, newVerdicts)
    assert.ok(await waitFor(() => h.status().ready === true, 30_000), `not ready again: ${JSON.stringify(h.status())}`)
    assertNoDuplicates('after the failures')
    await h.remove(change)
    await h.assertMatrix('change removed again', undefined, baseVerdicts)
  })
})
