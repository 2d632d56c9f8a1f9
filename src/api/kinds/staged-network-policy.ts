/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'
import type {Rule} from './rule.js'

/** v3.StagedNetworkPolicySpec */
export type StagedNetworkPolicySpec = {
  stagedAction?: string
  tier?: string
  order?: number
  ingress?: Rule[]
  egress?: Rule[]
  selector?: string
  types?: string[]
  serviceAccountSelector?: string
  performanceHints?: string[]
}

/** A StagedNetworkPolicy resource (v3.StagedNetworkPolicy). */
export interface StagedNetworkPolicy extends Resource<StagedNetworkPolicySpec> {
  kind: 'StagedNetworkPolicy'
}
