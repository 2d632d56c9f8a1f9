/**
 * The policy module's one door: Calico policy semantics for one flow. Build a PolicyModel from
 * datastore resources once, then ask it about flows; each answer is the verdict and the decision
 * path (tier, policy and rule, end of tier, profile, or default deny) per endpoint direction.
 * Pure: no I/O, no clock; imports only src/api and src/selector.
 */
export {PolicyModel} from './model.js'
export {DEFAULT_FAILSAFE_INBOUND, DEFAULT_FAILSAFE_OUTBOUND} from './failsafe.js'
export {protocolName, protocolToNumber} from './protocols.js'
export {policyTypes} from './policies.js'
export {
  PolicyInputError,
  type Direction,
  type DirectionTrace,
  type EvaluatorOptions,
  type FailsafePort,
  type Flow,
  type FlowPeer,
  type PeerSummary,
  type PolicyRef,
  type RuleAction,
  type TraceResult,
  type TraceStep,
  type Verdict,
} from './types.js'
