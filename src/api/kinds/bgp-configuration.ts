/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {BGPPassword} from './meta.js'
import type {Resource} from '../resource.js'

/** v3.BGPConfigurationSpec */
export type BGPConfigurationSpec = {
  logSeverityScreen?: string
  nodeToNodeMeshEnabled?: boolean
  asNumber?: number
  serviceLoadBalancerIPs?: ServiceLoadBalancerIPBlock[]
  serviceExternalIPs?: ServiceExternalIPBlock[]
  serviceClusterIPs?: ServiceClusterIPBlock[]
  serviceLoadBalancerAggregation?: string
  communities?: Community[]
  prefixAdvertisements?: PrefixAdvertisement[]
  listenPort?: number
  nodeMeshPassword?: BGPPassword
  nodeMeshMaxRestartTime?: string
  bindMode?: string
  ignoredInterfaces?: string[]
  localWorkloadPeeringIPV4?: string
  localWorkloadPeeringIPV6?: string
  programClusterRoutes?: string
  ipv4NormalRoutePriority?: number
  ipv6NormalRoutePriority?: number
}

/** v3.ServiceLoadBalancerIPBlock */
export type ServiceLoadBalancerIPBlock = {
  cidr?: string
}

/** v3.ServiceExternalIPBlock */
export type ServiceExternalIPBlock = {
  cidr?: string
}

/** v3.ServiceClusterIPBlock */
export type ServiceClusterIPBlock = {
  cidr?: string
}

/** v3.Community */
export type Community = {
  name?: string
  value?: string
}

/** v3.PrefixAdvertisement */
export type PrefixAdvertisement = {
  cidr?: string
  communities?: string[]
}

/** A BGPConfiguration resource (v3.BGPConfiguration). */
export interface BGPConfiguration extends Resource<BGPConfigurationSpec> {
  kind: 'BGPConfiguration'
}
