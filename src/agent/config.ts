/**
 * The few FelixConfiguration fields the agent process itself needs before the loop starts (ports,
 * log level). Like Felix, the node-specific object `node.<nodeName>` overrides `default` field by
 * field; command-line flags override both. Everything else reaches the dataplane as ConfigUpdate.
 */
import type {FelixConfigurationSpec} from '../api/kinds/felix-configuration.js'
import type {ResourceClient} from '../datastore/resources.js'

export interface AgentProcessConfig {
  readonly healthHost: string
  readonly healthPort: number
  readonly metricsEnabled: boolean
  readonly metricsHost: string
  readonly metricsPort: number
  readonly logLevel: string
}

export const DEFAULT_HEALTH_PORT = 9099
export const DEFAULT_METRICS_PORT = 9091

/** Merged default + node-specific spec (node wins per field). */
export async function readFelixSpec(client: ResourceClient, nodeName: string): Promise<FelixConfigurationSpec> {
  const global = await client.getOptional('FelixConfiguration', 'default')
  const node = await client.getOptional('FelixConfiguration', `node.${nodeName}`)
  return {...((global?.spec ?? {}) as FelixConfigurationSpec), ...((node?.spec ?? {}) as FelixConfigurationSpec)}
}

export interface ProcessOverrides {
  readonly healthPort?: number
  readonly metricsPort?: number
  readonly logLevel?: string
}

/**
 * Flags over FelixConfiguration over Felix's defaults. Health is always served (calico-node
 * enables it); metrics only when prometheusMetricsEnabled or a metrics port flag is given.
 */
export function processConfig(spec: FelixConfigurationSpec, overrides: ProcessOverrides): AgentProcessConfig {
  return {
    healthHost: spec.healthHost ?? 'localhost',
    healthPort: overrides.healthPort ?? spec.healthPort ?? DEFAULT_HEALTH_PORT,
    metricsEnabled: overrides.metricsPort !== undefined || spec.prometheusMetricsEnabled === true,
    metricsHost: spec.prometheusMetricsHost ?? '',
    metricsPort: overrides.metricsPort ?? spec.prometheusMetricsPort ?? DEFAULT_METRICS_PORT,
    logLevel: overrides.logLevel ?? spec.logSeverityScreen ?? 'info',
  }
}
