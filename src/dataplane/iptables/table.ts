/**
 * One iptables table, reconciled (Felix iptables/table.go, simplified):
 * - desired state = Calico chains + rules Calico inserts at the top / appends at the end of kernel
 *   chains; every rule is identified by its Felix rule hash;
 * - actual state = what `iptables-save` shows for the table, read on the first apply and after
 *   `markResync()` (the periodic refresh; the dataplane may `seed` it from one save of every
 *   table), otherwise assumed to be what was last written;
 * - apply writes only the difference, in one `iptables-restore --noflush` transaction: a chain whose
 *   hashes differ is flushed and rewritten whole; Calico rules in kernel chains are re-inserted only
 *   if they are missing, misplaced or stale; `cali-` chains no longer desired are flushed and
 *   deleted. Chains not starting with `cali-` and rules without a `cali:` hash are never touched.
 * - a write of more than `chunkChains` chains, or `chunkRules` rules in non-leaf chains (initial
 *   programming, a big change), is split into several transactions, chains before the chains
 *   that jump to them, kernel hooks and deletions in the last one (iptables-nft's restore cost
 *   grows with the chains one transaction names times its commands, see DESIGN.md); each
 *   transaction is valid on its own, see `plan`. All of them stream through one restore process,
 *   each committed as it is read. Lazy (policy) chains are rendered as their transaction is
 *   written; `prepare` plans and renders the first transaction ahead, while the tables written
 *   before this one are restored; `singleTransaction` lets the caller put several tables' one-
 *   transaction writes into one restore call.
 * - a failed write leaves the kernel as it was (each transaction is atomic; earlier transactions of
 *   a split write only added unreachable chains or swapped whole chains), forces a re-read, and is
 *   retried a few times before apply rejects.
 * - ownership of a `cali-` chain Calico wants: it is ours if it is empty, holds at least one rule
 *   with a `cali:` hash, or this process wrote it (then a person may have altered every rule: drift,
 *   repaired). Otherwise it is someone else's chain under a Calico name: apply rejects with a
 *   ForeignChainError naming table and chain, and nothing in the table is written (the other
 *   tables still are). An undesired foreign `cali-` chain is left alone rather than deleted.
 */
import type {CmdRunner} from '../exec.js'
import {bodyHashes, referencedChain, ruleBody, ruleLine, type Chain, type Rule} from '../rules/model.js'
import {CHAIN_PREFIX} from '../rules/names.js'
import type {TableRender} from '../rules/ruleset.js'
import type {IptablesCommands} from './backend.js'
import {parseSave, type ActualTable} from './save.js'

/**
 * Desired rules of one chain; the rules of a lazy chain (`ruleset.ts` `ChainCache.leaf`) are
 * rendered, and any chain's hashes computed, when first needed (compare or write).
 */
interface DesiredChain {
  readonly chain: Chain
  /** Each rule's text after the chain name (`ruleBody`) and its hash, rendered together. */
  rendered: {readonly bodies: readonly string[]; readonly hashes: readonly string[]} | undefined
}

export interface TableStats {
  /** iptables-restore processes run (one may commit several transactions). */
  restoreCalls: number
  /** Transactions (`*table … COMMIT`) handed to those processes. */
  transactions: number
  restoreErrors: number
  saveCalls: number
  bytesWritten: number
  linesWritten: number
}

const MAX_ATTEMPTS = 3

/** Time allowed per transaction of one restore call (the exec shim's default). */
const RESTORE_TIMEOUT_MS = 30_000

/** A chain Calico needs already exists with rules Calico did not write (bad input, issue 6). */
export class ForeignChainError extends Error {
  constructor(
    readonly table: string,
    readonly chain: string,
    readonly foreignRules: number,
  ) {
    super(
      `iptables table ${table}: chain ${chain} already exists with ${foreignRules} rule(s) Calico did not write (no cali: hash comment); ` +
        'refusing to overwrite it: rename or delete that chain',
    )
    this.name = 'ForeignChainError'
  }
}

const sameHashes = (a: readonly (string | null)[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((h, i) => h === b[i])

const desired = (chain: Chain): DesiredChain => ({chain, rendered: undefined})

const desiredRules = (name: string, rules: readonly Rule[]): DesiredChain => desired({name, rules})

const NO_RULES: DesiredChain = {chain: {name: '', rules: []}, rendered: {bodies: [], hashes: []}}

/** Chains per transaction when a write is split (iptables-nft's cost is quadratic in new chains per transaction). */
export const DEFAULT_CHUNK_CHAINS = 500

/**
 * Rules of non-leaf chains per transaction of a split write. Each jump in a `--noflush` restore
 * costs in proportion to the chains the transaction declares, so rule-heavy endpoint chains go in
 * smaller groups (measured: 500 endpoint chains, 25k rules, 0.6 s user in one transaction, 0.2 s
 * in groups of 50). Leaf chains are not counted: they are rendered only as they are written.
 */
export const DEFAULT_CHUNK_RULES = 2500

/**
 * A split write starts small: its first transactions hold 1/8, 1/4 and 1/2 of the limits, so the
 * restore starts as soon as a little is rendered, and each later (bigger) transaction renders
 * while the one before it commits.
 */
const RAMP_STEPS = 3

const rampedLimit = (limit: number, group: number): number => Math.max(1, Math.ceil(limit / 2 ** Math.max(0, RAMP_STEPS - group)))

/** Chains rendered between two yields to the event loop while a restore child is reading its input. */
const RENDER_SLICE = 50

export interface TableOptions {
  /** A write that (re)declares more chains than this is split into several transactions. */
  readonly chunkChains?: number
  /** ... or more rules than this in chains that jump elsewhere (see DEFAULT_CHUNK_RULES). */
  readonly chunkRules?: number
}

/**
 * One write, planned before any text is rendered. `groups` are the Calico chains to (re)write in
 * dependency order (a chain after every chain it jumps to); each group is one transaction, and
 * the last transaction also carries the kernel-chain hooks and the deletions.
 */
interface WritePlan {
  readonly groups: readonly (readonly string[])[]
  /** `-D` lines for Calico rules in kernel chains, bottom-up. */
  readonly deletes: readonly string[]
  /** Kernel chains whose Calico rules are (re)written. */
  readonly kernelChains: readonly string[]
  /** Calico chains no longer desired (flushed, then deleted). */
  readonly destroys: readonly string[]
}

/** One table's whole write as one transaction, for a restore call shared with other tables. */
export interface SingleTransaction {
  readonly script: string
  /** The shared call succeeded (it counts as one restore call of each table in it). */
  written(): void
  /** The shared call failed: the next apply re-reads this table and writes it alone. */
  failed(): void
}

interface Prepared {
  readonly actual: ActualTable
  readonly desired: ReadonlyMap<string, DesiredChain>
  readonly result: Promise<{readonly plan: WritePlan | undefined; readonly first: string | undefined}>
}

const transactionCount = (plan: WritePlan): number => Math.max(1, plan.groups.length)

export class IptablesTable {
  private desiredChains = new Map<string, DesiredChain>()
  private desiredInserts = new Map<string, DesiredChain>()
  private desiredAppends = new Map<string, DesiredChain>()
  private actual: ActualTable | undefined
  /** Chains this process wrote (or found holding Calico rules): a later all-foreign content is drift. */
  private readonly owned = new Set<string>()
  private readonly chunkChains: number
  private readonly chunkRules: number
  /** The plan and first transaction text of the next apply, computed ahead by `prepare`. */
  private prepared: Prepared | undefined
  readonly stats: TableStats = {restoreCalls: 0, transactions: 0, restoreErrors: 0, saveCalls: 0, bytesWritten: 0, linesWritten: 0}

  constructor(
    readonly table: string,
    private readonly run: CmdRunner,
    private readonly cmds: IptablesCommands,
    options: TableOptions = {},
  ) {
    this.chunkChains = Math.max(1, options.chunkChains ?? DEFAULT_CHUNK_CHAINS)
    this.chunkRules = Math.max(1, options.chunkRules ?? DEFAULT_CHUNK_RULES)
  }

  setDesired(render: TableRender): void {
    this.prepared = undefined
    // The very same chain object (a cached lazy chain, not rendered yet on the initial write) or
    // the very same rules array as before keeps its hashes (cached renders).
    const previous = this.desiredChains
    const chains = new Map<string, DesiredChain>()
    for (const c of render.chains) {
      const before = previous.get(c.name)
      chains.set(c.name, before !== undefined && (before.chain === c || before.chain.rules === c.rules) ? before : desired(c))
    }
    this.desiredChains = chains
    this.desiredInserts = new Map([...render.inserts].map(([k, rules]) => [k, desiredRules(k, rules)]))
    this.desiredAppends = new Map([...render.appends].map(([k, rules]) => [k, desiredRules(k, rules)]))
  }

  /** Desired chains and their rules (Calico chains plus Calico rules in kernel chains). */
  get desiredCounts(): {chains: number; rules: number} {
    let rules = 0
    for (const c of [...this.desiredChains.values(), ...this.desiredInserts.values(), ...this.desiredAppends.values()]) rules += c.chain.rules.length
    return {chains: this.desiredChains.size, rules}
  }

  /** Re-read the kernel on the next apply (periodic refresh, or after someone else's write). */
  markResync(): void {
    this.actual = undefined
    this.prepared = undefined
  }

  /**
   * Plans the next write now and renders its first transaction in the background (yielding to
   * the event loop), so it overlaps the restores of the tables written before this one (start
   * those first); `apply` uses the result if nothing changed in between. Needs the kernel read
   * already (`load`).
   */
  prepare(): void {
    const actual = this.actual
    if (actual === undefined) return
    const result = (async () => {
      const plan = this.plan(actual)
      return {plan, first: plan === undefined ? undefined : await this.renderTransaction(plan, 0)}
    })()
    // A failure is not reported here: apply plans again and reports it.
    result.catch(() => undefined)
    this.prepared = {actual, desired: this.desiredChains, result}
  }

  /** Reads the kernel now if the next apply would. */
  async load(): Promise<void> {
    if (this.actual === undefined) this.actual = await this.read()
  }

  /** Whether the next apply reads the kernel first (the caller may `seed` it from a shared save instead). */
  get needsRead(): boolean {
    return this.actual === undefined
  }

  /** The kernel state read by the caller (one `iptables-save` of every table), if a read is due. */
  seed(actual: ActualTable): void {
    if (this.actual === undefined) this.actual = actual
  }

  /**
   * Brings the kernel to the desired state; returns the bytes written (0 when nothing changed).
   * Usually one transaction; a write (re)declaring more than `chunkChains` chains is split (see
   * `plan`), and transaction k+1 is rendered while transaction k's restore runs.
   */
  async apply(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      if (this.actual === undefined) this.actual = await this.read()
      const ahead = await this.takePrepared()
      let plan: WritePlan | undefined = ahead?.plan
      try {
        if (ahead === undefined) plan = this.plan(this.actual)
      } catch (error) {
        // Re-read next time, so a chain the operator has since removed is noticed at once.
        this.actual = undefined
        throw error
      }
      if (plan === undefined) return 0
      try {
        const bytes = await this.write(plan, ahead?.first)
        this.committed()
        return bytes
      } catch (error) {
        // Earlier transactions of a split write may have committed: re-read and plan again.
        this.stats.restoreErrors++
        this.actual = undefined
        if (attempt >= MAX_ATTEMPTS) throw error
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt))
      }
    }
  }

  /**
   * The next write as the text of one transaction, when it is one, so the caller can restore
   * several tables in one `iptables-restore` call and then report it (`written`, or `failed`,
   * which makes the next apply re-read and retry alone). 'unchanged' when there is nothing to
   * write; undefined when the write must go through `apply` (a read is due, the write is split,
   * or planning failed: `apply` reports that).
   */
  async singleTransaction(): Promise<SingleTransaction | 'unchanged' | undefined> {
    const actual = this.actual
    if (actual === undefined) return undefined
    let ahead = await this.takePrepared()
    try {
      ahead ??= {plan: this.plan(actual), first: undefined}
    } catch {
      return undefined
    }
    const {plan} = ahead
    if (plan === undefined) return 'unchanged'
    if (transactionCount(plan) > 1) return undefined
    const script = ahead.first ?? (await this.renderTransaction(plan, 0))
    return {
      script,
      written: () => {
        this.stats.restoreCalls++
        this.stats.transactions++
        this.stats.bytesWritten += Buffer.byteLength(script)
        this.stats.linesWritten += countLines(script)
        this.committed()
      },
      failed: () => {
        this.stats.restoreCalls++
        this.stats.restoreErrors++
        this.actual = undefined
      },
    }
  }

  /** After a successful write: the kernel now holds the desired state, and its chains are ours. */
  private committed(): void {
    this.actual = this.expectedActual()
    for (const name of this.desiredChains.keys()) this.owned.add(name)
    // Chains no longer desired were deleted: a chain of that name that appears later is new.
    for (const name of this.owned) if (!this.desiredChains.has(name)) this.owned.delete(name)
  }

  /** The prepared plan if it was made against the current actual and desired state and succeeded. */
  private async takePrepared(): Promise<{plan: WritePlan | undefined; first: string | undefined} | undefined> {
    const prepared = this.prepared
    this.prepared = undefined
    if (prepared === undefined || prepared.actual !== this.actual || prepared.desired !== this.desiredChains) return undefined
    try {
      return await prepared.result
    } catch {
      return undefined
    }
  }

  /**
   * All transactions of `plan` through ONE `iptables-restore` process, each `*table … COMMIT`
   * committed on its own as the process reads it: no process start per transaction.
   */
  private async write(plan: WritePlan, first?: string): Promise<number> {
    const before = this.stats.bytesWritten
    this.stats.restoreCalls++
    const count = transactionCount(plan)
    await this.run({argv: [this.cmds.restore, '--noflush'], stdin: this.transactionTexts(plan, first), timeoutMs: RESTORE_TIMEOUT_MS * count})
    return this.stats.bytesWritten - before
  }

  /** The texts of `plan`'s transactions, in order; transaction k+1 renders while k is written. */
  private async *transactionTexts(plan: WritePlan, first: string | undefined): AsyncGenerator<string> {
    const count = transactionCount(plan)
    let script = first ?? (await this.renderTransaction(plan, 0))
    for (let i = 0; i < count; i++) {
      const next = i + 1 < count ? this.renderTransaction(plan, i + 1) : undefined
      // Awaited below; until then a rejection must not count as unhandled.
      next?.catch(() => undefined)
      yield script
      this.stats.bytesWritten += Buffer.byteLength(script)
      this.stats.linesWritten += countLines(script)
      this.stats.transactions++
      if (next !== undefined) script = await next
    }
  }

  private async read(): Promise<ActualTable> {
    this.stats.saveCalls++
    const {stdout} = await this.run({argv: [this.cmds.save, '-t', this.table]})
    return parseSave(stdout)
  }

  /** Ours: empty, holding a Calico rule, or written by this process. */
  private isOurs(name: string, rules: readonly (string | null)[]): boolean {
    return rules.length === 0 || rules.some((h) => h !== null) || this.owned.has(name)
  }

  private renderedOf(name: string, chain: DesiredChain): {readonly bodies: readonly string[]; readonly hashes: readonly string[]} {
    if (chain.rendered === undefined) {
      const bodies = chain.chain.rules.map(ruleBody)
      chain.rendered = {bodies, hashes: bodyHashes(name, bodies)}
    }
    return chain.rendered
  }

  private hashesOf(name: string, chain: DesiredChain): readonly string[] {
    return this.renderedOf(name, chain).hashes
  }

  /**
   * What to write, or undefined when the kernel already agrees. A chain missing from the kernel is
   * rewritten without hashing it here (its hashes are computed as it is rendered).
   *
   * Split writes (more than `chunkChains` chains to write): the chains are ordered so that each one
   * comes after every chain it jumps to, and cut into groups, one transaction each. Every
   * transaction is then valid on its own (whatever it references exists already or is declared in
   * it), no transaction but the last touches a kernel chain, and nothing is deleted before the last:
   * until the hooks go in, new chains are unreachable, and a rewritten chain is swapped whole.
   */
  private plan(actual: ActualTable): WritePlan | undefined {
    const changed: string[] = []
    for (const [name, chain] of this.desiredChains) {
      const rules = actual.chains.get(name)
      if (rules === undefined) {
        changed.push(name)
        continue
      }
      if (!this.isOurs(name, rules)) throw new ForeignChainError(this.table, name, rules.length)
      this.owned.add(name)
      if (!sameHashes(rules, this.hashesOf(name, chain))) changed.push(name)
    }

    const candidates = new Set([...this.desiredInserts.keys(), ...this.desiredAppends.keys()])
    for (const [name, rules] of actual.chains) {
      if (!name.startsWith(CHAIN_PREFIX) && rules.some((h) => h !== null)) candidates.add(name)
    }
    const deletes: string[] = []
    const kernelChains: string[] = []
    for (const name of candidates) {
      const actualRules = actual.chains.get(name) ?? []
      const top = this.hashesOf(name, this.desiredInserts.get(name) ?? NO_RULES)
      const end = this.hashesOf(name, this.desiredAppends.get(name) ?? NO_RULES)
      const ours = actualRules.filter((h) => h !== null).length
      const inPlace =
        ours === top.length + end.length &&
        top.every((h, i) => actualRules[i] === h) &&
        end.every((h, i) => actualRules[actualRules.length - end.length + i] === h)
      if (inPlace) continue
      for (let i = actualRules.length - 1; i >= 0; i--) if (actualRules[i] !== null) deletes.push(`-D ${name} ${i + 1}`)
      kernelChains.push(name)
    }

    const destroys: string[] = []
    for (const [name, rules] of actual.chains) {
      if (name.startsWith(CHAIN_PREFIX) && !this.desiredChains.has(name) && this.isOurs(name, rules)) destroys.push(name)
    }
    if (changed.length + deletes.length + kernelChains.length + destroys.length === 0) return undefined
    const rulesIn = (name: string): number => {
      const chain = this.desiredChains.get(name)?.chain
      return chain === undefined || chain.leaf === true ? 0 : chain.rules.length
    }
    if (changed.length <= this.chunkChains && changed.reduce((sum, name) => sum + rulesIn(name), 0) <= this.chunkRules) {
      return {groups: changed.length > 0 ? [changed] : [], deletes, kernelChains, destroys}
    }
    const groups: string[][] = []
    let group: string[] = []
    let rules = 0
    for (const name of this.dependencyOrder(changed)) {
      const size = rulesIn(name)
      const [maxChains, maxRules] = [rampedLimit(this.chunkChains, groups.length), rampedLimit(this.chunkRules, groups.length)]
      if (group.length > 0 && (group.length >= maxChains || rules + size > maxRules)) {
        groups.push(group)
        group = []
        rules = 0
      }
      group.push(name)
      rules += size
    }
    if (group.length > 0) groups.push(group)
    return {groups, deletes, kernelChains, destroys}
  }

  /** `names` with every chain after the chains it jumps to (depth-first, post-order). */
  private dependencyOrder(names: readonly string[]): string[] {
    const wanted = new Set(names)
    const done = new Set<string>()
    const ordered: string[] = []
    const visit = (name: string): void => {
      if (done.has(name)) return
      // Marked before the recursion: iptables forbids loops, and this keeps a bad render finite.
      done.add(name)
      const chain = this.desiredChains.get(name)?.chain
      // A leaf jumps nowhere: not reading its rules keeps a lazy chain unrendered until it is written.
      for (const rule of chain === undefined || chain.leaf === true ? [] : chain.rules) {
        const target = referencedChain(rule.action)
        if (target !== undefined && wanted.has(target)) visit(target)
      }
      ordered.push(name)
    }
    for (const name of names) visit(name)
    return ordered
  }

  /** The text of transaction `index` of `plan`; yields to the event loop every few chains. */
  private async renderTransaction(plan: WritePlan, index: number): Promise<string> {
    const last = index === transactionCount(plan) - 1
    const group = plan.groups[index] ?? []
    const lines = [`*${this.table}`]
    for (const name of group) lines.push(`:${name} - [0:0]`)
    if (last) {
      for (const name of plan.destroys) lines.push(`:${name} - [0:0]`)
      lines.push(...plan.deletes)
      for (const name of plan.kernelChains) {
        const {bodies, hashes} = this.renderedOf(name, this.desiredInserts.get(name) ?? NO_RULES)
        bodies.forEach((body, i) => lines.push(ruleLine('-I', `${name} ${i + 1}`, body, hashes[i])))
      }
    }
    for (const [n, name] of group.entries()) {
      if (n > 0 && n % RENDER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve))
      const {bodies, hashes} = this.renderedOf(name, this.desiredChains.get(name) ?? NO_RULES)
      for (let i = 0; i < bodies.length; i++) lines.push(ruleLine('-A', name, bodies[i], hashes[i]))
    }
    if (last) {
      for (const name of plan.kernelChains) {
        const {bodies, hashes} = this.renderedOf(name, this.desiredAppends.get(name) ?? NO_RULES)
        bodies.forEach((body, i) => lines.push(ruleLine('-A', name, body, hashes[i])))
      }
      for (const name of plan.destroys) lines.push(`-X ${name}`)
    }
    lines.push('COMMIT', '')
    return lines.join('\n')
  }

  /** The actual state after a successful write: desired Calico state, other rules as they were. */
  private expectedActual(): ActualTable {
    const before = this.actual ?? {chains: new Map<string, (string | null)[]>()}
    const chains = new Map<string, (string | null)[]>()
    for (const [name, rules] of before.chains) {
      if (name.startsWith(CHAIN_PREFIX)) {
        // Foreign cali- chains we left alone are still there.
        if (!this.desiredChains.has(name) && !this.isOurs(name, rules)) chains.set(name, [...rules])
        continue
      }
      const top = this.hashesOf(name, this.desiredInserts.get(name) ?? NO_RULES)
      const end = this.hashesOf(name, this.desiredAppends.get(name) ?? NO_RULES)
      chains.set(name, [...top, ...rules.filter((h) => h === null), ...end])
    }
    for (const name of [...this.desiredInserts.keys(), ...this.desiredAppends.keys()]) {
      if (!chains.has(name)) {
        chains.set(name, [...this.hashesOf(name, this.desiredInserts.get(name) ?? NO_RULES), ...this.hashesOf(name, this.desiredAppends.get(name) ?? NO_RULES)])
      }
    }
    for (const [name, chain] of this.desiredChains) chains.set(name, [...this.hashesOf(name, chain)])
    return {chains}
  }
}

function countLines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}
