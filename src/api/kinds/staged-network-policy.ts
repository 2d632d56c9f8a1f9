/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'
import type {NetworkPolicySpec} from './network-policy.js'

/** v3.StagedNetworkPolicySpec: the NetworkPolicy spec plus what to do with it when it is promoted. */
export type StagedNetworkPolicySpec = NetworkPolicySpec & {stagedAction?: string}

/** A StagedNetworkPolicy resource (v3.StagedNetworkPolicy). */
export interface StagedNetworkPolicy extends Resource<StagedNetworkPolicySpec> {
  kind: 'StagedNetworkPolicy'
}
