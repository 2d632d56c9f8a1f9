/**
 * Calico's numorstring types (api/pkg/lib/numorstring): ports, protocols, AS numbers and DSCP.
 * Values are kept in their JSON form (what Go's MarshalJSON writes); these helpers parse that
 * form back into the Go struct fields validation reasons about, and hold Go's parse messages.
 */

/** numorstring.Port as Go holds it. A named port has min = max = 0. */
export interface PortValue {
  minPort: number
  maxPort: number
  portName: string
}

/** A port in its JSON form: a single number, "min:max", or a name. */
export type PortJSON = number | string

/** A protocol in its JSON form: a number (0–255) or a name such as "TCP". */
export type ProtocolJSON = number | string

const PORT_NAME = /^[a-zA-Z0-9_.-]{1,128}$/

/** Go's error text from numorstring.PortFromString, raised by Port.UnmarshalJSON. */
export class PortParseError extends Error {}

/** numorstring.PortFromString: "1234", "100:200" or a name. */
export function portFromString(s: string): PortValue {
  if (/^\d+$/.test(s)) {
    const n = Number(s)
    if (n > 65535) throw new PortParseError(`invalid port format (${s})`)
    return {minPort: n, maxPort: n, portName: ''}
  }
  const range = /^(\d+):(\d+)$/.exec(s)
  if (range) {
    const min = Number(range[1])
    if (min > 65535) throw new PortParseError(`invalid minimum port number in range (${s})`)
    const max = Number(range[2])
    if (max > 65535) throw new PortParseError(`invalid maximum port number in range (${s})`)
    if (min > max) {
      throw new PortParseError(
        `minimum port number (${min}) is greater than maximum port number (${max}) in port range`,
      )
    }
    return {minPort: min, maxPort: max, portName: ''}
  }
  if (!PORT_NAME.test(s)) throw new PortParseError(`invalid name for named port (${s})`)
  return {minPort: 0, maxPort: 0, portName: s}
}

/** Port.MarshalJSON: name, single number, or "min:max". */
export function portToJSON(p: PortValue): PortJSON {
  if (p.portName !== '') return p.portName
  if (p.minPort === p.maxPort) return p.minPort
  return `${p.minPort}:${p.maxPort}`
}

/** Reads a port's JSON form back into its fields (the JSON form is always well-formed). */
export function portFromJSON(p: PortJSON): PortValue {
  if (typeof p === 'number') return {minPort: p, maxPort: p, portName: ''}
  return portFromString(p)
}

/** Whether every port is named (numorstring.AllPortsAreNamed). */
export function allPortsAreNamed(ports: readonly PortJSON[] | undefined): boolean {
  return (ports ?? []).every((p) => portFromJSON(p).portName !== '')
}

/** The protocol names Calico accepts in v3 (exact case). */
export const PROTOCOL_NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'] as const

/**
 * Uint8OrString.NumValue(): the number for a numeric protocol, or undefined for a name. A
 * numeric string never survives decoding (it becomes a number), so only numbers count here.
 */
export function protocolNumber(p: ProtocolJSON): number | undefined {
  if (typeof p === 'number') return p
  return /^\d+$/.test(p) && Number(p) <= 255 ? Number(p) : undefined
}

/**
 * Protocol.SupportsPorts(): TCP (6), UDP (17), SCTP (132), by number or by name; the lower-case
 * v1 names tcp/udp/sctp count too.
 */
export function protocolSupportsPorts(p: ProtocolJSON): boolean {
  const n = protocolNumber(p)
  if (n !== undefined) return n === 6 || n === 17 || n === 132
  return ['TCP', 'UDP', 'SCTP', 'tcp', 'udp', 'sctp'].includes(p as string)
}

/** numorstring.ProtocolFromString's comparison: equal names ignoring case, numbers equal. */
export function protocolEquals(p: ProtocolJSON | undefined, name: (typeof PROTOCOL_NAMES)[number]): boolean {
  // Go compares the whole Protocol struct against ProtocolFromString(name), i.e. a string-typed
  // value with the canonical name: a numeric protocol never equals a name.
  return typeof p === 'string' && p === name
}

/** numorstring.ASNumberFromString: a 32-bit number or "A.B" asdot notation (A, B ≤ 65535). */
export function parseASNumber(s: string): number {
  if (/^\d+$/.test(s) && Number(s) <= 0xffffffff) return Number(s)
  const fail = (): Error => new Error(`invalid AS Number format (${s})`)
  const parts = s.split('.')
  if (parts.length !== 2) throw fail()
  const [hi, lo] = parts.map((part) => (/^\d+$/.test(part) && Number(part) <= 0xffff ? Number(part) : NaN))
  if (Number.isNaN(hi) || Number.isNaN(lo)) throw fail()
  return hi * 65536 + lo
}

/** numorstring.AllDSCPValues. */
export const DSCP_VALUES: Readonly<Record<string, number>> = {
  DF: 0,
  EF: 46,
  AF11: 10,
  AF12: 12,
  AF13: 14,
  AF21: 18,
  AF22: 20,
  AF23: 22,
  AF31: 26,
  AF32: 28,
  AF33: 30,
  AF41: 34,
  AF42: 36,
  AF43: 38,
  CS0: 0,
  CS1: 8,
  CS2: 16,
  CS3: 24,
  CS4: 32,
  CS5: 40,
  CS6: 48,
}

/** DSCP.Validate(): undefined when valid, else Go's message. */
export function dscpError(d: number | string): string | undefined {
  const n = protocolNumber(d)
  if (n !== undefined) return n > 63 ? 'DSCP must be between 0 and 63' : undefined
  const key = String(d).trim().toUpperCase()
  return Object.prototype.hasOwnProperty.call(DSCP_VALUES, key) ? undefined : `${d} is not a valid DSCP value`
}
