/**
 * IPv4 ipsets, reconciled through `ipset restore` (Felix ipsets/ipsets.go, simplified). Sets named
 * `cali40…` / `cali4t…` are Calico's; no other set is read for diffing or ever changed.
 * Two phases per apply, as Felix orders them around the iptables write: `applyUpdates()` (create
 * new sets, add/remove changed members, swap a set whose type changed) before iptables may
 * reference them, `applyDeletions()` (destroy unwanted sets) after iptables stopped referencing them.
 * Actual state is read with `ipset save` on the first apply and after `markResync()`.
 */
import type {IPSetType} from '../../calc/messages.js'
import type {CmdRunner} from '../exec.js'
import {IPSET_PREFIX_V4, IPSET_TEMP_PREFIX_V4} from '../rules/names.js'

export interface DesiredSet {
  readonly type: IPSetType
  readonly members: ReadonlySet<string>
}

interface ActualSet {
  kernelType: string
  members: Set<string>
}

const KERNEL_TYPE: Readonly<Record<IPSetType, string>> = {net: 'hash:net', ip: 'hash:ip', 'ip-and-port': 'hash:ip,port'}
const MAX_SIZE = 1_048_576

const ours = (name: string): boolean => name.startsWith(IPSET_PREFIX_V4) || name.startsWith(IPSET_TEMP_PREFIX_V4)

/** The member as `ipset save` prints it, or undefined for an IPv6 member (v4 sets only). */
export function canonicalMember(type: IPSetType, member: string): string | undefined {
  const address = member.split(',')[0]
  if (address.includes(':')) return undefined
  if (type === 'net' && member.endsWith('/32')) return member.slice(0, -3)
  if (type === 'ip') return member.replace(/\/32$/, '')
  return member
}

export function parseIpsetSave(text: string): Map<string, ActualSet> {
  const sets = new Map<string, ActualSet>()
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/)
    if (words[0] === 'create' && ours(words[1])) sets.set(words[1], {kernelType: words[2], members: new Set()})
    else if (words[0] === 'add' && ours(words[1])) sets.get(words[1])?.members.add(words[2])
  }
  return sets
}

export interface IpsetStats {
  restoreCalls: number
  bytesWritten: number
}

export class IpsetsDriver {
  private desired = new Map<string, {kernelType: string; members: Set<string>}>()
  private actual: Map<string, ActualSet> | undefined
  readonly stats: IpsetStats = {restoreCalls: 0, bytesWritten: 0}

  constructor(private readonly run: CmdRunner) {}

  /** Full desired state by kernel name. */
  setDesired(sets: ReadonlyMap<string, DesiredSet>): void {
    this.desired = new Map(
      [...sets].map(([name, set]) => [
        name,
        {
          kernelType: KERNEL_TYPE[set.type],
          members: new Set([...set.members].flatMap((m) => canonicalMember(set.type, m) ?? [])),
        },
      ]),
    )
  }

  markResync(): void {
    this.actual = undefined
  }

  async applyUpdates(): Promise<number> {
    const actual = await this.actualSets()
    const lines: string[] = []
    let temp = 0
    for (const [name, want] of this.desired) {
      const have = actual.get(name)
      const create = (setName: string): string => `create ${setName} ${want.kernelType} family inet maxelem ${MAX_SIZE}`
      if (have === undefined) {
        lines.push(create(name), ...[...want.members].map((m) => `add ${name} ${m}`))
      } else if (have.kernelType !== want.kernelType) {
        const tmp = `${IPSET_TEMP_PREFIX_V4}${temp++}`
        lines.push(create(tmp), ...[...want.members].map((m) => `add ${tmp} ${m}`), `swap ${tmp} ${name}`, `destroy ${tmp}`)
      } else {
        for (const m of have.members) if (!want.members.has(m)) lines.push(`del ${name} ${m}`)
        for (const m of want.members) if (!have.members.has(m)) lines.push(`add ${name} ${m}`)
      }
    }
    if (lines.length === 0) return 0
    await this.restore(lines)
    for (const [name, want] of this.desired) actual.set(name, {kernelType: want.kernelType, members: new Set(want.members)})
    return lines.length
  }

  async applyDeletions(): Promise<number> {
    const actual = await this.actualSets()
    const unwanted = [...actual.keys()].filter((name) => !this.desired.has(name))
    if (unwanted.length === 0) return 0
    await this.restore(unwanted.map((name) => `destroy ${name}`))
    for (const name of unwanted) actual.delete(name)
    return unwanted.length
  }

  private async actualSets(): Promise<Map<string, ActualSet>> {
    if (this.actual === undefined) {
      const {stdout} = await this.run({argv: ['ipset', 'save']})
      this.actual = parseIpsetSave(stdout)
    }
    return this.actual
  }

  private async restore(lines: string[]): Promise<void> {
    const script = `${lines.join('\n')}\n`
    this.stats.restoreCalls++
    try {
      await this.run({argv: ['ipset', '-exist', 'restore'], stdin: script})
      this.stats.bytesWritten += Buffer.byteLength(script)
    } catch (error) {
      this.actual = undefined
      throw error
    }
  }
}
