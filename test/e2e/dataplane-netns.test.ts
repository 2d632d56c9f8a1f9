/**
 * The iptables + ipset dataplane against the real kernel, inside a network namespace this test
 * creates (so the machine's own rules are never touched) and always deletes. Needs root, iproute2,
 * iptables and ipset: it FAILS (never skips) without them; CI installs them with
 * scripts/ensure-system-packages.mjs.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {after, before, describe, it} from 'node:test'

import {inNetns} from '../../src/dataplane/exec.js'
import {IptablesDataplane} from '../../src/dataplane/index.js'
import {protectedBackendState, removeAllState} from '../dataplane/fixtures.js'

const NS = `cali-dp-test-${process.pid}`
/** Two more namespaces: the same state written in many small transactions and in one per table. */
const NS_CHUNKED = `cali-dpc-test-${process.pid}`
const NS_SINGLE = `cali-dps-test-${process.pid}`
const TABLES = ['raw', 'mangle', 'nat', 'filter']

const sh = (...argv: string[]): string => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8'})
const inNs = (...argv: string[]): string => sh('ip', 'netns', 'exec', NS, ...argv)
/** iptables-save without comments lines and counters, so two saves compare equal. */
const save = (): string =>
  inNs('iptables-nft-save', '-t', 'filter')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    .join('\n')
/** All four tables of namespace `ns`, as `save` prints them. */
const saveAll = (ns: string): string =>
  TABLES.map((t) =>
    sh('ip', 'netns', 'exec', ns, 'iptables-nft-save', '-t', t)
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
      .join('\n'),
  ).join('\n')
const ipsets = (): string[] => inNs('ipset', 'list', '-n').split('\n').filter((l) => l !== '')

describe('iptables dataplane in a network namespace (root)', () => {
  before(() => {
    assert.equal(process.getuid?.(), 0, 'this test must run as root (CI does)')
    for (const tool of ['ip', 'iptables-nft-save', 'iptables-nft-restore', 'ipset']) {
      assert.doesNotThrow(() => sh('sh', '-c', `command -v ${tool}`), `${tool} is missing: run scripts/ensure-system-packages.mjs`)
    }
    for (const ns of [NS, NS_CHUNKED, NS_SINGLE]) {
      sh('ip', 'netns', 'add', ns)
      // Someone else's rules, which the dataplane must never touch.
      sh('ip', 'netns', 'exec', ns, 'iptables-nft', '-N', 'OTHER-CHAIN')
      sh('ip', 'netns', 'exec', ns, 'iptables-nft', '-A', 'OTHER-CHAIN', '-s', '10.99.0.0/16', '-j', 'ACCEPT')
      sh('ip', 'netns', 'exec', ns, 'iptables-nft', '-A', 'INPUT', '-j', 'OTHER-CHAIN')
      sh('ip', 'netns', 'exec', ns, 'ipset', 'create', 'other-set', 'hash:ip')
    }
  })
  after(() => {
    for (const ns of [NS, NS_CHUNKED, NS_SINGLE]) {
      try {
        sh('ip', 'netns', 'del', ns)
      } catch {
        // The namespace was never created (the before hook failed first).
      }
    }
  })

  it('a write split into many transactions ends in the same tables as one transaction per table', async () => {
    const chunked = new IptablesDataplane({run: inNetns(NS_CHUNKED), refreshTimer: false, writeSysctls: async () => undefined, chunkChains: 2})
    const single = new IptablesDataplane({run: inNetns(NS_SINGLE), refreshTimer: false, writeSysctls: async () => undefined})
    try {
      for (const dp of [chunked, single]) {
        for (const msg of protectedBackendState({IptablesBackend: 'NFT'})) dp.onUpdate(msg)
        await dp.apply()
      }
      assert.equal(single.status().iptablesRestoreCalls, 2)
      assert.ok(chunked.status().iptablesTransactions > 8, `split into ${chunked.status().iptablesTransactions} transactions`)
      // However many transactions, each table's write streams through one iptables-restore.
      assert.equal(chunked.status().iptablesRestoreCalls, 4)
      const programmed = saveAll(NS_SINGLE)
      assert.match(programmed, /^:cali-pi-gnp\/allow-frontend /m)
      assert.equal(saveAll(NS_CHUNKED), programmed)

      // Both resync to nothing, and uninstall alike.
      for (const dp of [chunked, single]) {
        const calls = dp.status().iptablesRestoreCalls
        dp.requestResync()
        await dp.apply()
        assert.equal(dp.status().iptablesRestoreCalls, calls)
        await dp.removeAll()
      }
      assert.equal(saveAll(NS_CHUNKED), saveAll(NS_SINGLE))
      assert.doesNotMatch(saveAll(NS_CHUNKED), /cali/)
    } finally {
      await chunked.close()
      await single.close()
    }
  })

  it('a transaction failing mid-stream: the ones before it stay, nothing is hooked in, the next apply converges', async () => {
    const ns = `cali-dpf-test-${process.pid}`
    const reference = `cali-dpr-test-${process.pid}`
    sh('ip', 'netns', 'add', ns)
    sh('ip', 'netns', 'add', reference)
    // The policy's ipset is sent only later: every transaction holding its chain fails in the kernel.
    const msgs = protectedBackendState({IptablesBackend: 'NFT'})
    const setUpdate = msgs.find((m) => m.type === 'IPSetUpdate') ?? assert.fail('no ipset in the fixture')
    const dp = new IptablesDataplane({run: inNetns(ns), refreshTimer: false, writeSysctls: async () => undefined, chunkChains: 2})
    try {
      for (const msg of msgs.filter((m) => m !== setUpdate)) dp.onUpdate(msg)
      await assert.rejects(dp.apply(), (error: Error) => /cali40s:frontend/.test(error.message) && !error.message.includes('\n'))
      const filter = sh('ip', 'netns', 'exec', ns, 'iptables-nft-save', '-t', 'filter')
      assert.ok(dp.status().iptablesTransactions > 0, 'transactions before the failing one committed')
      assert.match(filter, /^:cali-/m)
      assert.doesNotMatch(filter, /^-A (INPUT|FORWARD|OUTPUT) .*cali/m, 'no kernel chain jumps into the half-written filter table')
      dp.onUpdate(setUpdate)
      await dp.apply()
      const clean = new IptablesDataplane({run: inNetns(reference), refreshTimer: false, writeSysctls: async () => undefined})
      for (const msg of msgs) clean.onUpdate(msg)
      await clean.apply()
      await clean.close()
      assert.equal(saveAll(ns), saveAll(reference), 'the same tables as one clean program')
    } finally {
      await dp.close()
      for (const n of [ns, reference]) sh('ip', 'netns', 'del', n)
    }
  })

  it('programs, no-ops, repairs drift and removes only what is Calico', async () => {
    const dp = new IptablesDataplane({run: inNetns(NS), refreshTimer: false})
    try {
      for (const msg of protectedBackendState({IptablesBackend: 'NFT'})) dp.onUpdate(msg)
      await dp.apply()
      const programmed = save()
      for (const chain of ['cali-INPUT', 'cali-FORWARD', 'cali-OUTPUT', 'cali-tw-cali0backend', 'cali-fw-cali0frontend', 'cali-pri-kns.default', 'cali-from-wl-dispatch']) {
        assert.match(programmed, new RegExp(`^:${chain} `, 'm'), chain)
      }
      assert.match(programmed, /^:cali-pi-gnp\/allow-frontend /m)
      assert.match(programmed, /-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT/)
      assert.match(programmed, /--match-set cali40s:frontend src/)
      assert.deepEqual(ipsets().sort(), ['cali40s:frontend', 'other-set'])
      assert.match(inNs('ipset', 'list', 'cali40s:frontend'), /^10\.65\.0\.3$/m)
      const calls = dp.status().iptablesRestoreCalls
      assert.equal(calls, 2) // raw, mangle and nat in one restore, filter in another

      // Re-apply and a forced resync with nothing changed write nothing.
      await dp.apply()
      dp.requestResync()
      await dp.apply()
      assert.equal(dp.status().iptablesRestoreCalls, calls)

      // A person flushes Calico chains and deletes the INPUT hook: the resync repairs exactly that.
      inNs('iptables-nft', '-F', 'cali-tw-cali0backend')
      inNs('iptables-nft', '-F', 'cali-from-wl-dispatch')
      inNs('iptables-nft', '-D', 'INPUT', '1')
      inNs('ipset', 'del', 'cali40s:frontend', '10.65.0.3')
      assert.notEqual(save(), programmed)
      dp.requestResync()
      await dp.apply()
      assert.equal(save(), programmed)
      assert.match(inNs('ipset', 'list', 'cali40s:frontend'), /^10\.65\.0\.3$/m)

      // Endpoints and policies go away: their chains and sets go, the static chains stay.
      for (const msg of removeAllState()) dp.onUpdate(msg)
      await dp.apply()
      const emptied = save()
      assert.doesNotMatch(emptied, /cali-tw-|cali-fw-|cali-pi-|cali-pri-/)
      assert.match(emptied, /^:cali-INPUT /m)
      assert.deepEqual(ipsets(), ['other-set'])

      // Uninstall: nothing Calico left; the other rules are untouched.
      await dp.removeAll()
      const clean = save()
      assert.doesNotMatch(clean, /cali/)
      assert.match(clean, /^:OTHER-CHAIN /m)
      assert.match(clean, /-A INPUT -j OTHER-CHAIN/)
      assert.match(clean, /-A OTHER-CHAIN -s 10\.99\.0\.0\/16 -j ACCEPT/)
      assert.deepEqual(ipsets(), ['other-set'])
    } finally {
      await dp.close()
    }
  })
})
