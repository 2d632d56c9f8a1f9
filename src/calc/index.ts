/**
 * The calc module's one door: the calculation graph for one node (calc-graph.ts), its input type
 * (input.ts) and its output contract (messages.ts). Pure and synchronous; see DESIGN.md.
 */
export {CalcGraph, type CalcGraphOptions, type CalcGraphStats} from './calc-graph.js'
export {keyOf, parseResourceKey, RESOURCE_KEY_PREFIX, updateFromKV, type CalcUpdate, type ResourceKey} from './input.js'
export type * from './messages.js'
export {ipPoolId, policyIdString, workloadEndpointIdString} from './messages.js'
