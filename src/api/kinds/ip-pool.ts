/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Condition} from './meta.js'
import type {Resource} from '../resource.js'

/** v3.IPPoolSpec */
export type IPPoolSpec = {
  cidr?: string
  vxlanMode?: string
  ipipMode?: string
  natOutgoing?: boolean
  disabled?: boolean
  disableBGPExport?: boolean
  blockSize?: number
  nodeSelector?: string
  namespaceSelector?: string
  allowedUses?: string[]
  assignmentMode?: string
}

/** v3.IPPoolStatus */
export type IPPoolStatus = {
  conditions?: Condition[]
}

/** An IPPool resource (v3.IPPool). */
export interface IPPool extends Resource<IPPoolSpec> {
  kind: 'IPPool'
  status?: IPPoolStatus
}
