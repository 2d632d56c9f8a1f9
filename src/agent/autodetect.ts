/**
 * IPv4 address autodetection, as calico-node's startup does it (node/pkg/lifecycle/startup/
 * autodetection): a method string picks one address/prefix from the host's interfaces. The
 * selection is a pure function over an interface list, so it is unit-tested without a host; only
 * interfaces() (os.networkInterfaces) and the can-reach probe touch the system.
 *
 * Methods: `first-found` (default), `interface=<regex>[,<regex>…]`, `skip-interface=<regex>[,…]`,
 * `cidr=<cidr>[,<cidr>…]`, `can-reach=<ip or host>`. Regexes are Go-style unanchored matches.
 * first-found, skip-interface and cidr skip calico-node's default excluded interfaces (docker,
 * podman, cali*, lo, tunnels, …); interface= uses only the user's list. Loopback and link-local
 * addresses are never chosen.
 */
import {createSocket} from 'node:dgram'
import {lookup} from 'node:dns/promises'
import {networkInterfaces} from 'node:os'

import ipaddr from 'ipaddr.js'

/** calico-node's DEFAULT_INTERFACES_TO_EXCLUDE (anchored, as there). */
export const DEFAULT_INTERFACES_TO_EXCLUDE: readonly string[] = [
  '^docker.*',
  '^cbr.*',
  '^dummy.*',
  '^virbr.*',
  '^lxcbr.*',
  '^veth.*',
  '^lo$',
  '^cali.*',
  '^tunl.*',
  '^flannel.*',
  '^kube-ipvs.*',
  '^cni.*',
  '^vxlan.calico.*',
  '^vxlan-v6.calico.*',
  '^wireguard.cali.*',
  '^wg-v6.cali.*',
  '^nodelocaldns.*',
  '^podman.*',
]

/** One IPv4 address of one interface: `cidr` is `address/prefix`. */
export interface InterfaceAddress {
  readonly name: string
  readonly address: string
  readonly cidr: string
}

export type AutodetectionMethod =
  | {readonly kind: 'first-found'}
  | {readonly kind: 'interface'; readonly patterns: readonly string[]}
  | {readonly kind: 'skip-interface'; readonly patterns: readonly string[]}
  | {readonly kind: 'cidr'; readonly cidrs: readonly string[]}
  | {readonly kind: 'can-reach'; readonly destination: string}

export class AutodetectionError extends Error {}

const splitList = (text: string) => text.split(/\s*,\s*/).filter((s) => s !== '')

/** Parses `--ip-autodetection-method`; throws AutodetectionError with calico-node's wording. */
export function parseAutodetectionMethod(method: string): AutodetectionMethod {
  const text = method.trim()
  if (text === '' || text === 'first-found') return {kind: 'first-found'}
  const eq = text.indexOf('=')
  const name = eq < 0 ? text : text.slice(0, eq)
  const arg = eq < 0 ? '' : text.slice(eq + 1)
  switch (name) {
    case 'interface':
    case 'skip-interface': {
      const patterns = splitList(arg)
      for (const p of patterns) {
        try {
          new RegExp(p)
        } catch {
          throw new AutodetectionError(`Invalid IP autodetection method: ${method}: bad interface regex ${p}`)
        }
      }
      if (patterns.length === 0) break
      return {kind: name, patterns}
    }
    case 'cidr': {
      const cidrs = splitList(arg)
      for (const c of cidrs) if (!isIPv4Cidr(c)) throw new AutodetectionError(`Invalid IP autodetection method: ${method}: invalid CIDR ${c}`)
      if (cidrs.length === 0) break
      return {kind: 'cidr', cidrs}
    }
    case 'can-reach':
      if (arg === '') break
      return {kind: 'can-reach', destination: arg}
    default:
  }
  throw new AutodetectionError(`Invalid IP autodetection method: ${method}`)
}

function isIPv4Cidr(text: string): boolean {
  try {
    const [addr] = ipaddr.parseCIDR(text)
    return addr.kind() === 'ipv4'
  } catch {
    return false
  }
}

const matchesAny = (name: string, patterns: readonly string[]) => patterns.some((p) => new RegExp(p).test(name))

/** Addresses that could be a node address at all: not loopback, not link-local. */
function usable(a: InterfaceAddress): boolean {
  const range = ipaddr.IPv4.parse(a.address).range()
  return range !== 'loopback' && range !== 'linkLocal' && range !== 'unspecified'
}

function inCidr(address: string, cidr: string): boolean {
  const [net, bits] = ipaddr.parseCIDR(cidr)
  return ipaddr.IPv4.parse(address).match(net as ipaddr.IPv4, bits)
}

/**
 * Picks the node's IPv4 `address/prefix` for a method from the host's addresses (in interface
 * order). `reachSource` is the local address the kernel would use towards the can-reach
 * destination (autodetectIPv4 works it out); it is only consulted for can-reach.
 */
export function selectIPv4(method: AutodetectionMethod, addresses: readonly InterfaceAddress[], reachSource?: string): string {
  const candidates = addresses.filter(usable)
  const notExcluded = (a: InterfaceAddress) => !matchesAny(a.name, DEFAULT_INTERFACES_TO_EXCLUDE)
  let found: InterfaceAddress | undefined
  switch (method.kind) {
    case 'first-found':
      found = candidates.find(notExcluded)
      break
    case 'interface':
      found = candidates.find((a) => matchesAny(a.name, method.patterns))
      break
    case 'skip-interface':
      found = candidates.find((a) => notExcluded(a) && !matchesAny(a.name, method.patterns))
      break
    case 'cidr':
      found = candidates.find((a) => notExcluded(a) && method.cidrs.some((c) => inCidr(a.address, c)))
      break
    case 'can-reach':
      found = reachSource === undefined ? undefined : addresses.find((a) => a.address === reachSource)
      if (!found) throw new AutodetectionError(`Unable to auto-detect an IPv4 address using interface regexes / can-reach ${method.destination}: no local interface has the source address ${reachSource ?? '(none)'}`)
      break
  }
  if (!found) throw new AutodetectionError(`Unable to auto-detect an IPv4 address: no valid IPv4 addresses found on the host interfaces (method ${describe(method)})`)
  return found.cidr
}

function describe(method: AutodetectionMethod): string {
  switch (method.kind) {
    case 'first-found':
      return 'first-found'
    case 'interface':
    case 'skip-interface':
      return `${method.kind}=${method.patterns.join(',')}`
    case 'cidr':
      return `cidr=${method.cidrs.join(',')}`
    case 'can-reach':
      return `can-reach=${method.destination}`
  }
}

/** The host's IPv4 addresses in interface order, from os.networkInterfaces(). */
export function hostIPv4Addresses(): InterfaceAddress[] {
  const out: InterfaceAddress[] = []
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && info.cidr) out.push({name, address: info.address, cidr: info.cidr})
    }
  }
  return out
}

/**
 * The source address the kernel picks towards `destination`: a connected UDP socket (no packet
 * is sent), as calico-node's can-reach does.
 */
export async function reachSourceAddress(destination: string): Promise<string> {
  const ip = ipaddr.isValid(destination) ? destination : (await lookup(destination, {family: 4})).address
  const socket = createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(80, ip, () => resolve())
    })
    return socket.address().address
  } finally {
    socket.close()
  }
}

/** Runs a method against this host. */
export async function autodetectIPv4(methodText: string, addresses: readonly InterfaceAddress[] = hostIPv4Addresses()): Promise<string> {
  const method = parseAutodetectionMethod(methodText)
  let source: string | undefined
  if (method.kind === 'can-reach') {
    try {
      source = await reachSourceAddress(method.destination)
    } catch (error) {
      throw new AutodetectionError(`Unable to auto-detect an IPv4 address using can-reach=${method.destination}: ${(error as Error).message}`)
    }
  }
  return selectIPv4(method, addresses, source)
}
