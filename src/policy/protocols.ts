/**
 * Protocols as numbers. Felix renders a rule's protocol as `-p <name>` or `-p <number>` (the v1
 * model lower-cases Calico's names), so a rule matches when the packet's IP protocol number is
 * the one the name stands for; `ICMP` is 1 and never matches an ICMPv6 (58) packet.
 */
import type {ProtocolJSON} from '../api/index.js'

const BY_NAME: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
}

const NAMES: Readonly<Record<number, string>> = {
  6: 'TCP',
  17: 'UDP',
  1: 'ICMP',
  58: 'ICMPv6',
  132: 'SCTP',
  136: 'UDPLite',
}

export const PROTO_TCP = 6
export const PROTO_UDP = 17
export const PROTO_SCTP = 132
export const PROTO_IPIP = 4

/** The protocol number of a name (any case) or number 0–255; undefined when neither. */
export function protocolToNumber(p: ProtocolJSON): number | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 0 && p <= 255 ? p : undefined
  if (/^\d+$/.test(p)) return Number(p) <= 255 ? Number(p) : undefined
  return BY_NAME[p.toLowerCase()]
}

/** Calico's name for a protocol number, or the number itself. */
export function protocolName(n: number): string {
  return NAMES[n] ?? String(n)
}

/** Whether packets of this protocol carry ports Calico rules can match. */
export function hasPorts(n: number): boolean {
  return n === PROTO_TCP || n === PROTO_UDP || n === PROTO_SCTP
}

/** The ICMP protocol of an IP version. */
export function icmpProtocol(ipVersion: 4 | 6): number {
  return ipVersion === 4 ? 1 : 58
}

/**
 * The protocol of the IP set members a named-port rule builds (ipsetmember.ProtocolFrom):
 * UDP and SCTP by name or number, anything else TCP. Undefined stands for "any" (a rule without
 * a protocol).
 */
export function namedPortProtocol(p: ProtocolJSON | undefined): number | undefined {
  if (p === undefined) return undefined
  const n = protocolToNumber(p)
  return n === PROTO_UDP || n === PROTO_SCTP ? n : PROTO_TCP
}
