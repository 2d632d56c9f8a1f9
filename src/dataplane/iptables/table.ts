/**
 * One iptables table, reconciled (Felix iptables/table.go, simplified):
 * - desired state = Calico chains + rules Calico inserts at the top / appends at the end of kernel
 *   chains; every rule is identified by its Felix rule hash;
 * - actual state = what `iptables-save -t <table>` shows, read on the first apply and after
 *   `markResync()` (the periodic refresh), otherwise assumed to be what was last written;
 * - apply writes only the difference, in one `iptables-restore --noflush` transaction: a chain whose
 *   hashes differ is flushed and rewritten whole; Calico rules in kernel chains are re-inserted only
 *   if they are missing, misplaced or stale; `cali-` chains no longer desired are flushed and
 *   deleted. Chains not starting with `cali-` and rules without a `cali:` hash are never touched.
 * - a failed write leaves the kernel as it was (the transaction is atomic), forces a re-read, and is
 *   retried a few times before apply rejects.
 * - ownership of a `cali-` chain Calico wants: it is ours if it is empty, holds at least one rule
 *   with a `cali:` hash, or this process wrote it (then a person may have altered every rule: drift,
 *   repaired). Otherwise it is someone else's chain under a Calico name: apply rejects with a
 *   ForeignChainError naming table and chain, and nothing in the table is written (the other
 *   tables still are). An undesired foreign `cali-` chain is left alone rather than deleted.
 */
import type {CmdRunner} from '../exec.js'
import {renderRule, ruleHashes, type Rule} from '../rules/model.js'
import {CHAIN_PREFIX} from '../rules/names.js'
import type {TableRender} from '../rules/ruleset.js'
import type {IptablesCommands} from './backend.js'
import {parseSave, type ActualTable} from './save.js'

interface HashedChain {
  readonly rules: readonly Rule[]
  readonly hashes: readonly string[]
}

export interface TableStats {
  restoreCalls: number
  restoreErrors: number
  saveCalls: number
  bytesWritten: number
  linesWritten: number
}

const MAX_ATTEMPTS = 3

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

const hashed = (name: string, rules: readonly Rule[]): HashedChain => ({rules, hashes: ruleHashes(name, rules)})

export class IptablesTable {
  private desiredChains = new Map<string, HashedChain>()
  private desiredInserts = new Map<string, HashedChain>()
  private desiredAppends = new Map<string, HashedChain>()
  private actual: ActualTable | undefined
  /** Chains this process wrote (or found holding Calico rules): a later all-foreign content is drift. */
  private readonly owned = new Set<string>()
  readonly stats: TableStats = {restoreCalls: 0, restoreErrors: 0, saveCalls: 0, bytesWritten: 0, linesWritten: 0}

  constructor(
    readonly table: string,
    private readonly run: CmdRunner,
    private readonly cmds: IptablesCommands,
  ) {}

  setDesired(render: TableRender): void {
    this.desiredChains = new Map(render.chains.map((c) => [c.name, hashed(c.name, c.rules)]))
    this.desiredInserts = new Map([...render.inserts].map(([k, rules]) => [k, hashed(k, rules)]))
    this.desiredAppends = new Map([...render.appends].map(([k, rules]) => [k, hashed(k, rules)]))
  }

  /** Desired chains and their rules (Calico chains plus Calico rules in kernel chains). */
  get desiredCounts(): {chains: number; rules: number} {
    let rules = 0
    for (const c of [...this.desiredChains.values(), ...this.desiredInserts.values(), ...this.desiredAppends.values()]) rules += c.rules.length
    return {chains: this.desiredChains.size, rules}
  }

  /** Re-read the kernel on the next apply (periodic refresh, or after someone else's write). */
  markResync(): void {
    this.actual = undefined
  }

  /** Reads the kernel now if the next apply would (lets the caller read several tables at once). */
  async load(): Promise<void> {
    if (this.actual === undefined) this.actual = await this.read()
  }

  /** Brings the kernel to the desired state; returns the bytes written (0 when nothing changed). */
  async apply(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      if (this.actual === undefined) this.actual = await this.read()
      let script: string | undefined
      try {
        script = this.diff(this.actual)
      } catch (error) {
        // Re-read next time, so a chain the operator has since removed is noticed at once.
        this.actual = undefined
        throw error
      }
      if (script === undefined) return 0
      try {
        this.stats.restoreCalls++
        await this.run({argv: [this.cmds.restore, '--noflush'], stdin: script})
        this.stats.bytesWritten += Buffer.byteLength(script)
        this.stats.linesWritten += script.split('\n').length - 1
        this.actual = this.expectedActual()
        for (const name of this.desiredChains.keys()) this.owned.add(name)
        // Chains no longer desired were deleted: a chain of that name that appears later is new.
        for (const name of this.owned) if (!this.desiredChains.has(name)) this.owned.delete(name)
        return Buffer.byteLength(script)
      } catch (error) {
        this.stats.restoreErrors++
        this.actual = undefined
        if (attempt >= MAX_ATTEMPTS) throw error
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt))
      }
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

  /**
   * The restore script taking `actual` to desired, or undefined when they agree. Throws a
   * ForeignChainError when a desired chain exists holding only rules Calico did not write.
   */
  diff(actual: ActualTable): string | undefined {
    for (const name of this.desiredChains.keys()) {
      const rules = actual.chains.get(name)
      if (rules === undefined) continue
      if (!this.isOurs(name, rules)) throw new ForeignChainError(this.table, name, rules.length)
      this.owned.add(name)
    }
    const declare: string[] = []
    const deletes: string[] = []
    const inserts: string[] = []
    const appends: string[] = []
    const destroys: string[] = []

    for (const [name, chain] of this.desiredChains) {
      if (sameHashes(actual.chains.get(name), chain.hashes)) continue
      declare.push(`:${name} - [0:0]`)
      chain.rules.forEach((rule, i) => appends.push(renderRule('-A', name, rule, chain.hashes[i])))
    }

    const kernelChains = new Set([...this.desiredInserts.keys(), ...this.desiredAppends.keys()])
    for (const [name, rules] of actual.chains) {
      if (!name.startsWith(CHAIN_PREFIX) && rules.some((h) => h !== null)) kernelChains.add(name)
    }
    for (const name of kernelChains) {
      const actualRules = actual.chains.get(name) ?? []
      const top = this.desiredInserts.get(name) ?? {rules: [], hashes: []}
      const end = this.desiredAppends.get(name) ?? {rules: [], hashes: []}
      const ours = actualRules.filter((h) => h !== null).length
      const inPlace =
        ours === top.hashes.length + end.hashes.length &&
        top.hashes.every((h, i) => actualRules[i] === h) &&
        end.hashes.every((h, i) => actualRules[actualRules.length - end.hashes.length + i] === h)
      if (inPlace) continue
      for (let i = actualRules.length - 1; i >= 0; i--) if (actualRules[i] !== null) deletes.push(`-D ${name} ${i + 1}`)
      top.rules.forEach((rule, i) => inserts.push(renderRule(`-I`, name, rule, top.hashes[i]).replace(/^-I (\S+)/, `-I $1 ${i + 1}`)))
      end.rules.forEach((rule, i) => appends.push(renderRule('-A', name, rule, end.hashes[i])))
    }

    for (const [name, rules] of actual.chains) {
      if (name.startsWith(CHAIN_PREFIX) && !this.desiredChains.has(name) && this.isOurs(name, rules)) {
        declare.push(`:${name} - [0:0]`)
        destroys.push(`-X ${name}`)
      }
    }
    if (declare.length + deletes.length + inserts.length + appends.length + destroys.length === 0) return undefined
    return [`*${this.table}`, ...declare, ...deletes, ...inserts, ...appends, ...destroys, 'COMMIT', ''].join('\n')
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
      const top = this.desiredInserts.get(name)?.hashes ?? []
      const end = this.desiredAppends.get(name)?.hashes ?? []
      chains.set(name, [...top, ...rules.filter((h) => h === null), ...end])
    }
    for (const name of [...this.desiredInserts.keys(), ...this.desiredAppends.keys()]) {
      if (!chains.has(name)) chains.set(name, [...(this.desiredInserts.get(name)?.hashes ?? []), ...(this.desiredAppends.get(name)?.hashes ?? [])])
    }
    for (const [name, chain] of this.desiredChains) chains.set(name, [...chain.hashes])
    return {chains}
  }
}
