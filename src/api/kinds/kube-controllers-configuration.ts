/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {Resource} from '../resource.js'

/** v3.KubeControllersConfigurationSpec */
export type KubeControllersConfigurationSpec = {
  logSeverityScreen?: string
  healthChecks?: string
  etcdV3CompactionPeriod?: string
  prometheusMetricsPort?: number
  controllers?: ControllersConfig
  debugProfilePort?: number
}

/** v3.ControllersConfig */
export type ControllersConfig = {
  node?: NodeControllerConfig
  policy?: PolicyControllerConfig
  workloadEndpoint?: WorkloadEndpointControllerConfig
  serviceAccount?: ServiceAccountControllerConfig
  namespace?: NamespaceControllerConfig
  loadBalancer?: LoadBalancerControllerConfig
  policyMigration?: MigrationControllerConfig
}

/** v3.NodeControllerConfig */
export type NodeControllerConfig = {
  reconcilerPeriod?: string
  syncLabels?: string
  hostEndpoint?: AutoHostEndpointConfig
  leakGracePeriod?: string
}

/** v3.AutoHostEndpointConfig */
export type AutoHostEndpointConfig = {
  autoCreate?: string
  createDefaultHostEndpoint?: string
  templates?: Template[]
}

/** v3.Template */
export type Template = {
  generateName?: string
  interfaceCIDRs?: string[]
  interfacePattern?: string
  labels?: Record<string, string>
  nodeSelector?: string
}

/** v3.PolicyControllerConfig */
export type PolicyControllerConfig = {
  reconcilerPeriod?: string
}

/** v3.WorkloadEndpointControllerConfig */
export type WorkloadEndpointControllerConfig = {
  reconcilerPeriod?: string
}

/** v3.ServiceAccountControllerConfig */
export type ServiceAccountControllerConfig = {
  reconcilerPeriod?: string
}

/** v3.NamespaceControllerConfig */
export type NamespaceControllerConfig = {
  reconcilerPeriod?: string
}

/** v3.LoadBalancerControllerConfig */
export type LoadBalancerControllerConfig = {
  assignIPs?: string
}

/** v3.MigrationControllerConfig */
export type MigrationControllerConfig = {
  enabled?: string
}

/** v3.KubeControllersConfigurationStatus */
export type KubeControllersConfigurationStatus = {
  runningConfig?: KubeControllersConfigurationSpec
  environmentVars?: Record<string, string>
}

/** A KubeControllersConfiguration resource (v3.KubeControllersConfiguration). */
export interface KubeControllersConfiguration extends Resource<KubeControllersConfigurationSpec> {
  kind: 'KubeControllersConfiguration'
  status?: KubeControllersConfigurationStatus
}
