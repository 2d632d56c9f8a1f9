/**
 * Failsafe ports (config/config_params.go defaults; rules/static.go cali-failsafe-in/-out): host
 * endpoint chains jump to them before any policy, so these flows are allowed whatever policy
 * says. Inbound entries match protocol + destination port (+ source net); outbound entries match
 * protocol + destination port (+ destination net).
 */
import {inNet, parseNet, type Addr} from './net.js'
import {protocolToNumber} from './protocols.js'
import type {FailsafePort} from './types.js'

const ports = (...entries: string[]): FailsafePort[] =>
  entries.map((e) => {
    const [protocol, port] = e.split(':')
    return {protocol, port: Number(port)}
  })

export const DEFAULT_FAILSAFE_INBOUND: readonly FailsafePort[] = ports(
  'tcp:22',
  'udp:68',
  'tcp:179',
  'tcp:2379',
  'tcp:2380',
  'tcp:5473',
  'tcp:6443',
  'tcp:6666',
  'tcp:6667',
)

export const DEFAULT_FAILSAFE_OUTBOUND: readonly FailsafePort[] = ports(
  'udp:53',
  'udp:67',
  'tcp:179',
  'tcp:2379',
  'tcp:2380',
  'tcp:5473',
  'tcp:6443',
  'tcp:6666',
  'tcp:6667',
)

/** `tcp:22` or `tcp:10.0.0.0/8:22`: how a failsafe entry is named in a trace. */
export function failsafeText(entry: FailsafePort): string {
  return entry.net ? `${entry.protocol.toLowerCase()}:${entry.net}:${entry.port}` : `${entry.protocol.toLowerCase()}:${entry.port}`
}

/** The first entry allowing a packet with this protocol and destination port to/from `peer`. */
export function matchFailsafe(
  entries: readonly FailsafePort[],
  protocol: number,
  dstPort: number | undefined,
  peer: Addr,
): FailsafePort | undefined {
  if (dstPort === undefined) return undefined
  for (const entry of entries) {
    if (protocolToNumber(entry.protocol) !== protocol || entry.port !== dstPort) continue
    if (entry.net) {
      const net = parseNet(entry.net)
      // An entry of the other IP version is not rendered into this table at all.
      if (!net || !inNet(net, peer)) continue
    }
    return entry
  }
  return undefined
}
