/** Small shared types: Kubernetes label selectors, conditions, secret references, BGP passwords. */
/** v3.BGPPassword */
export type BGPPassword = {
  secretKeyRef?: SecretKeySelector
}

/** v1.SecretKeySelector */
export type SecretKeySelector = {
  name?: string
  key?: string
  optional?: boolean
}

/** v1.Condition */
export type Condition = {
  type?: string
  status?: string
  observedGeneration?: number
  lastTransitionTime?: string | null
  reason?: string
  message?: string
}

/** v1.LabelSelector */
export type LabelSelector = {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

/** v1.LabelSelectorRequirement */
export type LabelSelectorRequirement = {
  key?: string
  operator?: string
  values?: string[]
}

