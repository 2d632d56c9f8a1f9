/**
 * Split table writes (issue 6, initial programming): a write of more chains than `chunkChains`
 * becomes several iptables-restore transactions. Checked on the scripts against a small in-memory
 * kernel that executes them: after every transaction each jump lands on an existing chain, no
 * kernel chain is touched and nothing is deleted before the last transaction, and the end state
 * equals a single-transaction write; a failed transaction is repaired by re-reading. Also the
 * render cache: an unchanged policy or endpoint is neither re-rendered nor rewritten.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {CalcMessage} from '../../src/calc/messages.js'
import type {Cmd, CmdRunner} from '../../src/dataplane/exec.js'
import {IptablesDataplane} from '../../src/dataplane/index.js'
import {commandsFor} from '../../src/dataplane/iptables/backend.js'
import {IptablesTable} from '../../src/dataplane/iptables/table.js'
import {renderConfig} from '../../src/dataplane/rules/config.js'
import type {Chain, Rule} from '../../src/dataplane/rules/model.js'
import {policyChainName, POLICY_IN_PREFIX} from '../../src/dataplane/rules/names.js'
import {ChainCache, renderFilterTable, type DesiredState, type TableRender} from '../../src/dataplane/rules/ruleset.js'
import {ALLOW_FROM_FRONTEND, protectedBackendState, rule} from './fixtures.js'

const KERNEL = ['INPUT', 'FORWARD', 'OUTPUT']
const KERNEL_CHAINS: Record<string, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: KERNEL,
}
const TARGET_RE = /--(?:jump|goto) (\S+)/

/** One table in memory (filter unless named): restores change it (and are recorded), saves print it. */
class Kernel {
  readonly chains: Map<string, string[]>

  constructor(readonly name = 'filter') {
    this.chains = new Map((KERNEL_CHAINS[name] ?? []).map((c) => [c, []]))
  }

  readonly scripts: string[] = []
  /** After each committed transaction: a reference to a missing chain, if any. */
  readonly dangling: string[] = []
  /** Transactions (1-based, over all restore calls) that fail without changing anything. */
  failOn = new Set<number>()
  private calls = 0

  readonly run: CmdRunner = async (cmd: Cmd) => {
    if (cmd.argv[0].endsWith('-save')) {
      const lines = [`*${this.name}`, ...[...this.chains.keys()].map((c) => `:${c} - [0:0]`)]
      for (const [c, rules] of this.chains) for (const r of rules) lines.push(`-A ${c} ${r}`)
      return {stdout: `${[...lines, 'COMMIT'].join('\n')}\n`, stderr: ''}
    }
    // One restore call may stream several transactions: each piece is one, committed as it comes.
    const pieces = typeof cmd.stdin === 'object' ? cmd.stdin : [cmd.stdin ?? '']
    for await (const piece of pieces) {
      this.calls++
      if (this.failOn.has(this.calls)) throw new Error(`iptables-restore: transaction ${this.calls} failed`)
      this.scripts.push(piece)
      this.restore(piece)
    }
    return {stdout: '', stderr: ''}
  }

  private restore(script: string): void {
    const next = new Map([...this.chains].map(([k, v]) => [k, [...v]]))
    const chain = (name: string): string[] => next.get(name) ?? assert.fail(`transaction ${this.calls}: no chain ${name}`)
    for (const line of script.split('\n').slice(1)) {
      if (line === '' || line === 'COMMIT') continue
      const words = line.split(' ')
      if (line.startsWith(':')) next.set(line.slice(1).split(' ')[0], [])
      else if (words[0] === '-A') chain(words[1]).push(words.slice(2).join(' '))
      else if (words[0] === '-I') chain(words[1]).splice(Number(words[2]) - 1, 0, words.slice(3).join(' '))
      else if (words[0] === '-D') chain(words[1]).splice(Number(words[2]) - 1, 1)
      else if (words[0] === '-X') {
        assert.deepEqual(chain(words[1]), [], `transaction ${this.calls}: -X of a non-empty chain ${words[1]}`)
        next.delete(words[1])
      } else assert.fail(`unexpected line ${line}`)
    }
    for (const [name, rules] of next) {
      for (const r of rules) {
        const target = TARGET_RE.exec(r)?.[1]
        if (target?.startsWith('cali-') === true && !next.has(target)) this.dangling.push(`transaction ${this.calls}: ${name} -> ${target}`)
      }
    }
    this.chains.clear()
    for (const [k, v] of next) this.chains.set(k, v)
  }

  /** Other rules already there: a stale Calico hook to a stale chain, and a foreign rule. */
  seed(): void {
    this.chains.set('cali-old', ['-m comment --comment "cali:AAAAAAAAAAAAAAAA" --jump DROP'])
    this.chains.set('FORWARD', ['-m comment --comment "cali:BBBBBBBBBBBBBBBB" --jump cali-old', '--jump ACCEPT'])
  }
}

/** The four tables for a whole dataplane: restores go to the table they name; other commands answer empty. */
class FakeTables {
  readonly tables = new Map<string, Kernel>()
  readonly scripts: string[] = []

  readonly run: CmdRunner = async (cmd: Cmd) => {
    const [prog, ...args] = cmd.argv
    if (prog.endsWith('-save') && args.includes('-t')) return this.table(args[args.indexOf('-t') + 1]).run(cmd)
    if (prog.endsWith('-save')) {
      const saves = await Promise.all(['raw', 'mangle', 'nat', 'filter'].map((name) => this.table(name).run(cmd)))
      return {stdout: saves.map((s) => s.stdout).join(''), stderr: ''}
    }
    if (prog.endsWith('-restore')) {
      // One call may carry several tables or transactions, each `*table` … `COMMIT`.
      const pieces = typeof cmd.stdin === 'object' ? cmd.stdin : [cmd.stdin ?? '']
      for await (const piece of pieces) {
        for (const section of piece.split(/^(?=\*)/m).filter((s) => s.startsWith('*'))) {
          this.scripts.push(section)
          await this.table(section.split('\n')[0].slice(1)).run({...cmd, stdin: section})
        }
      }
      return {stdout: '', stderr: ''}
    }
    if (args.includes('--version')) return {stdout: 'iptables v1.8.9 (nf_tables)\n', stderr: ''}
    if (prog === 'ip') return {stdout: '[]', stderr: ''}
    return {stdout: '', stderr: ''}
  }

  private table(name: string): Kernel {
    let t = this.tables.get(name)
    if (t === undefined) {
      t = new Kernel(name)
      this.tables.set(name, t)
    }
    return t
  }
}

const jump = (target: string, match: string[] = []): Rule => ({match, action: {kind: 'jump', target}})

/**
 * 40 policy chains (leaves), 12 endpoint chains jumping to 4 policies each, a dispatch chain going
 * to the endpoint chains, and cali-FORWARD jumping to the dispatch chain; by name, cali-FORWARD
 * sorts first, so writing in name order would reference chains not yet there.
 */
function render(policyRules = 2): TableRender {
  const policies: Chain[] = Array.from({length: 40}, (_, p) => ({
    name: `cali-pi-p${p}`,
    rules: Array.from({length: policyRules}, (_, r) => ({match: [`--source 10.${p}.${r}.0/24`], action: {kind: r % 2 === 0 ? 'drop' : 'return'}})),
  }))
  const endpoints: Chain[] = Array.from({length: 12}, (_, w) => ({
    name: `cali-tw-w${w}`,
    rules: [0, 1, 2, 3].map((k) => jump(`cali-pi-p${(w * 3 + k * 7) % 40}`)),
  }))
  const dispatch: Chain = {
    name: 'cali-to-wl-dispatch',
    rules: endpoints.map((e, w) => ({match: [`--out-interface w${w}`], action: {kind: 'goto', target: e.name}})),
  }
  const forward: Chain = {name: 'cali-FORWARD', rules: [jump('cali-to-wl-dispatch')]}
  const chains = [forward, ...policies, dispatch, ...endpoints].sort((a, b) => (a.name < b.name ? -1 : 1))
  return {chains, inserts: new Map([['FORWARD', [jump('cali-FORWARD')]]]), appends: new Map([['INPUT', [{match: [], action: {kind: 'drop'}}]]])}
}

async function program(chunkChains: number, desired: TableRender, kernel = new Kernel()): Promise<{kernel: Kernel; table: IptablesTable}> {
  const table = new IptablesTable('filter', kernel.run, commandsFor('nft'), {chunkChains})
  table.setDesired(desired)
  await table.apply()
  return {kernel, table}
}

/** Chains and rules, ordered by chain name (write order decides the insertion order). */
const state = (kernel: Kernel): [string, string[]][] => [...kernel.chains].sort(([a], [b]) => (a < b ? -1 : 1))

const isKernelLine = (line: string): boolean => KERNEL.some((k) => line.startsWith(`-A ${k} `) || line.startsWith(`-I ${k} `) || line.startsWith(`-D ${k} `))

describe('split table writes', () => {
  it('orders transactions so each is valid alone; hooks and deletions come last', async () => {
    const chunked = new Kernel()
    chunked.seed()
    await program(5, render(), chunked)
    const single = new Kernel()
    single.seed()
    await program(1000, render(), single)

    assert.equal(single.scripts.length, 1)
    // 54 chains; the first transactions ramp up (1, 2 and 3 chains), then 5 per transaction.
    assert.equal(chunked.scripts.length, 3 + Math.ceil((54 - 6) / 5))
    assert.deepEqual(chunked.scripts.slice(0, 4).map((s) => s.split('\n').filter((l) => l.startsWith(':')).length), [1, 2, 3, 5])
    assert.deepEqual(chunked.dangling, [], 'a transaction referenced a chain that did not exist')
    const last = chunked.scripts.length - 1
    chunked.scripts.forEach((script, i) => {
      const lines = script.split('\n')
      const declared = lines.filter((l) => l.startsWith(':'))
      if (i < last) {
        assert.ok(declared.length <= 5, `transaction ${i + 1} declares ${declared.length} chains`)
        assert.deepEqual(lines.filter(isKernelLine), [], `transaction ${i + 1} touches a kernel chain`)
        assert.deepEqual(lines.filter((l) => l.startsWith('-X ')), [], `transaction ${i + 1} deletes a chain`)
      }
    })
    const final = chunked.scripts[last]
    assert.match(final, /^-I FORWARD 1 .*--jump cali-FORWARD$/m)
    assert.match(final, /^-D FORWARD 1$/m)
    assert.match(final, /^-X cali-old$/m)
    assert.match(final, /^-A cali-FORWARD /m, 'the chain the hook needs is written with it or before')
    // Every leaf chain is written before the chains that jump to it.
    const writtenAt = new Map<string, number>()
    chunked.scripts.forEach((s, i) => {
      for (const l of s.split('\n')) if (l.startsWith(':')) writtenAt.set(l.slice(1).split(' ')[0], i)
    })
    assert.ok((writtenAt.get('cali-pi-p0') ?? Infinity) <= (writtenAt.get('cali-tw-w0') ?? -1))
    assert.ok((writtenAt.get('cali-tw-w0') ?? Infinity) <= (writtenAt.get('cali-to-wl-dispatch') ?? -1))

    assert.deepEqual(state(chunked), state(single), 'same end state as one transaction')
  })

  it('writes a small change in one transaction, and nothing when nothing changed', async () => {
    const {kernel, table} = await program(5, render())
    const before = kernel.scripts.length
    assert.equal(await table.apply(), 0)
    const changed = render()
    const chains = changed.chains.map((c) => (c.name === 'cali-pi-p3' ? {...c, rules: [...c.rules, {match: [], action: {kind: 'accept' as const}}]} : c))
    table.setDesired({...changed, chains})
    await table.apply()
    assert.equal(kernel.scripts.length, before + 1)
    assert.match(kernel.scripts[before], /^:cali-pi-p3 - \[0:0\]$/m)
    table.markResync()
    assert.equal(await table.apply(), 0)
  })

  it('a failed transaction forces a re-read; the retry writes only what is missing', async () => {
    const kernel = new Kernel()
    kernel.failOn = new Set([3])
    const {table} = await program(5, render(), kernel)
    assert.deepEqual(kernel.dangling, [])
    const reference = await program(1000, render())
    assert.deepEqual(state(kernel), state(reference.kernel))
    assert.equal(table.stats.restoreErrors, 1)
    assert.equal(table.stats.saveCalls, 2, 'read at start and again after the failure')
    // The two transactions that committed are not written again.
    const declaredTwice = kernel.scripts
      .flatMap((s) => s.split('\n').filter((l) => l.startsWith(':cali-pi-')))
      .filter((l, i, all) => all.indexOf(l) !== i)
    assert.deepEqual(declaredTwice, [])
  })

  it('a rule budget splits rule-heavy non-leaf chains into smaller groups', async () => {
    const kernel = new Kernel()
    const table = new IptablesTable('filter', kernel.run, commandsFor('nft'), {chunkChains: 1000, chunkRules: 10})
    table.setDesired(render())
    await table.apply()
    assert.ok(kernel.scripts.length > 1, 'split although the chain count is under chunkChains')
    assert.deepEqual(kernel.dangling, [])
    kernel.scripts.forEach((script, i) => {
      // Endpoint and dispatch chains jump elsewhere: their rules count; policy (leaf) chains do not.
      const counted = script.split('\n').filter((l) => /^-A cali-(tw|to)-/.test(l)).length
      const chains = script.split('\n').filter((l) => /^:cali-(tw|to)-/.test(l)).length
      assert.ok(counted <= 10 || chains === 1, `transaction ${i + 1} holds ${counted} rules of non-leaf chains`)
    })
    assert.deepEqual(state(kernel), state((await program(1000, render())).kernel))
  })

  it('without a failure, a big rewrite keeps every transaction valid too', async () => {
    const {kernel, table} = await program(5, render())
    table.setDesired(render(3))
    const before = kernel.scripts.length
    await table.apply()
    assert.ok(kernel.scripts.length - before > 1, 'a rewrite of 40 chains is split')
    assert.deepEqual(kernel.dangling, [])
    assert.deepEqual(state(kernel), state((await program(1000, render(3))).kernel))
  })
})

describe('lazy policy chains (initial programming)', () => {
  it('renders each policy chain as its own transaction is written, while earlier restores run', async () => {
    const cache = new ChainCache()
    /** Restores already started when each policy source was rendered. */
    const renderedAt = new Map<string, number>()
    const kernel = new Kernel()
    const base = render()
    const sources = new Map<string, object>()
    const chains = base.chains.map((c) => {
      if (!c.name.startsWith('cali-pi-')) return c
      const source = {}
      sources.set(c.name, source)
      return cache.leaf(source, c.name, 'cfg', c.name, () => {
        renderedAt.set(c.name, kernel.scripts.length)
        return [c]
      })
    })
    assert.equal(renderedAt.size, 0, 'nothing rendered before the write')
    const lazy = chains.find((c) => c.name === 'cali-pi-p7') ?? assert.fail('cali-pi-p7')
    assert.equal(cache.leaf(sources.get('cali-pi-p7') ?? {}, 'cali-pi-p7', 'cfg', 'cali-pi-p7', () => []), lazy, 'same object while unchanged')
    assert.equal(renderedAt.size, 0)

    await program(5, {...base, chains}, kernel)
    const writtenAt = new Map<string, number>()
    kernel.scripts.forEach((s, i) => {
      for (const l of s.split('\n')) if (l.startsWith(':')) writtenAt.set(l.slice(1).split(' ')[0], i)
    })
    assert.equal(renderedAt.size, 40, 'every policy chain rendered once')
    for (const [name, at] of renderedAt) {
      const transaction = writtenAt.get(name) ?? assert.fail(`${name} not written`)
      // Transaction k is rendered while transaction k-1 is written (k-1 committed), never earlier.
      assert.equal(at, Math.max(0, transaction - 1), `${name}: rendered with ${at} transactions committed, written in transaction ${transaction + 1}`)
    }
    assert.deepEqual(kernel.dangling, [])
    assert.deepEqual(state(kernel), state((await program(1000, render())).kernel), 'same end state as eager chains')
  })
})

describe('planning ahead (prepare)', () => {
  it('uses the prepared first transaction, and drops it when the desired or actual state changes', async () => {
    const kernel = new Kernel()
    const table = new IptablesTable('filter', kernel.run, commandsFor('nft'), {chunkChains: 5})
    table.setDesired(render())
    await table.load()
    table.prepare()
    await table.apply()
    assert.equal(table.stats.saveCalls, 1)
    assert.deepEqual(kernel.dangling, [])
    assert.deepEqual(state(kernel), state((await program(1000, render())).kernel))

    // Prepared, then the desired state changes: the new one is written.
    table.setDesired(render(1))
    table.prepare()
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    table.setDesired(render(3))
    await table.apply()
    assert.deepEqual(state(kernel), state((await program(1000, render(3))).kernel))

    // Prepared, then a resync is asked for: the kernel is read again and drift repaired.
    table.prepare()
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    table.markResync()
    kernel.chains.set('cali-pi-p5', [])
    await table.apply()
    assert.equal(table.stats.saveCalls, 2)
    assert.deepEqual(state(kernel), state((await program(1000, render(3))).kernel))
  })

  it('a foreign chain found while preparing still rejects the apply', async () => {
    const kernel = new Kernel()
    kernel.chains.set('cali-pi-p1', ['--jump ACCEPT'])
    const table = new IptablesTable('filter', kernel.run, commandsFor('nft'), {chunkChains: 5})
    table.setDesired(render())
    await table.load()
    table.prepare()
    await assert.rejects(table.apply(), /chain cali-pi-p1 already exists with 1 rule\(s\) Calico did not write/)
    assert.deepEqual(kernel.scripts, [])
  })
})

describe('incremental renders', () => {
  it('an unchanged policy or endpoint keeps its chains; a changed one is rendered and written alone', async () => {
    const msgs = protectedBackendState({IptablesBackend: 'NFT'})
    const kernel = new FakeTables()
    const dp = new IptablesDataplane({run: kernel.run, refreshTimer: false, writeSysctls: async () => undefined})
    try {
      for (const msg of msgs) dp.onUpdate(msg)
      await dp.apply()
      const policy = msgs.find((m) => m.type === 'ActivePolicyUpdate')
      assert.ok(policy?.type === 'ActivePolicyUpdate')
      // The same content in a new object, then a real change.
      dp.onUpdate({...policy, policy: {...policy.policy}})
      kernel.scripts.length = 0
      await dp.apply()
      assert.equal(kernel.scripts.length, 0, 'same content: nothing written')
      dp.onUpdate({...policy, policy: {...policy.policy, inboundRules: [...policy.policy.inboundRules, rule('deny')]}})
      await dp.apply()
      assert.equal(kernel.scripts.length, 1)
      assert.deepEqual(
        kernel.scripts[0].split('\n').filter((l) => l.startsWith(':')),
        [`:${policyChainName(POLICY_IN_PREFIX, policy.id)} - [0:0]`],
      )
    } finally {
      await dp.close()
    }

    const cache = new ChainCache()
    const state = (m: CalcMessage[]): DesiredState => ({
      policies: new Map(m.flatMap((x) => (x.type === 'ActivePolicyUpdate' ? [[JSON.stringify(x.id), {id: x.id, policy: x.policy}] as const] : []))),
      profiles: new Map(m.flatMap((x) => (x.type === 'ActiveProfileUpdate' ? [[x.id, x.profile] as const] : []))),
      workloads: m.flatMap((x) => (x.type === 'WorkloadEndpointUpdate' ? [x.endpoint] : [])),
      hostEndpoints: [],
    })
    const first = renderFilterTable(state(msgs), renderConfig({}), cache)
    const second = renderFilterTable(state(msgs), renderConfig({}), cache)
    const fresh = renderFilterTable(state(msgs), renderConfig({}))
    const byName = (t: TableRender, name: string): Chain => t.chains.find((c) => c.name === name) ?? assert.fail(name)
    for (const name of [policyChainName(POLICY_IN_PREFIX, ALLOW_FROM_FRONTEND), 'cali-tw-cali0backend', 'cali-pri-kns.default']) {
      assert.equal(byName(second, name), byName(first, name), `${name} comes from the cache`)
      assert.notEqual(byName(fresh, name), byName(first, name))
      assert.deepEqual(byName(fresh, name), byName(first, name))
    }
  })
})
