/**
 * Reading `iptables-save` (one table, or every table at once) the way Felix does: no real parsing
 * of matches, only which chains exist and, per rule, the `cali:<hash>` comment (null for rules
 * that are not Calico's).
 */

export interface ActualTable {
  /** Every chain in the table (kernel and user chains) → per-rule Calico hash or null. */
  readonly chains: Map<string, (string | null)[]>
}

const HASH_RE = /--comment "?cali:([A-Za-z0-9_-]{16})"?/

export function parseSave(text: string): ActualTable {
  const chains = new Map<string, (string | null)[]>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0]
      if (!chains.has(name)) chains.set(name, [])
    } else if (line.startsWith('-A ')) {
      const name = line.split(' ')[1]
      const rules = chains.get(name) ?? []
      chains.set(name, rules)
      rules.push(HASH_RE.exec(line)?.[1] ?? null)
    }
  }
  return {chains}
}

/**
 * A whole `iptables-save` (every table) → table name → its state. A table the save does not show
 * does not exist in the kernel yet: it is empty.
 */
export function parseSaveTables(text: string, tables: readonly string[]): Map<string, ActualTable> {
  const sections = new Map<string, string>()
  for (const section of text.split(/^(?=\*)/m)) {
    const name = /^\*(\S+)/.exec(section)?.[1]
    if (name !== undefined) sections.set(name, section)
  }
  return new Map(tables.map((name) => [name, parseSave(sections.get(name) ?? '')]))
}
