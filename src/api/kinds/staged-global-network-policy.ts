/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'
import type {Rule} from './rule.js'

/** v3.StagedGlobalNetworkPolicySpec */
export type StagedGlobalNetworkPolicySpec = {
  stagedAction?: string
  tier?: string
  order?: number
  ingress?: Rule[]
  egress?: Rule[]
  selector?: string
  types?: string[]
  doNotTrack?: boolean
  preDNAT?: boolean
  applyOnForward?: boolean
  serviceAccountSelector?: string
  namespaceSelector?: string
  performanceHints?: string[]
}

/** A StagedGlobalNetworkPolicy resource (v3.StagedGlobalNetworkPolicy). */
export interface StagedGlobalNetworkPolicy extends Resource<StagedGlobalNetworkPolicySpec> {
  kind: 'StagedGlobalNetworkPolicy'
}
