/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.GlobalNetworkSetSpec */
export type GlobalNetworkSetSpec = {
  nets?: string[]
}

/** A GlobalNetworkSet resource (v3.GlobalNetworkSet). */
export interface GlobalNetworkSet extends Resource<GlobalNetworkSetSpec> {
  kind: 'GlobalNetworkSet'
}
