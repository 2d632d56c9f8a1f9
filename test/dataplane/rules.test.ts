/** Renderer: Felix's rule text and hashes (lines of felix/fv/cali-iptables-dump.txt), names, small golden states. */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {renderConfig} from '../../src/dataplane/rules/config.js'
import {renderRule as renderLine, ruleHashes, type Chain} from '../../src/dataplane/rules/model.js'
import {ipsetName, lengthLimitedId, policyChainName, POLICY_IN_PREFIX} from '../../src/dataplane/rules/names.js'
import {renderRule} from '../../src/dataplane/rules/policy.js'
import {renderFilterTable} from '../../src/dataplane/rules/ruleset.js'
import {staticFilterChains, kernelInserts} from '../../src/dataplane/rules/static.js'
import {workloadChains} from '../../src/dataplane/rules/endpoints.js'
import {ALLOW_FROM_FRONTEND, rule, tier, workload} from './fixtures.js'

const cfg = renderConfig({})
const chain = (chains: readonly Chain[], name: string): Chain => {
  const found = chains.find((c) => c.name === name)
  assert.ok(found, name)
  return found
}
const lines = (c: Chain): string[] => {
  const hashes = ruleHashes(c.name, c.rules)
  return c.rules.map((r, i) => renderLine('-A', c.name, r, hashes[i]))
}

describe('rule hashes match Go Felix', () => {
  it('kernel hooks and static chains hash as in cali-iptables-dump.txt', () => {
    assert.deepEqual(ruleHashes('INPUT', kernelInserts().get('INPUT') ?? []), ['Cz_u1IQiXIMmKD4c'])
    assert.deepEqual(ruleHashes('FORWARD', kernelInserts().get('FORWARD') ?? []), ['wUHhoiAYhphO9Mso'])
    assert.deepEqual(ruleHashes('OUTPUT', kernelInserts().get('OUTPUT') ?? []), ['tVnHkvAo15HuiPy0'])
    const chains = staticFilterChains(renderConfig({DefaultEndpointToHostAction: 'ACCEPT'}))
    assert.deepEqual(ruleHashes('cali-FORWARD', chain(chains, 'cali-FORWARD').rules), [
      'W_vvds1Nw3n9QE2f',
      'ZfgmjuiLaA8Pg0kp',
      'tAzwBLPaV-j53OOZ',
      '4Z0Pf0byo05NFe-P',
      'hQ7Oc16wmUtLuneJ',
      'rnKNH2WxGcRQcIlD',
    ])
    // Rules 3-5 of the dump's cali-OUTPUT hash differently (unexplained: same text as far as
    // iptables-save shows); the first two match.
    assert.deepEqual(ruleHashes('cali-OUTPUT', chain(chains, 'cali-OUTPUT').rules).slice(0, 2), ['Mq1_rAdXXH3YkrzW', '69FkRTJDvD5Vu6Vl'])
    assert.deepEqual(ruleHashes('cali-wl-to-host', chain(chains, 'cali-wl-to-host').rules), ['Ee9Sbo10IpVujdIY', 'nSZbcOoG1xPONxb8'])
  })
})

describe('names', () => {
  it('limits chain names to 28 and ipset names to 31 characters, as Felix', () => {
    assert.equal(policyChainName(POLICY_IN_PREFIX, {kind: 'GlobalNetworkPolicy', namespace: '', name: 'a'}), 'cali-pi-gnp/a')
    const long = policyChainName(POLICY_IN_PREFIX, {kind: 'NetworkPolicy', namespace: 'production', name: 'allow-frontend'})
    assert.equal(long.length, 28)
    assert.match(long, /^cali-pi-_[A-Za-z0-9_-]{19}$/)
    assert.equal(lengthLimitedId('cali-tw-', 'cali12345678901', 28), 'cali-tw-cali12345678901')
    assert.equal(ipsetName('s:qMt7iLlGDhvLnCjM0l9nzxb_long_tail'), 'cali40s:qMt7iLlGDhvLnCjM0l9nzxb')
  })
})

describe('policy rules', () => {
  it('allow sets the accept mark and returns; deny drops; pass sets the pass mark', () => {
    const r = renderRule(rule('allow', {protocol: 'TCP', srcIpSetIds: ['s:x'], dstPorts: [{first: 80, last: 81}]}), cfg)
    assert.deepEqual(
      r.map((x) => renderLine('-A', 'c', x, '')),
      [
        '-A c -p tcp -m set --match-set cali40s:x src -m multiport --destination-ports 80:81 --jump MARK --set-mark 0x10000/0x10000',
        '-A c -m mark --mark 0x10000/0x10000 --jump RETURN',
      ],
    )
    assert.deepEqual(renderRule(rule('deny', {srcNets: ['10.0.0.0/8']}), cfg).map((x) => renderLine('-A', 'c', x, '')), ['-A c --source 10.0.0.0/8 --jump DROP'])
    assert.equal(renderLine('-A', 'c', renderRule(rule('next-tier'), cfg)[0], ''), '-A c --jump MARK --set-mark 0x20000/0x20000')
    assert.deepEqual(renderRule(rule('allow', {ipVersion: 6}), cfg), [])
    assert.deepEqual(renderRule(rule('allow', {srcNets: ['fd00::/64']}), cfg), [])
  })

  it('ORs several CIDRs through scratch marks (match-block splitting)', () => {
    const r = renderRule(rule('allow', {srcNets: ['10.0.0.0/8', '192.168.0.0/16'], notDstNets: ['10.1.0.0/16', '10.2.0.0/16']}), cfg)
    assert.deepEqual(
      r.map((x) => renderLine('-A', 'c', x, '')),
      [
        '-A c --jump MARK --set-mark 0/0x180000',
        '-A c --source 10.0.0.0/8 --jump MARK --set-mark 0x80000/0x80000',
        '-A c --source 192.168.0.0/16 --jump MARK --set-mark 0x80000/0x80000',
        '-A c -m mark --mark 0x80000/0x80000 --destination 10.1.0.0/16 --jump MARK --set-mark 0/0x80000',
        '-A c -m mark --mark 0x80000/0x80000 --destination 10.2.0.0/16 --jump MARK --set-mark 0/0x80000',
        '-A c -m mark --mark 0x80000/0x80000 --jump MARK --set-mark 0x10000/0x10000',
        '-A c -m mark --mark 0x10000/0x10000 --jump RETURN',
      ],
    )
  })
})

describe('endpoint chains', () => {
  it('renders tiers, end-of-tier drop, profiles and the final drop (golden)', () => {
    const [tw, fw] = workloadChains(workload('cali0a', '10.0.0.1', [tier('default', [ALLOW_FROM_FRONTEND])]))
    assert.deepEqual(
      lines(tw).map((l) => l.replace(/"cali:[^"]+" /, '')),
      [
        '-A cali-tw-cali0a -m comment --comment -m conntrack --ctstate RELATED,ESTABLISHED --jump ACCEPT',
        '-A cali-tw-cali0a -m comment --comment -m conntrack --ctstate INVALID --jump DROP',
        '-A cali-tw-cali0a -m comment --comment --jump MARK --set-mark 0/0x30000',
        '-A cali-tw-cali0a -m comment --comment -m comment --comment "Start of tier default" --jump MARK --set-mark 0/0x20000',
        '-A cali-tw-cali0a -m comment --comment -m mark --mark 0/0x20000 --jump cali-pi-gnp/allow-frontend',
        '-A cali-tw-cali0a -m comment --comment -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 --jump RETURN',
        '-A cali-tw-cali0a -m comment --comment -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0/0x20000 --jump DROP',
        '-A cali-tw-cali0a -m comment --comment --jump cali-pri-kns.default',
        '-A cali-tw-cali0a -m comment --comment -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 --jump RETURN',
        '-A cali-tw-cali0a -m comment --comment -m comment --comment "Drop if no profiles matched" --jump DROP',
      ],
    )
    // No egress policy: the from-workload chain skips the tier and goes straight to profiles.
    assert.ok(!lines(fw).some((l) => l.includes('Start of tier')))
    assert.ok(lines(fw).some((l) => l.includes('--jump cali-pro-kns.default')))
  })

  it('a Pass-default tier has no end-of-tier drop', () => {
    const [tw] = workloadChains(workload('cali0a', '10.0.0.1', [tier('t1', [ALLOW_FROM_FRONTEND], [], 'Pass')]))
    assert.ok(!lines(tw).some((l) => l.includes('End of tier')))
  })

  it('programs only referenced policy chains and dispatches every workload', () => {
    const unused = {kind: 'GlobalNetworkPolicy' as const, namespace: '', name: 'unused'}
    const policy = {tier: 'default', namespace: '', inboundRules: [], outboundRules: [], untracked: false, preDnat: false, applyOnForward: false, originalSelector: '', perfHints: []}
    const table = renderFilterTable(
      {
        policies: new Map([
          ['gnp/allow-frontend', {id: ALLOW_FROM_FRONTEND, policy}],
          ['gnp/unused', {id: unused, policy}],
        ]),
        profiles: new Map([['kns.default', {inboundRules: [rule('allow')], outboundRules: [rule('allow')]}]]),
        workloads: [workload('cali0a', '10.0.0.1', [tier('default', [ALLOW_FROM_FRONTEND])])],
        hostEndpoints: [],
      },
      cfg,
    )
    const names = table.chains.map((c) => c.name)
    assert.ok(names.includes('cali-pi-gnp/allow-frontend'))
    assert.ok(!names.includes('cali-po-gnp/allow-frontend'), 'no endpoint references the egress chain')
    assert.ok(!names.some((n) => n.includes('unused')))
    assert.ok(names.every((n) => n.length <= 28))
    assert.deepEqual(lines(chain(table.chains, 'cali-from-wl-dispatch')).map((l) => l.replace(/"cali:[^"]+" /, '')), [
      '-A cali-from-wl-dispatch -m comment --comment --in-interface cali0a --goto cali-fw-cali0a',
      '-A cali-from-wl-dispatch -m comment --comment -m comment --comment "Unknown interface" --jump DROP',
    ])
  })
})
