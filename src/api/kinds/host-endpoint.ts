/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {ProtocolJSON} from '../numorstring.js'
import type {Resource} from '../resource.js'

/** v3.HostEndpointSpec */
export type HostEndpointSpec = {
  node?: string
  interfaceName?: string
  expectedIPs?: string[]
  profiles?: string[]
  ports?: EndpointPort[]
}

/** v3.EndpointPort */
export type EndpointPort = {
  name?: string
  protocol?: ProtocolJSON
  port?: number
}

/** A HostEndpoint resource (v3.HostEndpoint). */
export interface HostEndpoint extends Resource<HostEndpointSpec> {
  kind: 'HostEndpoint'
}
