/**
 * KubeControllersConfiguration (kubecontrollersconfig.go), field for field in Go order. The
 * status struct has no omitempty and is always printed.
 */
import {resourceStruct} from './resource.js'
import {DURATION, f, struct, t, type GoStruct} from './types.js'

export const KubeControllersConfigurationSpec: GoStruct = struct('v3', 'KubeControllersConfigurationSpec', [
  f('LogSeverityScreen', 'logSeverityScreen,omitempty', t.string(), 'omitempty,logLevel'),
  f('HealthChecks', 'healthChecks,omitempty', t.string(), 'omitempty,oneof=Enabled Disabled'),
  f('EtcdV3CompactionPeriod', 'etcdV3CompactionPeriod,omitempty', t.ptr(DURATION), 'omitempty'),
  f('PrometheusMetricsPort', 'prometheusMetricsPort,omitempty', t.ptr(t.int('int'))),
  f('Controllers', 'controllers', t.struct(() => ControllersConfig)),
  f('DebugProfilePort', 'debugProfilePort,omitempty', t.ptr(t.int('int32'))),
])

export const ControllersConfig: GoStruct = struct('v3', 'ControllersConfig', [
  f('Node', 'node,omitempty', t.ptr(t.struct(() => NodeControllerConfig))),
  f('Policy', 'policy,omitempty', t.ptr(t.struct(() => PolicyControllerConfig))),
  f('WorkloadEndpoint', 'workloadEndpoint,omitempty', t.ptr(t.struct(() => WorkloadEndpointControllerConfig))),
  f('ServiceAccount', 'serviceAccount,omitempty', t.ptr(t.struct(() => ServiceAccountControllerConfig))),
  f('Namespace', 'namespace,omitempty', t.ptr(t.struct(() => NamespaceControllerConfig))),
  f('LoadBalancer', 'loadBalancer,omitempty', t.ptr(t.struct(() => LoadBalancerControllerConfig))),
  f('Migration', 'policyMigration,omitempty', t.ptr(t.struct(() => MigrationControllerConfig))),
])

export const MigrationControllerConfig: GoStruct = struct('v3', 'MigrationControllerConfig', [
  f('PolicyNameMigrator', 'enabled,omitempty', t.string('v3.ControllerMode'), 'omitempty,oneof=Enabled Disabled'),
])

export const NodeControllerConfig: GoStruct = struct('v3', 'NodeControllerConfig', [
  f('ReconcilerPeriod', 'reconcilerPeriod,omitempty', t.ptr(DURATION), 'omitempty'),
  f('SyncLabels', 'syncLabels,omitempty', t.string(), 'omitempty,oneof=Enabled Disabled'),
  f('HostEndpoint', 'hostEndpoint,omitempty', t.ptr(t.struct(() => AutoHostEndpointConfig))),
  f('LeakGracePeriod', 'leakGracePeriod,omitempty', t.ptr(DURATION)),
])

export const AutoHostEndpointConfig: GoStruct = struct('v3', 'AutoHostEndpointConfig', [
  f('AutoCreate', 'autoCreate,omitempty', t.string(), 'omitempty,oneof=Enabled Disabled'),
  f('CreateDefaultHostEndpoint', 'createDefaultHostEndpoint,omitempty', t.string('v3.DefaultHostEndpointMode'), 'omitempty,createDefaultHostEndpoint'),
  f('Templates', 'templates,omitempty', t.slice(t.struct(() => Template)), 'omitempty'),
])

export const Template: GoStruct = struct('v3', 'Template', [
  f('GenerateName', 'generateName,omitempty', t.string(), 'omitempty,name'),
  f('InterfaceCIDRs', 'interfaceCIDRs,omitempty', t.slice(t.string()), 'cidrs'),
  f('InterfacePattern', 'interfacePattern,omitempty', t.string(), 'omitempty,regexp'),
  f('Labels', 'labels,omitempty', t.map(t.string()), 'omitempty,labels'),
  f('NodeSelector', 'nodeSelector,omitempty', t.string(), 'omitempty,selector'),
])

export const PolicyControllerConfig: GoStruct = struct('v3', 'PolicyControllerConfig', [
  f('ReconcilerPeriod', 'reconcilerPeriod,omitempty', t.ptr(DURATION), 'omitempty'),
])

export const WorkloadEndpointControllerConfig: GoStruct = struct('v3', 'WorkloadEndpointControllerConfig', [
  f('ReconcilerPeriod', 'reconcilerPeriod,omitempty', t.ptr(DURATION), 'omitempty'),
])

export const ServiceAccountControllerConfig: GoStruct = struct('v3', 'ServiceAccountControllerConfig', [
  f('ReconcilerPeriod', 'reconcilerPeriod,omitempty', t.ptr(DURATION), 'omitempty'),
])

export const NamespaceControllerConfig: GoStruct = struct('v3', 'NamespaceControllerConfig', [
  f('ReconcilerPeriod', 'reconcilerPeriod,omitempty', t.ptr(DURATION), 'omitempty'),
])

export const LoadBalancerControllerConfig: GoStruct = struct('v3', 'LoadBalancerControllerConfig', [
  f('AssignIPs', 'assignIPs,omitempty', t.string('v3.AssignIPs'), 'omitempty,assignIPs'),
])

export const KubeControllersConfigurationStatus: GoStruct = struct('v3', 'KubeControllersConfigurationStatus', [
  f('RunningConfig', 'runningConfig,omitempty', t.ptr(t.struct(() => KubeControllersConfigurationSpec))),
  f('EnvironmentVars', 'environmentVars,omitempty', t.map(t.string())),
])

export const KubeControllersConfiguration = resourceStruct(
  'v3',
  'KubeControllersConfiguration',
  KubeControllersConfigurationSpec,
  f('Status', 'status', t.struct(() => KubeControllersConfigurationStatus)),
)
