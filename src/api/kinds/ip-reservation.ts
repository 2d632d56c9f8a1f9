/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.IPReservationSpec */
export type IPReservationSpec = {
  reservedCIDRs?: string[]
}

/** An IPReservation resource (v3.IPReservation). */
export interface IPReservation extends Resource<IPReservationSpec> {
  kind: 'IPReservation'
}
