/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** internalapi.NodeSpec */
export type NodeSpec = {
  bgp?: NodeBGPSpec
  ipv4VXLANTunnelAddr?: string
  vxlanTunnelMACAddr?: string
  ipv6VXLANTunnelAddr?: string
  vxlanTunnelMACAddrV6?: string
  orchRefs?: OrchRef[]
  wireguard?: NodeWireguardSpec
  addresses?: NodeAddress[]
  interfaces?: NodeInterface[]
}

/** internalapi.NodeBGPSpec */
export type NodeBGPSpec = {
  asNumber?: number
  ipv4Address?: string
  ipv6Address?: string
  ipv4IPIPTunnelAddr?: string
  routeReflectorClusterID?: string
}

/** internalapi.OrchRef */
export type OrchRef = {
  nodeName?: string
  orchestrator?: string
}

/** internalapi.NodeWireguardSpec */
export type NodeWireguardSpec = {
  interfaceIPv4Address?: string
  interfaceIPv6Address?: string
}

/** internalapi.NodeAddress */
export type NodeAddress = {
  address?: string
  type?: string
}

/** internalapi.NodeInterface */
export type NodeInterface = {
  name?: string
  addresses?: string[]
}

/** internalapi.NodeStatus */
export type NodeStatus = {
  wireguardPublicKey?: string
  wireguardPublicKeyV6?: string
  podCIDRs?: string[]
}

/** A Node resource (internalapi.Node). */
export interface Node extends Resource<NodeSpec> {
  kind: 'Node'
  status?: NodeStatus
}
