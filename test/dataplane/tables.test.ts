/**
 * The raw, mangle and nat tables (issue 6): rendered rules (hashes checked against Felix's
 * felix/fv/cali-iptables-dump.txt where the rule text is the same), chain ownership and the
 * foreign-chain conflict, no-op applies, host endpoints by expected IPs, feature detection. The
 * kernel side is a small in-memory iptables that executes restore scripts and prints saves.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {CalcMessage} from '../../src/calc/messages.js'
import {readStdin, type Cmd, type CmdRunner} from '../../src/dataplane/exec.js'
import {parseIpAddr, resolveHostEndpoints} from '../../src/dataplane/hosts.js'
import {ForeignChainError, IptablesDataplane} from '../../src/dataplane/index.js'
import {commandsFor} from '../../src/dataplane/iptables/backend.js'
import {featuresFrom} from '../../src/dataplane/iptables/features.js'
import {IptablesTable} from '../../src/dataplane/iptables/table.js'
import {renderConfig} from '../../src/dataplane/rules/config.js'
import {renderRule, ruleHashes, type Chain} from '../../src/dataplane/rules/model.js'
import {renderTables, type TableRender} from '../../src/dataplane/rules/ruleset.js'
import {hostsAndPoolsState, protectedBackendState} from './fixtures.js'

/** An in-memory iptables (one backend): restore scripts change it, saves print it. */
class FakeIptables {
  readonly tables = new Map<string, Map<string, string[]>>()
  readonly restores: {table: string; script: string}[] = []
  /** Restore calls still to fail (before changing anything). */
  failRestores = 0
  version = 'iptables v1.8.9 (nf_tables)'
  versionCalls = 0
  addrJson = '[]'

  table(name: string): Map<string, string[]> {
    let t = this.tables.get(name)
    if (t === undefined) {
      t = new Map()
      for (const kernel of KERNEL_CHAINS[name] ?? []) t.set(kernel, [])
      this.tables.set(name, t)
    }
    return t
  }

  /** Adds a chain with rules (as `-A` lines without the `-A <chain>` prefix). */
  put(table: string, chain: string, rules: string[]): void {
    this.table(table).set(chain, [...rules])
  }

  readonly run: CmdRunner = async (cmd: Cmd) => {
    const [prog, ...args] = cmd.argv
    if (prog.endsWith('-save')) {
      // `-t <table>`, or every table this fake has.
      const names = args.includes('-t') ? [args[args.indexOf('-t') + 1]] : ['raw', 'mangle', 'nat', 'filter']
      const lines: string[] = []
      for (const name of names) {
        const t = this.table(name)
        lines.push(`*${name}`, ...[...t.keys()].map((c) => `:${c} - [0:0]`))
        for (const [c, rules] of t) for (const r of rules) lines.push(`-A ${c} ${r}`)
        lines.push('COMMIT')
      }
      return {stdout: `${lines.join('\n')}\n`, stderr: ''}
    }
    if (prog.endsWith('-restore')) {
      if (this.failRestores > 0) {
        this.failRestores--
        throw new Error('iptables-restore: line 3 failed')
      }
      // One call may carry several tables, or transactions, each `*table` … `COMMIT`.
      for (const section of (await readStdin(cmd)).split(/^(?=\*)/m).filter((s) => s.startsWith('*'))) this.restore(section)
      return {stdout: '', stderr: ''}
    }
    if (prog.startsWith('iptables-') && args[0] === '--version') {
      this.versionCalls++
      return {stdout: `${this.version}\n`, stderr: ''}
    }
    if (prog === 'ip' && args.join(' ') === '-j addr show') return {stdout: this.addrJson, stderr: ''}
    return {stdout: '', stderr: ''}
  }

  private restore(script: string): void {
    const lines = script.split('\n').filter((l) => l !== '' && l !== 'COMMIT')
    const name = lines[0].slice(1)
    this.restores.push({table: name, script})
    const t = new Map([...this.table(name)].map(([k, v]) => [k, [...v]]))
    for (const line of lines.slice(1)) {
      const words = line.split(' ')
      if (line.startsWith(':')) t.set(line.slice(1).split(' ')[0], [])
      else if (words[0] === '-A') (t.get(words[1]) ?? assert.fail(`no chain ${words[1]}`)).push(words.slice(2).join(' '))
      else if (words[0] === '-I') t.get(words[1])?.splice(Number(words[2]) - 1, 0, words.slice(3).join(' '))
      else if (words[0] === '-D') t.get(words[1])?.splice(Number(words[2]) - 1, 1)
      else if (words[0] === '-X') t.delete(words[1])
      else assert.fail(`unexpected restore line ${line}`)
    }
    this.tables.set(name, t)
  }

  /** Every rule line of a table mentioning `cali`. */
  cali(table: string): string[] {
    return [...this.table(table)].flatMap(([c, rules]) => [...(c.startsWith('cali-') ? [`:${c}`] : []), ...rules.filter((r) => r.includes('cali')).map((r) => `-A ${c} ${r}`)])
  }
}

const KERNEL_CHAINS: Record<string, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
}

/** The desired state of the fixture as the dataplane holds it (host endpoints resolved). */
function render(msgs: CalcMessage[], randomFully = true): Record<string, TableRender> {
  const heps = msgs.flatMap((m) => (m.type === 'HostEndpointUpdate' ? [m.endpoint] : [])).filter((h) => h.name !== '')
  return renderTables(
    {
      policies: new Map(msgs.flatMap((m) => (m.type === 'ActivePolicyUpdate' ? [[JSON.stringify(m.id), {id: m.id, policy: m.policy}] as const] : []))),
      profiles: new Map(msgs.flatMap((m) => (m.type === 'ActiveProfileUpdate' ? [[m.id, m.profile] as const] : []))),
      workloads: msgs.flatMap((m) => (m.type === 'WorkloadEndpointUpdate' ? [m.endpoint] : [])),
      hostEndpoints: heps,
      pools: msgs.flatMap((m) => (m.type === 'IPAMPoolUpdate' ? [{cidr: m.pool.cidr, masquerade: m.pool.masquerade}] : [])),
    },
    renderConfig({}),
    {randomFully},
  )
}

const chain = (t: TableRender, name: string): Chain => t.chains.find((c) => c.name === name) ?? assert.fail(`no chain ${name}`)
const lines = (c: Chain): string[] => {
  const hashes = ruleHashes(c.name, c.rules)
  return c.rules.map((r, i) => renderRule('-A', c.name, r, hashes[i]))
}

describe('raw, mangle and nat rendering', () => {
  it('static chains hash like Felix (rules that Felix renders the same way)', () => {
    const t = render(protectedBackendState())
    // Whole chains from felix/fv/cali-iptables-dump.txt.
    assert.deepEqual(chain(t.mangle, 'cali-PREROUTING').rules.length, 4)
    assert.deepEqual(ruleHashes('cali-PREROUTING', chain(t.mangle, 'cali-PREROUTING').rules), ['6BJqBjBC7crtA-7-', 'KX7AGNd6rMcDUai6', 'wNH7KsA3ILKJBsY9', 'Cg96MgVuoPm7UMRo'])
    assert.deepEqual(ruleHashes('cali-POSTROUTING', chain(t.mangle, 'cali-POSTROUTING').rules), ['NX-7roTexQ3fGRfU', 'JkYr4aB8O4_N8NBS', 'nO0nbHA3Or7V6l7t', 'mgxNjIoKySH7TEGH'])
    assert.deepEqual(ruleHashes('cali-POSTROUTING', chain(t.nat, 'cali-POSTROUTING').rules), ['Z-c7XtVd2Bq7s_hA', 'nYKhEzDlr11Jccal'])
    assert.deepEqual(ruleHashes('cali-PREROUTING', chain(t.nat, 'cali-PREROUTING').rules), ['r6XmIziWUJsdOK6Z'])
    assert.deepEqual(ruleHashes('cali-OUTPUT', chain(t.nat, 'cali-OUTPUT').rules), ['GBTAv2p5CwevEyJm'])
    // Felix has a VXLAN NOTRACK rule (overlays only) in the raw chains; the rules before it match.
    assert.deepEqual(ruleHashes('cali-OUTPUT', chain(t.raw, 'cali-OUTPUT').rules).slice(0, 2), ['clI8WObfCl4yhr60', 'ZbkN6P8OdRcBRPpU'])
    assert.equal(ruleHashes('cali-PREROUTING', chain(t.raw, 'cali-PREROUTING').rules)[0], 'DQ6LK2guiBRMyrLK')
    // Kernel hooks.
    assert.deepEqual(ruleHashes('PREROUTING', t.raw.inserts.get('PREROUTING') ?? []), ['6gwbT8clXdHdC1b1'])
    assert.deepEqual(ruleHashes('OUTPUT', t.raw.inserts.get('OUTPUT') ?? []), ['tVnHkvAo15HuiPy0'])
    // Felix's nat POSTROUTING hook hashes as 0i8pjzKKPyA34aQD with the same text (reason not found).
    assert.deepEqual(ruleHashes('POSTROUTING', t.mangle.inserts.get('POSTROUTING') ?? []), ['O3lYWMrLQYEMJtB5'])
  })

  it('raw: RPF for workloads, untracked dispatch only for endpoints with doNotTrack policy, NOTRACK on allow', () => {
    const t = render(hostsAndPoolsState())
    const pre = lines(chain(t.raw, 'cali-PREROUTING')).join('\n')
    assert.match(pre, /--in-interface cali\+ --jump MARK --set-mark 0x80000\/0x80000/)
    assert.match(pre, /-m mark --mark 0x80000\/0x80000 -m rpfilter --validmark --invert --jump DROP/)
    assert.match(pre, /-m mark --mark 0\/0x80000 --jump cali-from-host-endpoint/)
    assert.deepEqual(
      chain(t.raw, 'cali-from-host-endpoint').rules.map((r) => `${r.match.join(' ')} -> ${r.action.kind === 'goto' ? r.action.target : ''}`),
      ['--in-interface eth-ext -> cali-fh-eth-ext'],
    )
    const fh = lines(chain(t.raw, 'cali-fh-eth-ext'))
    assert.ok(!fh.some((l) => l.includes('conntrack')), 'no conntrack rules in raw')
    assert.match(fh.join('\n'), /--jump cali-pi-gnp\/host-untracked\n.*--mark 0x10000\/0x10000 --jump NOTRACK\n.*Return if policy accepted/)
    assert.ok(!fh.some((l) => l.includes('End of tier')), 'no end-of-tier drop for untracked policy')
    assert.match(lines(chain(t.raw, 'cali-pi-gnp/host-untracked')).join('\n'), /--destination-ports 8080 --jump DROP/)
    assert.ok(!t.raw.chains.some((c) => c.name.includes('host-normal') || c.name.includes('host-prednat')), 'only untracked policy in raw')
    // Raw failsafe chains also let replies of the other direction's failsafe connections through.
    assert.match(lines(chain(t.raw, 'cali-failsafe-in')).join('\n'), /-p udp -m multiport --source-ports 53 --jump ACCEPT/)
  })

  it('raw: workloads allowed to spoof skip the RPF check for those prefixes only (IPv4)', () => {
    const msgs = protectedBackendState().map((m) =>
      m.type === 'WorkloadEndpointUpdate' && m.endpoint.name === 'cali0backend' ? {...m, endpoint: {...m.endpoint, allowSpoofedSourcePrefixes: ['10.99.0.0/24', 'fd00::/64']}} : m,
    )
    assert.deepEqual(lines(chain(render(msgs).raw, 'cali-rpf-skip')).map((l) => l.replace(/"cali:[^"]+"/, 'HASH')), [
      '-A cali-rpf-skip -m comment --comment HASH --in-interface cali0backend --source 10.99.0.0/24 --jump ACCEPT',
    ])
    assert.deepEqual(chain(render(protectedBackendState()).raw, 'cali-rpf-skip').rules, [])
  })

  it('mangle: pre-DNAT ingress for endpoints with preDNAT policy; DNAT egress chains for every endpoint', () => {
    const t = render(hostsAndPoolsState())
    assert.deepEqual(chain(t.mangle, 'cali-from-host-endpoint').rules.length, 1)
    assert.deepEqual(chain(t.mangle, 'cali-to-host-endpoint').rules.length, 1, 'the by-IP endpoint is not resolved in this render')
    const fh = lines(chain(t.mangle, 'cali-fh-eth-ext')).join('\n')
    assert.match(fh, /--ctstate RELATED,ESTABLISHED --jump ACCEPT/)
    assert.match(fh, /--jump cali-pi-gnp\/host-prednat/)
    assert.doesNotMatch(fh, /End of tier|Drop if no profiles/)
    const th = lines(chain(t.mangle, 'cali-th-eth-ext')).join('\n')
    assert.match(th, /--ctstate RELATED,ESTABLISHED --jump MARK --set-mark 0x10000\/0x10000\n.*--ctstate RELATED,ESTABLISHED --jump RETURN/)
    assert.match(th, /--jump cali-po-gnp\/host-normal/)
    assert.match(th, /Drop if no profiles matched/)
  })

  it('nat: MASQUERADE from natOutgoing pools to non-pool destinations, only while a pool has natOutgoing', () => {
    const t = render(hostsAndPoolsState())
    assert.deepEqual(lines(chain(t.nat, 'cali-nat-outgoing')).map((l) => l.replace(/"cali:[^"]+"/, 'HASH')), [
      '-A cali-nat-outgoing -m comment --comment HASH -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst --jump MASQUERADE --random-fully',
    ])
    assert.match(lines(chain(render(hostsAndPoolsState(), false).nat, 'cali-nat-outgoing'))[0], /--jump MASQUERADE$/)
    const noMasq = hostsAndPoolsState().map((m) => (m.type === 'IPAMPoolUpdate' ? {...m, pool: {...m.pool, masquerade: false}} : m))
    assert.deepEqual(chain(render(noMasq).nat, 'cali-nat-outgoing').rules, [])
    assert.deepEqual(chain(render(protectedBackendState()).nat, 'cali-nat-outgoing').rules, [])
  })

  it('nat: floating IPs become DNAT/SNAT rules', () => {
    const msgs = protectedBackendState().map((m) =>
      m.type === 'WorkloadEndpointUpdate' && m.endpoint.name === 'cali0backend' ? {...m, endpoint: {...m.endpoint, ipv4Nat: [{extIp: '172.16.0.5', intIp: '10.65.0.2'}]}} : m,
    )
    const t = render(msgs)
    assert.match(lines(chain(t.nat, 'cali-fip-dnat'))[0], /--destination 172\.16\.0\.5 --jump DNAT --to-destination 10\.65\.0\.2$/)
    assert.match(lines(chain(t.nat, 'cali-fip-snat'))[0], /--destination 10\.65\.0\.2 --source 10\.65\.0\.2 --jump SNAT --to-source 172\.16\.0\.5$/)
  })
})

describe('chain ownership', () => {
  const desired: TableRender = {
    chains: [{name: 'cali-nat-outgoing', rules: [{match: [], action: {kind: 'masquerade'}}]}, {name: 'cali-POSTROUTING', rules: [{match: [], action: {kind: 'jump', target: 'cali-nat-outgoing'}}]}],
    inserts: new Map([['POSTROUTING', [{match: [], action: {kind: 'jump', target: 'cali-POSTROUTING'}}]]]),
    appends: new Map(),
  }

  it('a chain under a Calico name holding only foreign rules is not touched; apply names table and chain', async () => {
    const k = new FakeIptables()
    k.put('nat', 'cali-nat-outgoing', ['-s 192.168.0.0/16 -j MASQUERADE'])
    const table = new IptablesTable('nat', k.run, commandsFor('nft'))
    table.setDesired(desired)
    const error = await table.apply().then(
      () => assert.fail('apply should reject'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof ForeignChainError)
    assert.equal(
      error.message,
      'iptables table nat: chain cali-nat-outgoing already exists with 1 rule(s) Calico did not write (no cali: hash comment); refusing to overwrite it: rename or delete that chain',
    )
    assert.equal(k.restores.length, 0, 'nothing written')
    assert.deepEqual(k.table('nat').get('cali-nat-outgoing'), ['-s 192.168.0.0/16 -j MASQUERADE'])
    // The operator removes it: the next apply re-reads and programs.
    k.table('nat').delete('cali-nat-outgoing')
    assert.ok((await table.apply()) > 0)
    assert.equal(await table.apply(), 0)
  })

  it('empty chains, chains with one Calico rule, and chains this process wrote are drift, repaired', async () => {
    const k = new FakeIptables()
    k.put('nat', 'cali-nat-outgoing', [])
    k.put('nat', 'cali-POSTROUTING', ['-m comment --comment "cali:AAAAAAAAAAAAAAAA" -j cali-nat-outgoing', '-j ACCEPT'])
    const table = new IptablesTable('nat', k.run, commandsFor('nft'))
    table.setDesired(desired)
    assert.ok((await table.apply()) > 0)
    assert.deepEqual(k.table('nat').get('cali-POSTROUTING')?.length, 1)
    // A person replaces every rule of a chain we wrote: still ours.
    k.put('nat', 'cali-nat-outgoing', ['-j RETURN'])
    table.markResync()
    assert.ok((await table.apply()) > 0)
    assert.match(k.table('nat').get('cali-nat-outgoing')?.[0] ?? '', /MASQUERADE/)
  })

  it('a foreign cali- chain Calico does not want is left alone; our stale ones are deleted', async () => {
    const k = new FakeIptables()
    k.put('nat', 'cali-theirs', ['-j RETURN'])
    k.put('nat', 'cali-stale', ['-m comment --comment "cali:AAAAAAAAAAAAAAAA" -j RETURN'])
    const table = new IptablesTable('nat', k.run, commandsFor('nft'))
    table.setDesired(desired)
    await table.apply()
    assert.ok(k.table('nat').has('cali-theirs'))
    assert.ok(!k.table('nat').has('cali-stale'))
    table.setDesired({chains: [], inserts: new Map(), appends: new Map()})
    await table.apply()
    assert.deepEqual([...k.table('nat').keys()].filter((c) => c.startsWith('cali-')), ['cali-theirs'])
  })
})

describe('IptablesDataplane over four tables', () => {
  const hostAddrs = JSON.stringify([
    {ifname: 'lo', addr_info: [{family: 'inet', local: '127.0.0.1'}]},
    {ifname: 'eth-ip', addr_info: [{family: 'inet', local: '10.200.0.1'}, {family: 'inet6', local: 'fd00::1'}]},
    {ifname: 'eth-other', addr_info: [{family: 'inet', local: '10.9.9.9'}]},
  ])

  it('programs each table once, then a no-op resync writes 0 bytes in every table; uninstall removes only Calico', async () => {
    const k = new FakeIptables()
    k.addrJson = hostAddrs
    k.put('nat', 'KUBE-POSTROUTING', ['-j MASQUERADE'])
    k.table('nat').get('POSTROUTING')?.push('-j KUBE-POSTROUTING')
    const dp = new IptablesDataplane({run: k.run, refreshTimer: false, writeSysctls: async () => undefined})
    for (const m of hostsAndPoolsState({IptablesBackend: 'NFT'})) dp.onUpdate(m)
    await dp.apply()
    assert.deepEqual(
      k.restores.map((r) => r.table),
      ['raw', 'mangle', 'nat', 'filter'],
    )
    assert.equal(dp.status().iptablesRestoreCalls, 2, 'raw, mangle and nat share one call')
    // The by-IP host endpoint resolved to the interface holding 10.200.0.1.
    assert.deepEqual(dp.status().hostInterfaces, ['eth-ext', 'eth-ip'])
    assert.ok(k.table('filter').has('cali-fh-eth-ip'))
    assert.ok(k.table('mangle').has('cali-th-eth-ip'))
    assert.ok(!k.table('raw').has('cali-fh-eth-ip'), 'no untracked policy on the by-IP endpoint')
    const bytes = dp.status().iptablesBytesWritten
    await dp.apply()
    dp.requestResync()
    await dp.apply()
    assert.equal(dp.status().iptablesBytesWritten, bytes)
    for (const t of ['raw', 'mangle', 'nat', 'filter'] as const) assert.equal(dp.status().tables[t].restoreCalls, 1, t)

    // The address moves to another interface: a resync re-resolves the host endpoint.
    k.addrJson = hostAddrs.replace('10.9.9.9', '10.200.0.1').replace('"local":"10.200.0.1"},{"family":"inet6"', '"local":"10.7.7.7"},{"family":"inet6"')
    dp.requestResync()
    await dp.apply()
    assert.deepEqual(dp.status().hostInterfaces, ['eth-ext', 'eth-other'])
    assert.ok(k.table('filter').has('cali-fh-eth-other') && !k.table('filter').has('cali-fh-eth-ip'))

    await dp.removeAll()
    for (const t of ['raw', 'mangle', 'nat', 'filter']) assert.deepEqual(k.cali(t), [], t)
    assert.deepEqual(k.table('nat').get('POSTROUTING'), ['-j KUBE-POSTROUTING'])
    assert.deepEqual(k.table('nat').get('KUBE-POSTROUTING'), ['-j MASQUERADE'])
    await dp.close()
  })

  it('a foreign cali-nat-outgoing: the other tables are programmed, apply rejects with the one-line reason', async () => {
    const k = new FakeIptables()
    k.put('nat', 'cali-nat-outgoing', ['-s 10.65.0.0/16 -j MASQUERADE'])
    const dp = new IptablesDataplane({run: k.run, refreshTimer: false, writeSysctls: async () => undefined})
    for (const m of hostsAndPoolsState({IptablesBackend: 'NFT'})) dp.onUpdate(m)
    await assert.rejects(dp.apply(), /^ForeignChainError: iptables table nat: chain cali-nat-outgoing already exists with 1 rule\(s\) Calico did not write/)
    assert.deepEqual(
      k.restores.map((r) => r.table),
      ['raw', 'mangle', 'filter'],
    )
    assert.deepEqual(k.table('nat').get('cali-nat-outgoing'), ['-s 10.65.0.0/16 -j MASQUERADE'])
    k.table('nat').delete('cali-nat-outgoing')
    await dp.apply()
    assert.match(k.table('nat').get('cali-nat-outgoing')?.[0] ?? '', /cali40masq-ipam-pools/)
    await dp.close()
  })

  it('reads the iptables version only once a pool needs NAT outgoing; it decides --random-fully', async () => {
    for (const [version, randomFully] of [['iptables v1.8.9 (nf_tables)', true], ['iptables v1.6.1', false]] as const) {
      const k = new FakeIptables()
      k.version = version
      const dp = new IptablesDataplane({run: k.run, refreshTimer: false, writeSysctls: async () => undefined})
      const msgs = hostsAndPoolsState({IptablesBackend: 'NFT'})
      for (const m of msgs.filter((m) => m.type !== 'IPAMPoolUpdate')) dp.onUpdate(m)
      await dp.apply()
      assert.equal(k.versionCalls, 0, 'no NAT-outgoing pool: no probe')
      for (const m of msgs.filter((m) => m.type === 'IPAMPoolUpdate')) dp.onUpdate(m)
      await dp.apply()
      await dp.apply()
      assert.equal(k.versionCalls, 1, 'probed once')
      const masquerade = k.table('nat').get('cali-nat-outgoing')?.find((r) => r.includes('MASQUERADE')) ?? assert.fail('no MASQUERADE rule')
      assert.equal(masquerade.endsWith('--random-fully'), randomFully, masquerade)
      await dp.close()
    }
  })

  it('a failed shared raw/mangle/nat restore: each of them is re-read and written alone, once', async () => {
    const clean = new FakeIptables()
    const k = new FakeIptables()
    k.failRestores = 1
    const programs = [clean, k].map((fake) => new IptablesDataplane({run: fake.run, refreshTimer: false, writeSysctls: async () => undefined}))
    for (const dp of programs) {
      for (const m of hostsAndPoolsState({IptablesBackend: 'NFT'})) dp.onUpdate(m)
      await dp.apply()
    }
    const failed = programs[1]
    for (const t of ['raw', 'mangle', 'nat', 'filter']) assert.deepEqual(k.cali(t), clean.cali(t), t)
    assert.deepEqual(k.restores.map((r) => r.table), ['raw', 'mangle', 'nat', 'filter'])
    assert.equal(failed.status().iptablesRestoreErrors, 1)
    assert.equal(failed.status().iptablesRestoreCalls, 5, 'the failed shared call, three alone, filter')
    for (const dp of programs) await dp.close()
  })
})

describe('host endpoints by expected IPs', () => {
  const hep = (name: string, ips: string[]) => ({
    name,
    profileIds: [],
    tiers: [],
    untrackedTiers: [],
    preDnatTiers: [],
    forwardTiers: [],
    expectedIpv4Addrs: ips,
    expectedIpv6Addrs: [],
  })

  it('resolves to interfaces carrying an expected IP; named endpoints keep their interface; lowest id wins', () => {
    const addrs = parseIpAddr(JSON.stringify([{ifname: 'eth0', addr_info: [{family: 'inet', local: '10.0.0.1'}]}, {ifname: 'eth1', addr_info: [{family: 'inet', local: '10.0.0.2'}]}, {ifname: 'eth2', addr_info: []}]))
    const resolved = resolveHostEndpoints(
      new Map([
        ['b', hep('', ['10.0.0.1'])],
        ['a', hep('', ['10.0.0.1', '10.0.0.2'])],
        ['named', hep('eth1', ['10.0.0.1'])],
        ['nowhere', hep('', ['192.0.2.1'])],
      ]),
      addrs,
    )
    assert.deepEqual(resolved.map((h) => h.name).sort(), ['eth0', 'eth1'])
    assert.deepEqual(resolved.find((h) => h.name === 'eth0')?.expectedIpv4Addrs, ['10.0.0.1', '10.0.0.2'], 'a wins over b for eth0')
  })

  it('rejects output that is not JSON with one line', () => {
    assert.throws(() => parseIpAddr('garbage'), /^Error: ip -j addr show: output is not JSON$/)
  })
})

describe('feature detection', () => {
  it('MASQUERADE --random-fully needs iptables >= 1.6.2 and kernel >= 3.14', () => {
    assert.equal(featuresFrom('iptables v1.8.9 (nf_tables)', '6.1.0-18-amd64').randomFully, true)
    assert.equal(featuresFrom('iptables v1.6.1', '6.1.0').randomFully, false)
    assert.equal(featuresFrom('iptables v1.6.2', '3.13.0').randomFully, false)
    assert.equal(featuresFrom('', '').randomFully, false)
  })
})
