/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {BGPPassword} from './meta.js'
import type {Resource} from '../resource.js'

/** v3.BGPPeerSpec */
export type BGPPeerSpec = {
  node?: string
  nodeSelector?: string
  peerIP?: string
  asNumber?: number
  localASNumber?: number
  peerSelector?: string
  keepOriginalNextHop?: boolean
  nextHopMode?: string
  password?: BGPPassword
  sourceAddress?: string
  maxRestartTime?: string
  keepaliveTime?: string
  numAllowedLocalASNumbers?: number
  ttlSecurity?: number
  reachableBy?: string
  filters?: string[]
  localWorkloadSelector?: string
  reversePeering?: string
}

/** A BGPPeer resource (v3.BGPPeer). */
export interface BGPPeer extends Resource<BGPPeerSpec> {
  kind: 'BGPPeer'
}
