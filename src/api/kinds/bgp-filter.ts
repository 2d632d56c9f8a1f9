/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.BGPFilterSpec */
export type BGPFilterSpec = {
  exportV4?: BGPFilterRuleV4[]
  importV4?: BGPFilterRuleV4[]
  exportV6?: BGPFilterRuleV6[]
  importV6?: BGPFilterRuleV6[]
}

/** v3.BGPFilterRuleV4 */
export type BGPFilterRuleV4 = {
  cidr?: string
  prefixLength?: BGPFilterPrefixLengthV4
  source?: string
  interface?: string
  matchOperator?: string
  peerType?: string
  communities?: BGPFilterCommunityMatch
  asPathPrefix?: number[]
  priority?: number
  action?: string
  operations?: BGPFilterOperation[]
}

/** v3.BGPFilterPrefixLengthV4 */
export type BGPFilterPrefixLengthV4 = {
  min?: number
  max?: number
}

/** v3.BGPFilterCommunityMatch */
export type BGPFilterCommunityMatch = {
  values?: string[]
}

/** v3.BGPFilterOperation */
export type BGPFilterOperation = {
  addCommunity?: BGPFilterAddCommunity
  prependASPath?: BGPFilterPrependASPath
  setPriority?: BGPFilterSetPriority
}

/** v3.BGPFilterAddCommunity */
export type BGPFilterAddCommunity = {
  value?: string
}

/** v3.BGPFilterPrependASPath */
export type BGPFilterPrependASPath = {
  prefix?: number[]
}

/** v3.BGPFilterSetPriority */
export type BGPFilterSetPriority = {
  value?: number
}

/** v3.BGPFilterRuleV6 */
export type BGPFilterRuleV6 = {
  cidr?: string
  prefixLength?: BGPFilterPrefixLengthV6
  source?: string
  interface?: string
  matchOperator?: string
  peerType?: string
  communities?: BGPFilterCommunityMatch
  asPathPrefix?: number[]
  priority?: number
  action?: string
  operations?: BGPFilterOperation[]
}

/** v3.BGPFilterPrefixLengthV6 */
export type BGPFilterPrefixLengthV6 = {
  min?: number
  max?: number
}

/** A BGPFilter resource (v3.BGPFilter). */
export interface BGPFilter extends Resource<BGPFilterSpec> {
  kind: 'BGPFilter'
}
