/**
 * Backend-neutral rule model and its iptables text form, as Felix's generictables + iptables
 * renderer: a rule is match fragments + one action + free-text comments; a chain is a name and
 * rules. The rendered text and the rule-hash scheme follow Felix exactly, so hashes computed here
 * equal the `cali:<hash>` comments Go Felix writes for the same rules (test/dataplane/model.test.ts
 * checks lines of felix/fv/cali-iptables-dump.txt).
 */
import {hash} from 'node:crypto'

export type Action =
  | {readonly kind: 'accept' | 'drop' | 'return' | 'notrack'}
  | {readonly kind: 'reject'; readonly with?: string}
  | {readonly kind: 'jump' | 'goto'; readonly target: string}
  | {readonly kind: 'set-mark'; readonly mark: number; readonly mask: number}
  | {readonly kind: 'log'; readonly prefix: string}
  | {readonly kind: 'masquerade'; readonly randomFully?: boolean}
  | {readonly kind: 'dnat'; readonly to: string}
  | {readonly kind: 'snat'; readonly to: string}

export interface Rule {
  /** Match fragments in order, e.g. `-m mark --mark 0x10000/0x10000`; all must match. */
  readonly match: readonly string[]
  readonly action: Action
  readonly comments?: readonly string[]
}

export interface Chain {
  readonly name: string
  /** May be rendered on first access (policy and profile chains, see ruleset.ts `ChainCache`). */
  readonly rules: readonly Rule[]
  /** True when no rule jumps or goes to another chain (the writer need not render it to order it). */
  readonly leaf?: boolean
}

export const hex = (n: number): string => (n === 0 ? '0' : `0x${n.toString(16)}`)

export function actionFragment(action: Action): string {
  switch (action.kind) {
    case 'accept':
      return '--jump ACCEPT'
    case 'drop':
      return '--jump DROP'
    case 'return':
      return '--jump RETURN'
    case 'notrack':
      return '--jump NOTRACK'
    case 'reject':
      return action.with === undefined ? '--jump REJECT' : `--jump REJECT --reject-with ${action.with}`
    case 'jump':
      return `--jump ${action.target}`
    case 'goto':
      return `--goto ${action.target}`
    case 'set-mark':
      return `--jump MARK --set-mark ${hex(action.mark)}/${hex(action.mask)}`
    case 'log':
      return `--jump LOG --log-prefix "${action.prefix}: " --log-level 5`
    case 'masquerade':
      return action.randomFully === true ? '--jump MASQUERADE --random-fully' : '--jump MASQUERADE'
    case 'dnat':
      return `--jump DNAT --to-destination ${action.to}`
    case 'snat':
      return `--jump SNAT --to-source ${action.to}`
  }
}

/** The chain a jump/goto names, if any. */
export function referencedChain(action: Action): string | undefined {
  return action.kind === 'jump' || action.kind === 'goto' ? action.target : undefined
}

/** Felix's escapeComment: anything but shell-safe characters becomes `_`; at most 256 chars. */
export function escapeComment(text: string): string {
  return text.replace(/[^\w @%+=:,./-]/g, '_').slice(0, 256)
}

/** Rendered bodies of rules shared by many chains (`shared`); other rules render each time. */
const sharedBodies = new WeakMap<Rule, string>()

/**
 * Marks a rule object that many chains hold (rules are immutable): its text is rendered once.
 * Only for such rules: a weak map entry per rule would cost more than the text it saves.
 */
export function shared<R extends Rule>(rule: R): R {
  sharedBodies.set(rule, renderBody(rule))
  return rule
}

/** A rule's text after `<op> <chain> [hash comment]`: comments, matches, action. */
export function ruleBody(rule: Rule): string {
  return sharedBodies.get(rule) ?? renderBody(rule)
}

function renderBody(rule: Rule): string {
  let body = ''
  for (const comment of rule.comments ?? []) body += `-m comment --comment "${escapeComment(comment)}" `
  if (rule.match.length > 0) body += `${rule.match.join(' ')} `
  return body + actionFragment(rule.action)
}

/** `<op> <chain> [hash comment] <body>`; `hash` '' renders no hash comment. */
export const ruleLine = (op: string, chain: string, body: string, hash: string): string =>
  hash === '' ? `${op} ${chain} ${body}` : `${op} ${chain} -m comment --comment "cali:${hash}" ${body}`

/**
 * Renders `<op> <chain> [hash comment] [comments] [match] <action>`. `hash` 'HASH' is the
 * placeholder Felix renders when hashing (no comment wrapper); '' renders no hash comment.
 */
export function renderRule(op: string, chain: string, rule: Rule, hash: string): string {
  return hash === 'HASH' ? `${op} ${chain} HASH ${ruleBody(rule)}` : ruleLine(op, chain, ruleBody(rule), hash)
}

/** Felix's hash: the first 96 bits of the digest, 16 base64url chars. */
const HASH_BYTES = 12

const SHA224_BYTES = 28
/** Scratch space for one hash input (previous digest + rule text), grown on demand. */
let scratch = Buffer.allocUnsafe(1 << 14)

/**
 * Felix's RuleHashes: SHA-224 seeded with the chain name; each rule's digest covers the previous
 * digest plus the rule rendered with the `HASH` placeholder, so a rule's hash depends on its chain,
 * its position and every rule before it.
 */
export function ruleHashes(chainName: string, rules: readonly Rule[]): string[] {
  return bodyHashes(chainName, rules.map(ruleBody))
}

/** `ruleHashes` from the rules' bodies (`ruleBody`), for a caller that renders them anyway. */
export function bodyHashes(chainName: string, bodies: readonly string[]): string[] {
  // scratch = previous digest | `-A <chain> HASH ` | body; the prefix is written once per chain.
  const prefix = `-A ${chainName} HASH `
  const prefixBytes = Buffer.byteLength(prefix)
  const start = SHA224_BYTES + prefixBytes
  let longest = 0
  for (const body of bodies) if (body.length > longest) longest = body.length
  // A UTF-16 code unit is at most 3 UTF-8 bytes.
  if (start + 3 * longest > scratch.length) scratch = Buffer.allocUnsafe(2 * (start + 3 * longest))
  const buf = scratch
  hash('sha224', chainName, 'buffer').copy(buf, 0)
  buf.write(prefix, SHA224_BYTES, 'utf8')
  const hashes = new Array<string>(bodies.length)
  for (let i = 0; i < bodies.length; i++) {
    const end = start + buf.write(bodies[i], start, 'utf8')
    const digest = hash('sha224', buf.subarray(0, end), 'buffer')
    digest.copy(buf, 0)
    hashes[i] = digest.toString('base64url', 0, HASH_BYTES)
  }
  return hashes
}

/** Match fragment builders (Felix's iptables match_builder spelling). */
export const M = {
  markSet: (bit: number): string => `-m mark --mark ${hex(bit)}/${hex(bit)}`,
  markClear: (bits: number): string => `-m mark --mark 0/${hex(bits)}`,
  inIface: (name: string): string => `--in-interface ${name}`,
  outIface: (name: string): string => `--out-interface ${name}`,
  ctState: (states: string): string => `-m conntrack --ctstate ${states}`,
  notCtState: (states: string): string => `-m conntrack ! --ctstate ${states}`,
  proto: (p: string | number): string => `-p ${p}`,
  notProto: (p: string | number): string => `! -p ${p}`,
  src: (net: string): string => `--source ${net}`,
  notSrc: (net: string): string => `! --source ${net}`,
  dst: (net: string): string => `--destination ${net}`,
  notDst: (net: string): string => `! --destination ${net}`,
  srcSet: (name: string): string => `-m set --match-set ${name} src`,
  notSrcSet: (name: string): string => `-m set ! --match-set ${name} src`,
  dstSet: (name: string): string => `-m set --match-set ${name} dst`,
  notDstSet: (name: string): string => `-m set ! --match-set ${name} dst`,
  srcIpPortSet: (name: string): string => `-m set --match-set ${name} src,src`,
  notSrcIpPortSet: (name: string): string => `-m set ! --match-set ${name} src,src`,
  dstIpPortSet: (name: string): string => `-m set --match-set ${name} dst,dst`,
  notDstIpPortSet: (name: string): string => `-m set ! --match-set ${name} dst,dst`,
  srcPorts: (ports: string): string => `-m multiport --source-ports ${ports}`,
  notSrcPorts: (ports: string): string => `-m multiport ! --source-ports ${ports}`,
  dstPorts: (ports: string): string => `-m multiport --destination-ports ${ports}`,
  notDstPorts: (ports: string): string => `-m multiport ! --destination-ports ${ports}`,
  /** Reverse-path check failed, using the packet mark for the route lookup (Felix's RPFCheckFailed). */
  rpfFailed: (): string => '-m rpfilter --validmark --invert',
  icmp: (type: number, code?: number): string => `-m icmp --icmp-type ${code === undefined ? type : `${type}/${code}`}`,
  notIcmp: (type: number, code?: number): string =>
    `-m icmp ! --icmp-type ${code === undefined ? type : `${type}/${code}`}`,
}
