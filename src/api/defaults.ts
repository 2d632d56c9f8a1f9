/**
 * applyDefaults: every value Calico v3.32.1 fills in when a resource is written through clientv3
 * against etcd (which is what the local and etcd backends emulate):
 *
 *  - clientv3's own defaulting (ippool.go validateAndSetDefaults, tier DefaultTierFields,
 *    felixconfig setDefaults, kubecontrollersconfig validateAndFillDefaults, workloadendpoint
 *    name and storage labels);
 *  - api/pkg/defaults (policy types inferred from rules, the projectcalico.org/tier label);
 *  - the CRD schema defaults libcalico-go applies client-side in etcd mode (policy tier
 *    "default", stagedAction "Set", BGPConfiguration logSeverityScreen "Info" and
 *    serviceLoadBalancerAggregation "Enabled", FelixConfiguration nftablesMode "Auto",
 *    KubeControllersConfiguration healthChecks/assignIPs/policyMigration "Enabled").
 *
 * Pure: returns a new object in Go key order. One deliberate difference: clientv3 rewrites an
 * IPPool CIDR to its network form *and* rejects it when that changed anything; here only an
 * already strictly-masked CIDR is re-printed (e.g. IPv6 zero compression), so the "not strictly
 * masked" error is not lost when validation runs after defaulting.
 */
import {normaliseOwnedResource} from './codec/resource.js'
import {ipString, netString, parseCIDR} from './go/net.js'
import type {Resource} from './resource.js'
import {workloadEndpointName} from './workload-endpoint-name.js'

type JSONObject = Record<string, unknown>

export const TIER_LABEL = 'projectcalico.org/tier'
export const DEFAULT_TIER = 'default'
export const DEFAULT_TIER_ORDER = 1_000_000

function obj(value: unknown): JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JSONObject) : {}
}

function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

function setIfEmpty(target: JSONObject, key: string, value: unknown): void {
  if (isEmptyValue(target[key])) target[key] = value
}

/** ippool.go validateAndSetDefaults (the defaulting half) plus the assignmentMode CRD default. */
function defaultIPPool(spec: JSONObject): void {
  let version: 4 | 6 | undefined
  try {
    const {ip, net} = parseCIDR(typeof spec.cidr === 'string' ? spec.cidr : '')
    version = ip.bytes.length === 4 ? 4 : 6
    if (ipString(net.ip) === ipString(ip)) spec.cidr = netString(net)
  } catch {
    version = undefined
  }
  setIfEmpty(spec, 'nodeSelector', 'all()')
  if ((spec.blockSize ?? 0) === 0 && version !== undefined) spec.blockSize = version === 4 ? 26 : 122
  setIfEmpty(spec, 'allowedUses', ['Workload', 'Tunnel'])
  setIfEmpty(spec, 'assignmentMode', 'Automatic')
  setIfEmpty(spec, 'ipipMode', 'Never')
  setIfEmpty(spec, 'vxlanMode', 'Never')
}

/** defaults.Default for the four Calico policy kinds, then the CRD defaults. */
function defaultPolicy(res: Resource, staged: boolean): void {
  const spec = obj(res.spec)
  if (isEmptyValue(spec.types)) {
    if (isEmptyValue(spec.egress)) spec.types = ['Ingress']
    else if (isEmptyValue(spec.ingress)) spec.types = ['Egress']
    else spec.types = ['Ingress', 'Egress']
  }
  const tier = typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : DEFAULT_TIER
  // Not `{...labels, [TIER_LABEL]: tier}`: a computed key in a spread literal takes a slow path.
  const labels = {...res.metadata.labels}
  labels[TIER_LABEL] = tier
  res.metadata.labels = labels
  if (staged && spec.stagedAction === 'Delete') delete spec.types
  setIfEmpty(spec, 'tier', DEFAULT_TIER)
  if (staged) setIfEmpty(spec, 'stagedAction', 'Set')
  res.spec = spec
}

/** resources.DefaultTierFields: a missing order means the default tier's order. */
function defaultTier(spec: JSONObject): void {
  if (spec.order === undefined || spec.order === null) spec.order = DEFAULT_TIER_ORDER
  if (spec.defaultAction === undefined || spec.defaultAction === null) spec.defaultAction = 'Deny'
}

/** felixconfig.go setDefaults plus the nftablesMode CRD default. */
function defaultFelix(spec: JSONObject): void {
  if (spec.floatingIPs === undefined) spec.floatingIPs = 'Disabled'
  if (spec.bpfConnectTimeLoadBalancing === undefined) spec.bpfConnectTimeLoadBalancing = 'TCP'
  if (spec.bpfHostNetworkedNATWithoutCTLB === undefined) spec.bpfHostNetworkedNATWithoutCTLB = 'Enabled'
  if (spec.bpfConnectTimeLoadBalancingEnabled !== undefined) {
    spec.bpfHostNetworkedNATWithoutCTLB = 'Disabled'
    spec.bpfConnectTimeLoadBalancing = spec.bpfConnectTimeLoadBalancingEnabled === true ? 'Enabled' : 'Disabled'
  }
  if (spec.nftablesMode === undefined) spec.nftablesMode = 'Auto'
}

/** The CRD defaults inside a KubeControllersConfigurationSpec (spec or status.runningConfig). */
function defaultKubeControllersCRD(spec: JSONObject): void {
  setIfEmpty(spec, 'healthChecks', 'Enabled')
  const controllers = obj(spec.controllers)
  if (controllers.loadBalancer !== undefined) setIfEmpty(obj(controllers.loadBalancer), 'assignIPs', 'AllServices')
  if (controllers.policyMigration !== undefined) setIfEmpty(obj(controllers.policyMigration), 'enabled', 'Enabled')
}

/** kubecontrollersconfig.go validateAndFillDefaults (defaulting half) plus CRD defaults. */
function defaultKubeControllers(res: Resource): void {
  const spec = obj(res.spec)
  if (spec.prometheusMetricsPort === undefined) spec.prometheusMetricsPort = 9094
  spec.controllers = obj(spec.controllers)
  const controllers = spec.controllers as JSONObject
  if (controllers.node !== undefined) {
    const node = obj(controllers.node)
    if (node.leakGracePeriod === undefined) node.leakGracePeriod = '15m0s'
  }
  if (controllers.loadBalancer !== undefined) setIfEmpty(obj(controllers.loadBalancer), 'assignIPs', 'AllServices')
  defaultKubeControllersCRD(spec)
  const running = obj(res.status).runningConfig
  if (running !== undefined) defaultKubeControllersCRD(obj(running))
  res.spec = spec
}

/** workloadendpoint.go: the name derived from the spec when none is given, and storage labels. */
function defaultWorkloadEndpoint(res: Resource): void {
  const spec = obj(res.spec)
  if (!res.metadata.name) {
    const computed = workloadEndpointName(spec)
    if ('name' in computed) res.metadata.name = computed.name
  }
  if (res.metadata.namespace) {
    res.metadata.labels = {
      ...(res.metadata.labels ?? {}),
      'projectcalico.org/namespace': res.metadata.namespace,
      'projectcalico.org/orchestrator': typeof spec.orchestrator === 'string' ? spec.orchestrator : '',
    }
  }
}

/**
 * Returns a copy of `res` with Calico's write-time defaults applied (see the module comment),
 * keys in Go order. Kinds without defaults come back re-normalised only.
 */
export function applyDefaults(res: Resource): Resource {
  // Defaulting writes the top level of spec and metadata (and replaces labels) only, except for
  // KubeControllersConfiguration, which fills nested structs; the final marshal rebuilds every
  // struct, map and slice. So a shallow copy keeps `res` untouched.
  const deep = res.kind === 'KubeControllersConfiguration'
  const out: Resource = deep ? structuredClone(res) : {...res, metadata: {...res.metadata}, spec: {...obj(res.spec)}}
  out.metadata = out.metadata ?? {}
  const spec = obj(out.spec)
  out.spec = spec
  switch (out.kind) {
    case 'IPPool':
      defaultIPPool(spec)
      break
    case 'GlobalNetworkPolicy':
    case 'NetworkPolicy':
      defaultPolicy(out, false)
      break
    case 'StagedGlobalNetworkPolicy':
    case 'StagedNetworkPolicy':
      defaultPolicy(out, true)
      break
    case 'StagedKubernetesNetworkPolicy':
      setIfEmpty(spec, 'stagedAction', 'Set')
      break
    case 'Tier':
      defaultTier(spec)
      break
    case 'FelixConfiguration':
      defaultFelix(spec)
      break
    case 'BGPConfiguration':
      setIfEmpty(spec, 'logSeverityScreen', 'Info')
      setIfEmpty(spec, 'serviceLoadBalancerAggregation', 'Enabled')
      break
    case 'KubeControllersConfiguration':
      defaultKubeControllers(out)
      break
    case 'WorkloadEndpoint':
      defaultWorkloadEndpoint(out)
      break
    default:
      break
  }
  return normaliseOwnedResource(out, deep ? undefined : res.spec)
}
