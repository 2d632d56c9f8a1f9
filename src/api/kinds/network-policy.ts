/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'
import type {Rule} from './rule.js'

/** v3.NetworkPolicySpec */
export type NetworkPolicySpec = {
  tier?: string
  order?: number
  ingress?: Rule[]
  egress?: Rule[]
  selector?: string
  types?: string[]
  serviceAccountSelector?: string
  performanceHints?: string[]
}

/** A NetworkPolicy resource (v3.NetworkPolicy). */
export interface NetworkPolicy extends Resource<NetworkPolicySpec> {
  kind: 'NetworkPolicy'
}
