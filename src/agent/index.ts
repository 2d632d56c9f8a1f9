/**
 * The node agent's one door, imported only by `calicoctl node run` (and, by a documented lint
 * exception, `node diags`). See agent.ts for the run, loop.ts for the contracts of the loop.
 */
export {AgentStartAborted, AgentStartError, startAgent, type AgentOptions, type RunningAgent} from './agent.js'
export {AutodetectionError, autodetectIPv4, parseAutodetectionMethod, selectIPv4, type InterfaceAddress} from './autodetect.js'
export {createDataplane, DATAPLANE_KINDS, type DataplaneKind} from './dataplane-factory.js'
export {collectDiags, redactSecrets, type DiagsOptions} from './diags.js'
export {createLogger, pinoLevel} from './log.js'
export {canAdministerNetwork, COMMON_TOOLS, missingToolsMessage, toolFindings, type ToolFinding} from './preflight.js'
export {ConfigError, iptablesBackendOf} from './config.js'
export {DEFAULT_STATUS_FILE} from './status-file.js'
