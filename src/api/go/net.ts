/**
 * IP and CIDR parsing with the exact acceptance rules of Go's net.ParseIP / net.ParseCIDR and the
 * behaviour of libcalico-go's cnet wrappers (IPv4 kept as 4 bytes, ParseCIDROrIP accepting a bare
 * IP, and even the empty string, which parses to a nil IP). Validation messages compare these
 * strings, so canonical printing follows Go too.
 */

/** An IP as Go holds it: 4 bytes (IPv4), 16 bytes (IPv6) or none (the nil IP from ""). */
export interface GoIP {
  readonly bytes: Uint8Array
}

/** A network: its (masked) address and prefix length; `bits` is 32 or 128. */
export interface GoIPNet {
  readonly ip: GoIP
  readonly ones: number
  readonly bits: number
}

const NIL_IP: GoIP = {bytes: new Uint8Array(0)}

function parseIPv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]
    if (!/^[0-9]{1,3}$/.test(part)) return undefined
    if (part.length > 1 && part[0] === '0') return undefined
    const n = Number(part)
    if (n > 255) return undefined
    out[i] = n
  }
  return out
}

function parseIPv6Bytes(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16)
  let rest = text
  let ellipsis = -1
  let i = 0
  if (rest.startsWith('::')) {
    ellipsis = 0
    rest = rest.slice(2)
    if (rest === '') return out
  }
  while (i < 16) {
    const hex = /^[0-9a-fA-F]{1,4}/.exec(rest)?.[0]
    if (!hex) return undefined
    if (/^[0-9a-fA-F]{5}/.test(rest)) return undefined
    if (rest[hex.length] === '.') {
      // An embedded IPv4 address ends the text and fills the last four bytes.
      if (ellipsis < 0 && i !== 12) return undefined
      if (i + 4 > 16) return undefined
      const v4 = parseIPv4Bytes(rest)
      if (!v4) return undefined
      out.set(v4, i)
      i += 4
      rest = ''
      break
    }
    const n = parseInt(hex, 16)
    out[i] = n >> 8
    out[i + 1] = n & 0xff
    i += 2
    rest = rest.slice(hex.length)
    if (rest === '') break
    if (rest[0] !== ':' || rest.length === 1) return undefined
    rest = rest.slice(1)
    if (rest[0] === ':') {
      if (ellipsis >= 0) return undefined
      ellipsis = i
      rest = rest.slice(1)
      if (rest === '') break
    }
  }
  if (rest !== '') return undefined
  if (i < 16) {
    if (ellipsis < 0) return undefined
    const shift = 16 - i
    for (let j = i - 1; j >= ellipsis; j--) out[j + shift] = out[j]
    for (let j = ellipsis + shift - 1; j >= ellipsis; j--) out[j] = 0
  } else if (ellipsis >= 0) {
    return undefined
  }
  return out
}

function isV4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

/** net.ParseIP followed by cnet's To4 narrowing; undefined when Go would return nil. */
export function parseIP(text: string): GoIP | undefined {
  if (text.includes('%')) return undefined
  const v4 = parseIPv4Bytes(text)
  if (v4) return {bytes: v4}
  if (!text.includes(':')) return undefined
  const v6 = parseIPv6Bytes(text)
  if (!v6) return undefined
  return {bytes: isV4Mapped(v6) ? v6.slice(12) : v6}
}

/** cnet IP.Version(): 4, 6, or 0 for the nil IP. */
export function ipVersion(ip: GoIP): 0 | 4 | 6 {
  if (ip.bytes.length === 4) return 4
  if (ip.bytes.length === 16) return 6
  return 0
}

/** net.IP.String(): dotted quad, RFC 5952 IPv6, or "<nil>". */
export function ipString(ip: GoIP): string {
  const b = ip.bytes
  if (b.length === 0) return '<nil>'
  if (b.length === 4) return Array.from(b).join('.')
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1])
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (g: number): string => g.toString(16)
  if (bestStart < 0) return groups.map(hex).join(':')
  const head = groups.slice(0, bestStart).map(hex).join(':')
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':')
  return `${head}::${tail}`
}

function maskBytes(ones: number, bits: number): Uint8Array {
  const out = new Uint8Array(bits / 8)
  for (let i = 0; i < out.length; i++) {
    const take = Math.max(0, Math.min(8, ones - i * 8))
    out[i] = take === 0 ? 0 : (0xff << (8 - take)) & 0xff
  }
  return out
}

function applyMask(ip: GoIP, ones: number): GoIP {
  const mask = maskBytes(ones, ip.bytes.length * 8)
  return {bytes: ip.bytes.map((byte, i) => byte & mask[i])}
}

export class CIDRParseError extends Error {}

/** net.ParseCIDR via cnet.ParseCIDR: the address as written plus its masked network. */
export function parseCIDR(text: string): {ip: GoIP; net: GoIPNet} {
  const slash = text.indexOf('/')
  const fail = (): CIDRParseError => new CIDRParseError(`invalid CIDR address: ${text}`)
  if (slash < 0) throw fail()
  const addrText = text.slice(0, slash)
  const maskText = text.slice(slash + 1)
  if (addrText.includes('%')) throw fail()
  let bytes = parseIPv4Bytes(addrText)
  if (!bytes && addrText.includes(':')) bytes = parseIPv6Bytes(addrText)
  if (!bytes) throw fail()
  const bits = bytes.length * 8
  if (!/^[0-9]+$/.test(maskText) || Number(maskText) > bits) throw fail()
  const ones = Number(maskText)
  const ip: GoIP = {bytes}
  return {ip, net: {ip: applyMask(ip, ones), ones, bits}}
}

/** cnet.ParseCIDROrIP: a CIDR, or a bare IP taken as a full-length network. "" gives the nil IP. */
export function parseCIDROrIP(text: string): {ip: GoIP; net: GoIPNet} {
  try {
    return parseCIDR(text)
  } catch (err) {
    if (text === '') return {ip: NIL_IP, net: {ip: NIL_IP, ones: 128, bits: 128}}
    const ip = parseIP(text)
    if (!ip) throw err
    const bits = ip.bytes.length * 8
    return {ip, net: {ip, ones: bits, bits}}
  }
}

/** IPNet.String(): "<ip>/<ones>", or "<nil>" for the nil network ParseCIDROrIP("") gives. */
export function netString(net: GoIPNet): string {
  if (net.ip.bytes.length === 0) return '<nil>'
  return `${ipString(net.ip)}/${net.ones}`
}

/** cnet IPNet.Version(). */
export function netVersion(net: GoIPNet): 0 | 4 | 6 {
  return ipVersion(net.ip)
}

/** net.IPNet.Contains. */
export function netContains(net: GoIPNet, ip: GoIP): boolean {
  if (net.ip.bytes.length === 0 || net.ip.bytes.length !== ip.bytes.length) return false
  const mask = maskBytes(net.ones, net.bits)
  for (let i = 0; i < mask.length; i++) {
    if ((net.ip.bytes[i] & mask[i]) !== (ip.bytes[i] & mask[i])) return false
  }
  return true
}

/** cnet IPNet.IsNetOverlap. */
export function netsOverlap(a: GoIPNet, b: GoIPNet): boolean {
  return netContains(b, a.ip) || netContains(a, b.ip)
}

/** Parses a literal CIDR known to be valid (constants). */
export function mustParseNet(text: string): GoIPNet {
  return parseCIDR(text).net
}

/** Whether two IPs are byte-for-byte equal (net.IP.Equal for same-length IPs). */
export function ipEqual(a: GoIP, b: GoIP): boolean {
  return a.bytes.length === b.bytes.length && a.bytes.every((byte, i) => byte === b.bytes[i])
}
