/**
 * Address arithmetic for IPAM: IPv4 and IPv6 addresses as bigints, networks as (version, base,
 * prefix). Parsing and printing go through src/api's Go-exact net helpers, so every address and
 * CIDR IPAM prints (and every key it writes) is spelled as Go's net.IP / net.IPNet.String() would.
 */
import {ipString, parseCIDR, parseIP, type GoIP} from '../api/index.js'

export type IPVersion = 4 | 6

/** An IP network in canonical (masked) form. */
export interface Net {
  readonly version: IPVersion
  /** The network address. */
  readonly base: bigint
  readonly prefix: number
}

/** An address with its family. */
export interface Addr {
  readonly version: IPVersion
  readonly value: bigint
}

export function addressBits(version: IPVersion): number {
  return version === 4 ? 32 : 128
}

function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

function goIP(addr: Addr): GoIP {
  const length = addr.version === 4 ? 4 : 16
  const bytes = new Uint8Array(length)
  let value = addr.value
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn)
    value >>= 8n
  }
  return {bytes}
}

/** Parses an address as Go's net.ParseIP does (IPv4-mapped IPv6 becomes IPv4); undefined if invalid. */
export function parseAddr(text: string): Addr | undefined {
  const ip = parseIP(text)
  if (!ip) return undefined
  return {version: ip.bytes.length === 4 ? 4 : 6, value: bytesToBigint(ip.bytes)}
}

/** Parses a CIDR into its masked network; undefined if it is not a CIDR. */
export function parseNet(text: string): Net | undefined {
  try {
    const {net} = parseCIDR(text)
    return {version: net.bits === 32 ? 4 : 6, base: bytesToBigint(net.ip.bytes), prefix: net.ones}
  } catch {
    return undefined
  }
}

/** net.IP.String(). IPv4 takes a fast path: `ipam check` prints ~10^5 of these. */
export function addrString(addr: Addr): string {
  if (addr.version === 4) {
    const v = Number(addr.value)
    return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
  }
  return ipString(goIP(addr))
}

/** net.IPNet.String(): "10.0.0.0/26". */
export function netString(net: Net): string {
  return `${addrString({version: net.version, value: net.base})}/${net.prefix}`
}

export function netContainsAddr(net: Net, addr: Addr): boolean {
  if (net.version !== addr.version) return false
  const shift = BigInt(addressBits(net.version) - net.prefix)
  return addr.value >> shift === net.base >> shift
}

/** Whether `inner` lies wholly inside `outer`. */
export function netContainsNet(outer: Net, inner: Net): boolean {
  return inner.prefix >= outer.prefix && netContainsAddr(outer, {version: inner.version, value: inner.base})
}

export function netsOverlap(a: Net, b: Net): boolean {
  return a.version === b.version && (netContainsNet(a, b) || netContainsNet(b, a))
}

/** The network of the given prefix length that contains the address (Calico's getBlockCIDRForAddress). */
export function enclosingNet(addr: Addr, prefix: number): Net {
  const shift = BigInt(addressBits(addr.version) - prefix)
  return {version: addr.version, base: (addr.value >> shift) << shift, prefix}
}

/** The address `ordinal` places into the network. */
export function nthAddr(net: Net, ordinal: number): Addr {
  return {version: net.version, value: net.base + BigInt(ordinal)}
}

/** How far into the network the address lies, or -1 when it is outside. */
export function ordinalOf(net: Net, addr: Addr): number {
  if (!netContainsAddr(net, addr)) return -1
  return Number(addr.value - net.base)
}

