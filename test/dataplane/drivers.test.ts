/** Table and ipset drivers and the dataplane's apply contract, against a fake exec shim. */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {readStdin, type CmdRunner} from '../../src/dataplane/exec.js'
import {IptablesDataplane} from '../../src/dataplane/index.js'
import {commandsFor, detectBackend} from '../../src/dataplane/iptables/backend.js'
import {IptablesTable} from '../../src/dataplane/iptables/table.js'
import {IpsetsDriver} from '../../src/dataplane/ipsets/ipsets.js'
import {protectedBackendState} from './fixtures.js'

/** A fake runner: records commands (stdin read whole), answers saves from `outputs`. */
function fake(outputs: Record<string, string> = {}): {run: CmdRunner; calls: {argv: readonly string[]; stdin: string}[]} {
  const calls: {argv: readonly string[]; stdin: string}[] = []
  const run: CmdRunner = async (cmd) => {
    calls.push({argv: cmd.argv, stdin: await readStdin(cmd)})
    return {stdout: outputs[cmd.argv[0]] ?? '', stderr: ''}
  }
  return {run, calls}
}

describe('iptables table driver', () => {
  it('writes everything once, then nothing; removes stale cali- chains but not others', async () => {
    const {run, calls} = fake({
      'iptables-nft-save': '*filter\n:INPUT ACCEPT [0:0]\n:cali-old - [0:0]\n:KUBE-X - [0:0]\n-A INPUT -j KUBE-X\nCOMMIT\n',
    })
    const table = new IptablesTable('filter', run, commandsFor('nft'))
    table.setDesired({
      chains: [{name: 'cali-a', rules: [{match: [], action: {kind: 'drop'}}]}],
      inserts: new Map([['INPUT', [{match: [], action: {kind: 'jump', target: 'cali-INPUT'}}]]]),
      appends: new Map(),
    })
    assert.ok((await table.apply()) > 0)
    const script = calls.find((c) => c.argv[0] === 'iptables-nft-restore')?.stdin ?? ''
    assert.equal(
      script,
      [
        '*filter',
        ':cali-a - [0:0]',
        ':cali-old - [0:0]',
        '-I INPUT 1 -m comment --comment "cali:Cz_u1IQiXIMmKD4c" --jump cali-INPUT',
        `-A cali-a -m comment --comment "cali:${script.match(/-A cali-a -m comment --comment "cali:([^"]+)"/)?.[1]}" --jump DROP`,
        '-X cali-old',
        'COMMIT',
        '',
      ].join('\n'),
    )
    assert.ok(!script.includes('KUBE-X'))
    assert.equal(await table.apply(), 0)
    assert.equal(table.stats.restoreCalls, 1)
  })

  it('a failed restore is retried after re-reading, then rejects', async () => {
    let restores = 0
    const run: CmdRunner = async (cmd) => {
      if (cmd.argv[0].endsWith('restore')) {
        restores++
        throw new Error('iptables-restore: line 2 failed')
      }
      return {stdout: '', stderr: ''}
    }
    const table = new IptablesTable('filter', run, commandsFor('legacy'))
    table.setDesired({chains: [{name: 'cali-a', rules: []}], inserts: new Map(), appends: new Map()})
    await assert.rejects(table.apply(), /line 2 failed/)
    assert.equal(restores, 3)
  })
})

describe('backend detection', () => {
  it('follows the backend holding more rules, nft when tied; explicit config wins', async () => {
    assert.equal((await detectBackend(fake({'iptables-legacy-save': '-A INPUT -j X\n'}).run, 'auto')).cmds.backend, 'legacy')
    assert.equal((await detectBackend(fake().run, 'auto')).cmds.backend, 'nft')
    assert.equal((await detectBackend(fake({'iptables-legacy-save': '-A INPUT -j X\n'}).run, 'nft')).cmds.restore, 'iptables-nft-restore')
  })
})

describe('ipset driver', () => {
  it('creates, diffs members, destroys only cali sets', async () => {
    const {run, calls} = fake({ipset: 'create cali40s:a hash:net family inet\nadd cali40s:a 10.0.0.1\nadd cali40s:a 10.0.0.9\ncreate cali40s:gone hash:net family inet\ncreate mine hash:ip family inet\n'})
    const driver = new IpsetsDriver(run)
    driver.setDesired(
      new Map([
        ['cali40s:a', {type: 'net' as const, members: new Set(['10.0.0.1/32', '10.0.0.2/32', 'fd00::1/128'])}],
        ['cali40s:b', {type: 'net' as const, members: new Set(['10.1.0.0/16'])}],
      ]),
    )
    await driver.applyUpdates()
    await driver.applyDeletions()
    const scripts = calls.filter((c) => c.argv.includes('restore')).map((c) => c.stdin)
    assert.deepEqual(scripts, [
      'del cali40s:a 10.0.0.9\nadd cali40s:a 10.0.0.2\ncreate cali40s:b hash:net family inet maxelem 1048576\nadd cali40s:b 10.1.0.0/16\n',
      'destroy cali40s:gone\n',
    ])
    assert.equal(await driver.applyUpdates(), 0)
  })
})

describe('IptablesDataplane', () => {
  it('touches nothing before InSync, then programs raw, mangle and nat in one restore and filter in another', async () => {
    const {run, calls} = fake()
    const dp = new IptablesDataplane({run, refreshTimer: false})
    const msgs = protectedBackendState({IptablesBackend: 'Legacy'})
    for (const msg of msgs.slice(0, -1)) dp.onUpdate(msg)
    await dp.apply()
    assert.equal(calls.length, 0)
    dp.onUpdate(msgs[msgs.length - 1])
    await dp.apply()
    const restores = calls.filter((c) => c.argv[0] === 'iptables-legacy-restore')
    assert.deepEqual(
      restores.map((r) => (r.stdin ?? '').split('\n').filter((l) => l.startsWith('*'))),
      [['*raw', '*mangle', '*nat'], ['*filter']],
    )
    assert.match(restores[1].stdin ?? '', /--match-set cali40s:frontend src/)
    await dp.apply()
    assert.equal(calls.filter((c) => c.argv[0] === 'iptables-legacy-restore').length, 2)
    await dp.close()
  })

  it('rejects an unknown iptables backend with one clear line', async () => {
    const dp = new IptablesDataplane({run: fake().run, refreshTimer: false})
    for (const msg of protectedBackendState({IptablesBackend: 'bogus'})) dp.onUpdate(msg)
    await assert.rejects(dp.apply(), /unknown iptablesBackend "bogus"/)
    await dp.close()
  })
})
