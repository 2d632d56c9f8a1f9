/**
 * Host endpoints → interfaces (Felix endpoint_mgr.go resolveHostEndpoints, simplified):
 * - a host endpoint with an interfaceName ('*' included) applies to that interface;
 * - one without (matched by expectedIPs) applies to every interface carrying one of its expected
 *   IPv4 addresses, read from `ip -j addr show` through the exec shim;
 * - an interface claimed by a named host endpoint is not given to an IP-matched one; among several
 *   IP-matched endpoints for one interface the lowest id wins (Felix picks one deterministically too).
 * Addresses are re-read on the dataplane's first apply, on every resync, and whenever the host
 * endpoints change while one of them is matched by IPs.
 */
import type {HostEndpoint} from '../calc/messages.js'
import type {CmdRunner} from './exec.js'

/** Interface name → its IPv4 addresses. */
export type InterfaceAddresses = ReadonlyMap<string, readonly string[]>

interface IpAddrJson {
  readonly ifname?: string
  readonly addr_info?: readonly {readonly family?: string; readonly local?: string}[]
}

export function parseIpAddr(json: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let parsed: unknown
  try {
    parsed = JSON.parse(json === '' ? '[]' : json)
  } catch {
    throw new Error('ip -j addr show: output is not JSON')
  }
  if (!Array.isArray(parsed)) return out
  for (const link of parsed as IpAddrJson[]) {
    if (typeof link.ifname !== 'string') continue
    const v4 = (link.addr_info ?? []).filter((a) => a.family === 'inet' && typeof a.local === 'string').map((a) => a.local as string)
    out.set(link.ifname, v4)
  }
  return out
}

export async function readInterfaceAddresses(run: CmdRunner): Promise<Map<string, string[]>> {
  const {stdout} = await run({argv: ['ip', '-j', 'addr', 'show'], timeoutMs: 10_000})
  return parseIpAddr(stdout.trim())
}

/** Does any host endpoint need interface addresses to be resolved? */
export const needsAddresses = (heps: Iterable<HostEndpoint>): boolean => [...heps].some((h) => h.name === '' && h.expectedIpv4Addrs.length > 0)

const stripPrefix = (ip: string): string => ip.replace(/\/\d+$/, '')

/**
 * The host endpoints as the renderer takes them: one per interface it applies to, `name` set to
 * the interface. IP-matched endpoints that match no interface are dropped (nothing to police).
 */
export function resolveHostEndpoints(heps: ReadonlyMap<string, HostEndpoint>, addresses: InterfaceAddresses): HostEndpoint[] {
  const out: HostEndpoint[] = []
  const claimed = new Set<string>()
  for (const ep of heps.values()) {
    if (ep.name === '') continue
    out.push(ep)
    claimed.add(ep.name)
  }
  const byIp = [...heps].filter(([, ep]) => ep.name === '' && ep.expectedIpv4Addrs.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [iface, ips] of [...addresses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (claimed.has(iface)) continue
    const have = new Set(ips)
    const match = byIp.find(([, ep]) => ep.expectedIpv4Addrs.some((ip) => have.has(stripPrefix(ip))))
    if (match === undefined) continue
    out.push({...match[1], name: iface})
    claimed.add(iface)
  }
  return out
}
