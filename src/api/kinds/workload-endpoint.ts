/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {ProtocolJSON} from '../numorstring.js'
import type {Resource} from '../resource.js'

/** internalapi.WorkloadEndpointSpec */
export type WorkloadEndpointSpec = {
  orchestrator?: string
  workload?: string
  node?: string
  containerID?: string
  pod?: string
  endpoint?: string
  serviceAccountName?: string
  ipNetworks?: string[]
  ipNATs?: IPNAT[]
  ipv4Gateway?: string
  ipv6Gateway?: string
  profiles?: string[]
  interfaceName?: string
  mac?: string
  ports?: WorkloadEndpointPort[]
  allowSpoofedSourcePrefixes?: string[]
  qosControls?: QoSControls
}

/** internalapi.IPNAT */
export type IPNAT = {
  internalIP?: string
  externalIP?: string
}

/** internalapi.WorkloadEndpointPort */
export type WorkloadEndpointPort = {
  name?: string
  protocol?: ProtocolJSON
  port?: number
  hostPort?: number
  hostIP?: string
}

/** internalapi.QoSControls */
export type QoSControls = {
  ingressBandwidth?: number
  ingressBurst?: number
  ingressPeakrate?: number
  ingressMinburst?: number
  egressBandwidth?: number
  egressBurst?: number
  egressPeakrate?: number
  egressMinburst?: number
  ingressPacketRate?: number
  ingressPacketBurst?: number
  egressPacketRate?: number
  egressPacketBurst?: number
  ingressMaxConnections?: number
  egressMaxConnections?: number
  dscp?: number | string
}

/** A WorkloadEndpoint resource (internalapi.WorkloadEndpoint). */
export interface WorkloadEndpoint extends Resource<WorkloadEndpointSpec> {
  kind: 'WorkloadEndpoint'
}
