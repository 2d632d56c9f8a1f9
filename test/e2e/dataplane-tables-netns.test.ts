/**
 * The raw, mangle and nat tables against the real kernel (iptables-nft, ipset), inside a network
 * namespace this test creates and always deletes: programming, a no-op resync that writes nothing,
 * drift repair, host endpoints resolved from interface addresses, a foreign chain under a Calico
 * name (apply rejects, the chain survives), and an uninstall that leaves other rules alone.
 * Needs root, iproute2, iptables-nft and ipset: it FAILS (never skips) without them.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {after, before, describe, it} from 'node:test'

import {inNetns} from '../../src/dataplane/exec.js'
import {IptablesDataplane} from '../../src/dataplane/index.js'
import {hostsAndPoolsState} from '../dataplane/fixtures.js'

const NS = `cali-dpt-test-${process.pid}`
const TABLES = ['raw', 'mangle', 'nat', 'filter'] as const

const sh = (...argv: string[]): string => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8'})
const inNs = (...argv: string[]): string => sh('ip', 'netns', 'exec', NS, ...argv)
/** iptables-save of one table without comment lines and counters. */
const save = (table: string): string =>
  inNs('iptables-nft-save', '-t', table)
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    .join('\n')
const saveAll = (): string => TABLES.map(save).join('\n')
const members = (set: string): string[] =>
  inNs('ipset', 'list', set)
    .split('\n')
    .filter((l) => /^\d/.test(l))
    .sort()

describe('raw, mangle and nat tables in a network namespace (root)', () => {
  before(() => {
    assert.equal(process.getuid?.(), 0, 'this test must run as root (CI does)')
    for (const tool of ['ip', 'iptables-nft', 'iptables-nft-save', 'iptables-nft-restore', 'ipset']) {
      assert.doesNotThrow(() => sh('sh', '-c', `command -v ${tool}`), `${tool} is missing: run scripts/ensure-system-packages.mjs`)
    }
    sh('ip', 'netns', 'add', NS)
    inNs('ip', 'link', 'add', 'eth-ext', 'type', 'veth', 'peer', 'name', 'eth-ext-p')
    inNs('ip', 'link', 'add', 'eth-ip', 'type', 'veth', 'peer', 'name', 'eth-ip-p')
    inNs('ip', 'addr', 'add', '10.200.0.1/24', 'dev', 'eth-ip')
    // Someone else's rules in the tables Calico now shares.
    inNs('iptables-nft', '-t', 'nat', '-N', 'KUBE-POSTROUTING')
    inNs('iptables-nft', '-t', 'nat', '-A', 'KUBE-POSTROUTING', '-s', '10.99.0.0/16', '-j', 'MASQUERADE')
    inNs('iptables-nft', '-t', 'nat', '-A', 'POSTROUTING', '-j', 'KUBE-POSTROUTING')
    inNs('iptables-nft', '-t', 'raw', '-A', 'PREROUTING', '-s', '10.98.0.0/16', '-j', 'CT', '--notrack')
    inNs('iptables-nft', '-t', 'mangle', '-A', 'PREROUTING', '-s', '10.97.0.0/16', '-j', 'MARK', '--set-mark', '7')
  })
  after(() => {
    try {
      sh('ip', 'netns', 'del', NS)
    } catch {
      // The namespace was never created (the before hook failed first).
    }
  })

  it('programs, no-ops, repairs drift, refuses a foreign chain and uninstalls only Calico', async () => {
    const others = (): string[] =>
      saveAll()
        .split('\n')
        .filter((l) => /KUBE-POSTROUTING|10\.98\.0\.0|10\.97\.0\.0/.test(l))
    const othersBefore = others()
    assert.equal(othersBefore.length, 5)
    const dp = new IptablesDataplane({run: inNetns(NS), refreshTimer: false, writeSysctls: async () => undefined})
    try {
      for (const msg of hostsAndPoolsState({IptablesBackend: 'NFT'})) dp.onUpdate(msg)
      await dp.apply()
      const raw = save('raw')
      assert.match(raw, /-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING/)
      assert.match(raw, /-A cali-PREROUTING .*-m rpfilter --validmark --invert -j DROP/)
      assert.match(raw, /-A cali-from-host-endpoint -i eth-ext .*-g cali-fh-eth-ext/)
      assert.match(raw, /-A cali-fh-eth-ext .*-m mark --mark 0x10000\/0x10000 -j (NOTRACK|CT --notrack)/)
      const mangle = save('mangle')
      assert.match(mangle, /-A cali-from-host-endpoint -i eth-ext .*-g cali-fh-eth-ext/)
      assert.match(mangle, /-A cali-to-host-endpoint -o eth-ip .*-g cali-th-eth-ip/, 'the by-IP endpoint resolved to eth-ip')
      assert.match(mangle, /-A cali-pi-gnp\/host-prednat -p tcp .*--dports 9090 -j DROP/)
      const nat = save('nat')
      assert.match(nat, /-A cali-nat-outgoing .*-m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE( --random-fully)?/)
      assert.match(save('filter'), /^:cali-fh-eth-ip /m)
      assert.deepEqual(members('cali40all-ipam-pools'), ['10.65.0.0/16', '10.66.0.0/16'], 'the disabled pool is still a Calico destination')
      assert.deepEqual(members('cali40masq-ipam-pools'), ['10.65.0.0/16'])
      assert.deepEqual(others(), othersBefore)
      const programmed = saveAll()
      for (const t of TABLES) assert.equal(dp.status().tables[t].restoreCalls, 1, t)

      // No-op apply and resync: 0 bytes in every table.
      const bytes = dp.status().iptablesBytesWritten
      await dp.apply()
      dp.requestResync()
      await dp.apply()
      assert.equal(dp.status().iptablesBytesWritten, bytes)

      // Drift: a person flushes Calico chains and removes hooks; the resync repairs exactly that.
      inNs('iptables-nft', '-t', 'raw', '-F', 'cali-PREROUTING')
      inNs('iptables-nft', '-t', 'nat', '-D', 'POSTROUTING', '1')
      inNs('iptables-nft', '-t', 'mangle', '-F', 'cali-fh-eth-ext')
      assert.notEqual(saveAll(), programmed)
      dp.requestResync()
      await dp.apply()
      assert.equal(saveAll(), programmed)

      await dp.removeAll()
      assert.doesNotMatch(saveAll(), /cali/)
      assert.deepEqual(others(), othersBefore)
    } finally {
      await dp.close()
    }

    // A chain under a Calico name with rules Calico did not write.
    inNs('iptables-nft', '-t', 'nat', '-N', 'cali-nat-outgoing')
    inNs('iptables-nft', '-t', 'nat', '-A', 'cali-nat-outgoing', '-s', '10.65.0.0/16', '-j', 'MASQUERADE')
    const dp2 = new IptablesDataplane({run: inNetns(NS), refreshTimer: false, writeSysctls: async () => undefined})
    try {
      for (const msg of hostsAndPoolsState({IptablesBackend: 'NFT'})) dp2.onUpdate(msg)
      await assert.rejects(dp2.apply(), (error: Error) => {
        assert.equal(error.message.split('\n').length, 1)
        assert.match(error.message, /^iptables table nat: chain cali-nat-outgoing already exists with 1 rule\(s\) Calico did not write/)
        return true
      })
      assert.match(save('nat'), /-A cali-nat-outgoing -s 10\.65\.0\.0\/16 -j MASQUERADE/)
      assert.doesNotMatch(save('nat'), /cali-POSTROUTING/, 'nothing written to the nat table')
      assert.match(save('filter'), /^:cali-INPUT /m, 'the other tables were programmed')
      // The operator deletes it; the next apply programs the nat table.
      inNs('iptables-nft', '-t', 'nat', '-F', 'cali-nat-outgoing')
      inNs('iptables-nft', '-t', 'nat', '-X', 'cali-nat-outgoing')
      await dp2.apply()
      assert.match(save('nat'), /-A cali-nat-outgoing .*cali40masq-ipam-pools/)
      await dp2.removeAll()
      assert.doesNotMatch(saveAll(), /cali/)
      assert.deepEqual(others(), othersBefore)
    } finally {
      await dp2.close()
    }
  })
})
