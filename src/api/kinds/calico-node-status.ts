/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.CalicoNodeStatusSpec */
export type CalicoNodeStatusSpec = {
  node?: string
  classes?: string[]
  updatePeriodSeconds?: number
}

/** v3.CalicoNodeStatusStatus */
export type CalicoNodeStatusStatus = {
  lastUpdated?: string | null
  agent?: CalicoNodeAgentStatus
  bgp?: CalicoNodeBGPStatus
  routes?: CalicoNodeBGPRouteStatus
}

/** v3.CalicoNodeAgentStatus */
export type CalicoNodeAgentStatus = {
  birdV4?: BGPDaemonStatus
  birdV6?: BGPDaemonStatus
}

/** v3.BGPDaemonStatus */
export type BGPDaemonStatus = {
  state?: string
  version?: string
  routerID?: string
  lastBootTime?: string
  lastReconfigurationTime?: string
}

/** v3.CalicoNodeBGPStatus */
export type CalicoNodeBGPStatus = {
  numberEstablishedV4?: number
  numberNotEstablishedV4?: number
  numberEstablishedV6?: number
  numberNotEstablishedV6?: number
  peersV4?: CalicoNodePeer[]
  peersV6?: CalicoNodePeer[]
}

/** v3.CalicoNodePeer */
export type CalicoNodePeer = {
  peerIP?: string
  type?: string
  state?: string
  since?: string
}

/** v3.CalicoNodeBGPRouteStatus */
export type CalicoNodeBGPRouteStatus = {
  routesV4?: CalicoNodeRoute[]
  routesV6?: CalicoNodeRoute[]
}

/** v3.CalicoNodeRoute */
export type CalicoNodeRoute = {
  type?: string
  destination?: string
  gateway?: string
  interface?: string
  learnedFrom?: CalicoNodeRouteLearnedFrom
}

/** v3.CalicoNodeRouteLearnedFrom */
export type CalicoNodeRouteLearnedFrom = {
  sourceType?: string
  peerIP?: string
}

/** A CalicoNodeStatus resource (v3.CalicoNodeStatus). */
export interface CalicoNodeStatus extends Resource<CalicoNodeStatusSpec> {
  kind: 'CalicoNodeStatus'
  status?: CalicoNodeStatusStatus
}
