/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {LabelSelector} from './meta.js'
import type {Resource} from '../resource.js'

/** v3.StagedKubernetesNetworkPolicySpec */
export type StagedKubernetesNetworkPolicySpec = {
  stagedAction?: string
  podSelector?: LabelSelector
  ingress?: NetworkPolicyIngressRule[]
  egress?: NetworkPolicyEgressRule[]
  policyTypes?: string[]
}

/** v1.NetworkPolicyIngressRule */
export type NetworkPolicyIngressRule = {
  ports?: NetworkPolicyPort[]
  from?: NetworkPolicyPeer[]
}

/** v1.NetworkPolicyPort */
export type NetworkPolicyPort = {
  protocol?: string
  port?: number | string
  endPort?: number
}

/** v1.NetworkPolicyPeer */
export type NetworkPolicyPeer = {
  podSelector?: LabelSelector
  namespaceSelector?: LabelSelector
  ipBlock?: IPBlock
}

/** v1.IPBlock */
export type IPBlock = {
  cidr?: string
  except?: string[]
}

/** v1.NetworkPolicyEgressRule */
export type NetworkPolicyEgressRule = {
  ports?: NetworkPolicyPort[]
  to?: NetworkPolicyPeer[]
}

/** A StagedKubernetesNetworkPolicy resource (v3.StagedKubernetesNetworkPolicy). */
export interface StagedKubernetesNetworkPolicy extends Resource<StagedKubernetesNetworkPolicySpec> {
  kind: 'StagedKubernetesNetworkPolicy'
}
