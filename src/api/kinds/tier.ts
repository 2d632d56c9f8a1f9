/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Condition} from './meta.js'
import type {Resource} from '../resource.js'

/** v3.TierSpec */
export type TierSpec = {
  order?: number
  defaultAction?: string
}

/** v3.TierStatus */
export type TierStatus = {
  conditions?: Condition[]
}

/** A Tier resource (v3.Tier). */
export interface Tier extends Resource<TierSpec> {
  kind: 'Tier'
  status?: TierStatus
}
