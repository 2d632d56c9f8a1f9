/**
 * The FelixConfiguration fields the agent process itself needs (ports, log level, liveness
 * timeouts, the iptables backend to check tools for). Felix's precedence, highest first:
 * command-line flags, environment variables (`FELIX_<NAME>`, name case-insensitive), the
 * node-specific `node.<nodeName>` resource, the global `default` resource, Felix's defaults.
 * Everything else reaches the dataplane as ConfigUpdate (environment overrides included, see
 * envConfigOverrides).
 *
 * A value that can never work (an unknown iptables backend, a malformed timeout) is a ConfigError
 * naming where it came from, the field and the reason, in one line.
 */
import {parseGoDuration, type FelixConfigurationSpec} from '../api/index.js'
import type {ResourceClient} from '../datastore/resources.js'
import {parseIptablesBackend} from '../dataplane/iptables/backend.js'
import type {IptablesBackend} from '../dataplane/rules/config.js'

export type Env = Readonly<Record<string, string | undefined>>

export interface AgentProcessConfig {
  readonly healthHost: string
  readonly healthPort: number
  readonly metricsEnabled: boolean
  readonly metricsHost: string
  readonly metricsPort: number
  readonly logLevel: string
  readonly iptablesBackend: IptablesBackend
  /** Liveness timeout per health reporter, in ms (Felix's defaults plus overrides). */
  readonly healthTimeouts: Readonly<Record<string, number>>
}

export const DEFAULT_HEALTH_PORT = 9099
export const DEFAULT_METRICS_PORT = 9091

/** Felix's reporter timeouts: CalculationGraph 30 s, InternalDataplaneMainLoop = DataplaneWatchdogTimeout 90 s. */
export const DEFAULT_HEALTH_TIMEOUTS: Readonly<Record<string, number>> = {CalculationGraph: 30_000, InternalDataplaneMainLoop: 90_000}

/** A configuration value that can never work; the message is the one line to print. */
export class ConfigError extends Error {}

/** The two FelixConfiguration objects that apply to a node (either may be missing). */
export interface FelixSources {
  readonly global?: FelixConfigurationSpec
  readonly node?: FelixConfigurationSpec
  readonly nodeName: string
}

export async function readFelixSources(client: ResourceClient, nodeName: string): Promise<FelixSources> {
  const global = await client.getOptional('FelixConfiguration', 'default')
  const node = await client.getOptional('FelixConfiguration', `node.${nodeName}`)
  return {global: global?.spec as FelixConfigurationSpec | undefined, node: node?.spec as FelixConfigurationSpec | undefined, nodeName}
}

export interface ProcessOverrides {
  readonly healthPort?: number
  readonly metricsPort?: number
  readonly logLevel?: string
}

/** FELIX_<name> from the environment, the name matched case-insensitively as Felix does. */
export function felixEnv(env: Env, name: string): string | undefined {
  const wanted = `FELIX_${name}`.toUpperCase()
  for (const [key, value] of Object.entries(env)) if (key.toUpperCase() === wanted && value !== undefined && value !== '') return value
  return undefined
}

/** One value with where it came from, for error messages. */
interface Sourced<T> {
  readonly value: T
  readonly source: string
}

/** env > node resource > global resource; undefined when none sets it. */
function pick<K extends keyof FelixConfigurationSpec>(sources: FelixSources, env: Env, field: K): Sourced<string | NonNullable<FelixConfigurationSpec[K]>> | undefined {
  const envName = `FELIX_${String(field).toUpperCase()}`
  const fromEnv = felixEnv(env, String(field))
  if (fromEnv !== undefined) return {value: fromEnv, source: `environment variable ${envName}`}
  const node = sources.node?.[field]
  if (node !== undefined && node !== null) return {value: node as NonNullable<FelixConfigurationSpec[K]>, source: `FelixConfiguration "node.${sources.nodeName}" spec.${String(field)}`}
  const global = sources.global?.[field]
  if (global !== undefined && global !== null) return {value: global as NonNullable<FelixConfigurationSpec[K]>, source: `FelixConfiguration "default" spec.${String(field)}`}
  return undefined
}

/** A Felix duration: a Go duration ("90s", "1m30s") or, as Felix's env parameters take, seconds ("90", "0.5"). */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  try {
    return Number(parseGoDuration(trimmed)) / 1e6
  } catch {
    return undefined
  }
}

function durationMs(sourced: Sourced<unknown>): number {
  const ms = typeof sourced.value === 'number' ? sourced.value * 1000 : parseDurationMs(String(sourced.value))
  if (ms === undefined || !(ms > 0)) throw new ConfigError(`${sourced.source}: invalid duration "${String(sourced.value)}" (expected e.g. 90s, or seconds)`)
  return ms
}

function integer(sourced: Sourced<unknown> | undefined, fallback: number): number {
  if (sourced === undefined) return fallback
  const n = Number(sourced.value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new ConfigError(`${sourced.source}: invalid port "${String(sourced.value)}" (expected 0-65535)`)
  return n
}

function boolean(sourced: Sourced<unknown> | undefined): boolean {
  if (sourced === undefined) return false
  return typeof sourced.value === 'boolean' ? sourced.value : String(sourced.value).trim().toLowerCase() === 'true'
}

/** The iptables backend from env / FelixConfiguration; ConfigError for a value Felix would reject. */
export function iptablesBackendOf(sources: FelixSources, env: Env): IptablesBackend {
  const sourced = pick(sources, env, 'iptablesBackend')
  if (sourced === undefined) return 'auto'
  const backend = parseIptablesBackend(String(sourced.value))
  if (backend === undefined) throw new ConfigError(`${sourced.source}: unknown iptables backend "${String(sourced.value)}" (expected Auto, NFT or Legacy)`)
  return backend
}

/** Felix's reporter timeouts with dataplaneWatchdogTimeout and healthTimeoutOverrides applied. */
function healthTimeouts(sources: FelixSources, env: Env): Record<string, number> {
  const timeouts: Record<string, number> = {...DEFAULT_HEALTH_TIMEOUTS}
  const watchdog = pick(sources, env, 'dataplaneWatchdogTimeout')
  if (watchdog !== undefined) timeouts.InternalDataplaneMainLoop = durationMs(watchdog)
  const overrides = pick(sources, env, 'healthTimeoutOverrides')
  if (overrides !== undefined) {
    // The env form is Felix's `Name=duration,Name=duration`; the resource's is a list of {name, timeout}.
    const entries =
      typeof overrides.value === 'string'
        ? overrides.value
            .split(',')
            .filter((part) => part.trim() !== '')
            .map((part) => {
              const [name, timeout] = part.split('=')
              return {name: name?.trim(), timeout: timeout?.trim()}
            })
        : (overrides.value as ReadonlyArray<{name?: string; timeout?: string}>)
    for (const entry of entries) {
      if (!entry.name || entry.timeout === undefined) throw new ConfigError(`${overrides.source}: invalid entry ${JSON.stringify(entry)} (expected a name and a timeout)`)
      timeouts[entry.name] = durationMs({value: entry.timeout, source: `${overrides.source} (${entry.name})`})
    }
  }
  return timeouts
}

/**
 * Flags over environment over FelixConfiguration over Felix's defaults. Health is always served
 * (calico-node enables it); metrics only when prometheusMetricsEnabled or a metrics port flag is given.
 */
export function processConfig(sources: FelixSources, overrides: ProcessOverrides, env: Env = {}): AgentProcessConfig {
  const metricsPortFlag = overrides.metricsPort
  return {
    healthHost: String(pick(sources, env, 'healthHost')?.value ?? 'localhost'),
    healthPort: overrides.healthPort ?? integer(pick(sources, env, 'healthPort'), DEFAULT_HEALTH_PORT),
    metricsEnabled: metricsPortFlag !== undefined || boolean(pick(sources, env, 'prometheusMetricsEnabled')),
    metricsHost: String(pick(sources, env, 'prometheusMetricsHost')?.value ?? ''),
    metricsPort: metricsPortFlag ?? integer(pick(sources, env, 'prometheusMetricsPort'), DEFAULT_METRICS_PORT),
    logLevel: overrides.logLevel ?? String(pick(sources, env, 'logSeverityScreen')?.value ?? 'info'),
    iptablesBackend: iptablesBackendOf(sources, env),
    healthTimeouts: healthTimeouts(sources, env),
  }
}

/** Felix parameter names (as ConfigUpdate carries them) that the environment may override for the dataplane. */
const DATAPLANE_PARAMS = [
  'IptablesBackend',
  'IptablesRefreshInterval',
  'DefaultEndpointToHostAction',
  'IptablesFilterDenyAction',
  'IptablesFilterAllowAction',
  'IptablesMangleAllowAction',
  'FailsafeInboundHostPorts',
  'FailsafeOutboundHostPorts',
  'LogPrefix',
  'ChainInsertMode',
  'InterfacePrefix',
  'RouteRefreshInterval',
  'IpsetsRefreshInterval',
  'IPForwarding',
]

/**
 * The ConfigUpdate entries the environment overrides (Felix ranks environment variables above the
 * datastore), keyed by Felix's parameter names. The agent merges them into every ConfigUpdate.
 */
export function envConfigOverrides(env: Env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of DATAPLANE_PARAMS) {
    const value = felixEnv(env, name)
    if (value !== undefined) out[name] = value
  }
  return out
}
