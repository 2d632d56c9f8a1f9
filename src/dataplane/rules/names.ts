/**
 * Kernel-visible names and mark bits, exactly as Felix spells them (rules/rule_defs.go,
 * ipsets/ipset_defs.go, libcalico-go hash.GetLengthLimitedID), so a host can move between this agent
 * and Go Felix without renaming anything.
 */
import {createHash} from 'node:crypto'

import type {PolicyId} from '../../calc/messages.js'
import {policyIdString} from '../../calc/messages.js'

/** iptables' limit as Felix enforces it (iptables/table.go MaxChainNameLength). */
export const MAX_CHAIN_NAME_LENGTH = 28
/** ipset's limit (IPSET_MAXNAMELEN - 1). */
export const MAX_IPSET_NAME_LENGTH = 31

/** Every Calico chain starts with this; anything else in the kernel is not ours. */
export const CHAIN_PREFIX = 'cali-'
/** IPv4 sets, format version 0 (`cali40s:…`); temporary sets for swaps are `cali4t<N>`. */
export const IPSET_PREFIX_V4 = 'cali40'
export const IPSET_TEMP_PREFIX_V4 = 'cali4t'

/** Long names already hashed (`lengthLimitedId`), keyed by limit and full name. */
const hashedIds = new Map<string, string>()

/**
 * GetLengthLimitedID: `prefix + suffix` when it fits, else `prefix + "_" +` unpadded base64url
 * SHA-256 of the suffix, cut to the limit.
 */
export function lengthLimitedId(prefix: string, suffix: string, maxLength: number): string {
  const full = prefix + suffix
  if (full.length <= maxLength) return full
  const key = `${maxLength}\n${full}`
  let id = hashedIds.get(key)
  if (id === undefined) {
    const hash = createHash('sha256').update(suffix).digest('base64url')
    id = `${prefix}_${hash.slice(0, maxLength - prefix.length - 1)}`
    // Every endpoint chain names the policies it jumps to: hash each long name once.
    if (hashedIds.size >= 100_000) hashedIds.clear()
    hashedIds.set(key, id)
  }
  return id
}

export const POLICY_IN_PREFIX = 'cali-pi-'
export const POLICY_OUT_PREFIX = 'cali-po-'
export const PROFILE_IN_PREFIX = 'cali-pri-'
export const PROFILE_OUT_PREFIX = 'cali-pro-'

export const policyChainName = (prefix: string, id: PolicyId): string =>
  lengthLimitedId(prefix, policyIdString(id), MAX_CHAIN_NAME_LENGTH)

export const profileChainName = (prefix: string, name: string): string =>
  lengthLimitedId(prefix, name, MAX_CHAIN_NAME_LENGTH)

/** `cali40` + the calc graph's id (`s:…`, `n:…`), cut to 31 characters. */
export const ipsetName = (id: string): string => (IPSET_PREFIX_V4 + id).slice(0, MAX_IPSET_NAME_LENGTH)

/** Workload endpoint chains: to-workload (ingress policy) and from-workload (egress policy). */
export const WL_TO_PREFIX = 'cali-tw-'
export const WL_FROM_PREFIX = 'cali-fw-'
/** Host endpoint chains: normal (INPUT/OUTPUT) and applyOnForward (FORWARD). */
export const HOST_TO_PREFIX = 'cali-th-'
export const HOST_FROM_PREFIX = 'cali-fh-'
export const HOST_TO_FWD_PREFIX = 'cali-thfw-'
export const HOST_FROM_FWD_PREFIX = 'cali-fhfw-'

export const endpointChainName = (prefix: string, iface: string): string =>
  lengthLimitedId(prefix, iface, MAX_CHAIN_NAME_LENGTH)

/** The chain-name suffix Felix uses for an all-interfaces (`*`) host endpoint. */
export const ALL_INTERFACES = 'any-interface'

export const CHAINS = {
  input: 'cali-INPUT',
  forward: 'cali-FORWARD',
  output: 'cali-OUTPUT',
  wlToHost: 'cali-wl-to-host',
  fromWlDispatch: 'cali-from-wl-dispatch',
  toWlDispatch: 'cali-to-wl-dispatch',
  fromHostDispatch: 'cali-from-host-endpoint',
  toHostDispatch: 'cali-to-host-endpoint',
  fromHepForwardDispatch: 'cali-from-hep-forward',
  toHepForwardDispatch: 'cali-to-hep-forward',
  cidrBlock: 'cali-cidr-block',
  failsafeIn: 'cali-failsafe-in',
  failsafeOut: 'cali-failsafe-out',
  // raw, mangle and nat tables (the hook chains share names across tables, as in Felix).
  prerouting: 'cali-PREROUTING',
  postrouting: 'cali-POSTROUTING',
  rpfSkip: 'cali-rpf-skip',
  natOutgoing: 'cali-nat-outgoing',
  fipDnat: 'cali-fip-dnat',
  fipSnat: 'cali-fip-snat',
} as const

/** Felix's well-known IPAM pool sets (rules.IPSetIDAllPools, IPSetIDNATOutgoingMasqPools), v4 names. */
export const IPSET_ALL_POOLS = `${IPSET_PREFIX_V4}all-ipam-pools`
export const IPSET_MASQ_POOLS = `${IPSET_PREFIX_V4}masq-ipam-pools`

/**
 * Mark bits allocated from IptablesMarkMask 0xffff0000 in Felix's order: accept, pass, drop,
 * scratch0, scratch1 (dataplane/driver.go; confirmed in felix/fv/cali-iptables-dump.txt).
 */
export const MARK = {
  accept: 0x10000,
  pass: 0x20000,
  drop: 0x40000,
  scratch0: 0x80000,
  scratch1: 0x100000,
} as const
/** Cleared at chain entry: accept|pass|scratch0|scratch1. */
export const MARK_ALL_CALICO = MARK.accept | MARK.pass | MARK.scratch0 | MARK.scratch1
