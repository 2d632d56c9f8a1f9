/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'
import type {GlobalNetworkPolicySpec} from './global-network-policy.js'

/** v3.StagedGlobalNetworkPolicySpec: the GlobalNetworkPolicy spec plus what to do with it when it is promoted. */
export type StagedGlobalNetworkPolicySpec = GlobalNetworkPolicySpec & {stagedAction?: string}

/** A StagedGlobalNetworkPolicy resource (v3.StagedGlobalNetworkPolicy). */
export interface StagedGlobalNetworkPolicy extends Resource<StagedGlobalNetworkPolicySpec> {
  kind: 'StagedGlobalNetworkPolicy'
}
