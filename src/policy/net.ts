/** Addresses and networks as the evaluator needs them: parsed once, compared by IP version. */
import {ipString, ipVersion, netContains, parseCIDROrIP, parseIP, type GoIP, type GoIPNet} from '../api/index.js'

export type {GoIP, GoIPNet}

/** A parsed address with its canonical text and version. */
export interface Addr {
  readonly ip: GoIP
  readonly text: string
  readonly version: 4 | 6
}

/** Parses an IP (IPv4-mapped IPv6 narrowed to IPv4, as Go does); undefined if it is not one. */
export function parseAddr(text: string): Addr | undefined {
  const ip = parseIP(text)
  if (!ip) return undefined
  const version = ipVersion(ip)
  if (version === 0) return undefined
  return {ip, text: ipString(ip), version}
}

/** The address part of an IP or CIDR (a WorkloadEndpoint's ipNetworks entry); undefined if bad. */
export function addrOfNet(text: string): Addr | undefined {
  try {
    const {ip} = parseCIDROrIP(text)
    const version = ipVersion(ip)
    if (version === 0) return undefined
    return {ip, text: ipString(ip), version}
  } catch {
    return undefined
  }
}

/** A CIDR (or bare IP) as a network; undefined if it does not parse. */
export function parseNet(text: string): GoIPNet | undefined {
  try {
    const {net} = parseCIDROrIP(text)
    return net.ip.bytes.length === 0 ? undefined : net
  } catch {
    return undefined
  }
}

export function netVersionOf(net: GoIPNet): 4 | 6 {
  return net.bits === 32 ? 4 : 6
}

export function inNet(net: GoIPNet, addr: Addr): boolean {
  return netContains(net, addr.ip)
}
