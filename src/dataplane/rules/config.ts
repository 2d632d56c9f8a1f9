/**
 * The FelixConfiguration values the iptables renderer and drivers read, parsed from ConfigUpdate's
 * string map (Felix's names; values stringified as the calc graph's config resolver does).
 * Unknown or malformed values fall back to Felix's defaults, except the iptables backend: an
 * unknown backend is an error the agent must report (issue "Bad input").
 */

export type EndpointToHostAction = 'DROP' | 'REJECT' | 'ACCEPT' | 'RETURN'
export type IptablesBackend = 'auto' | 'nft' | 'legacy'

export interface ProtoPort {
  readonly protocol: 'tcp' | 'udp' | 'sctp'
  readonly port: number
  /** Optional CIDR the failsafe is restricted to (`proto:cidr:port`). */
  readonly net?: string
}

export interface RenderConfig {
  readonly endpointToHostAction: EndpointToHostAction
  readonly failsafeInbound: readonly ProtoPort[]
  readonly failsafeOutbound: readonly ProtoPort[]
  /** IptablesFilterDenyAction: DROP (default) or REJECT. */
  readonly denyAction: 'DROP' | 'REJECT'
  /** LogPrefix for Log rules (Felix default `calico-packet`). */
  readonly logPrefix: string
}

export interface DriverConfig {
  readonly backend: IptablesBackend
  /** IptablesRefreshInterval in ms; 0 disables the periodic resync. */
  readonly refreshIntervalMs: number
}

const parsePorts = (text: string): ProtoPort[] =>
  text.trim().toLowerCase() === 'none'
    ? []
    : text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .flatMap((entry): ProtoPort[] => {
          const parts = entry.split(':')
          const protocol = parts[0].toLowerCase()
          const port = Number(parts[parts.length - 1])
          if ((protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') || !Number.isInteger(port)) return []
          const net = parts.length === 3 ? parts[1] : undefined
          return [net === undefined ? {protocol, port} : {protocol, port, net}]
        })

/** Felix's defaults (config/config_params.go). */
export const DEFAULT_FAILSAFE_IN = parsePorts('tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667')
export const DEFAULT_FAILSAFE_OUT = parsePorts('udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667')

export function renderConfig(config: Readonly<Record<string, string>>): RenderConfig {
  const toHost = (config.DefaultEndpointToHostAction ?? 'DROP').toUpperCase()
  const deny = (config.IptablesFilterDenyAction ?? 'DROP').toUpperCase()
  return {
    endpointToHostAction: toHost === 'ACCEPT' || toHost === 'RETURN' || toHost === 'REJECT' ? toHost : 'DROP',
    failsafeInbound: config.FailsafeInboundHostPorts === undefined ? DEFAULT_FAILSAFE_IN : parsePorts(config.FailsafeInboundHostPorts),
    failsafeOutbound:
      config.FailsafeOutboundHostPorts === undefined ? DEFAULT_FAILSAFE_OUT : parsePorts(config.FailsafeOutboundHostPorts),
    denyAction: deny === 'REJECT' ? 'REJECT' : 'DROP',
    logPrefix: config.LogPrefix ?? 'calico-packet',
  }
}

/** Throws on an unknown IptablesBackend (one clear line for the agent to report). */
export function driverConfig(config: Readonly<Record<string, string>>): DriverConfig {
  const backend = (config.IptablesBackend ?? 'auto').toLowerCase()
  if (backend !== 'auto' && backend !== 'nft' && backend !== 'legacy') {
    throw new Error(`unknown iptablesBackend "${config.IptablesBackend}" (expected Auto, NFT or Legacy)`)
  }
  const seconds = Number(config.IptablesRefreshInterval ?? '180')
  return {backend, refreshIntervalMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 180_000}
}
