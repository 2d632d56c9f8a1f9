/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.NetworkSetSpec */
export type NetworkSetSpec = {
  nets?: string[]
}

/** A NetworkSet resource (v3.NetworkSet). */
export interface NetworkSet extends Resource<NetworkSetSpec> {
  kind: 'NetworkSet'
}
