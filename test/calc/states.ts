/**
 * Named datastore states for the calc graph (Felix's states_for_test.go): each is the full
 * datastore content and the desired dataplane state expected for node `node1`. Tests replay them
 * from scratch, forwards, backwards and squashed (calc-graph.test.ts).
 *
 * Expected state is written out by hand, ipset ids included: the selector text an id is derived
 * from is given literally (Calico's folding of namespace and service-account selectors), so a change
 * in folding or hashing shows up as a failed state.
 */
import type {Resource} from '../../src/api/index.js'
import {keyOf, type CalcUpdate} from '../../src/calc/index.js'
import {makeUniqueId} from '../../src/calc/hash.js'
import {parseSelector} from '../../src/selector/index.js'

export const NODE = 'node1'

export interface ExpectedState {
  /** ipset id → sorted members. */
  readonly ipsets: Readonly<Record<string, readonly string[]>>
  /** Sent policies, Felix's PolicyID.ID() form, sorted. */
  readonly policies: readonly string[]
  /** Sent profiles, sorted. */
  readonly profiles: readonly string[]
  /** Endpoint (workload id string, or `hep:<name>`) → summary lines (see summarise in the test). */
  readonly endpoints: Readonly<Record<string, readonly string[]>>
  readonly config: Readonly<Record<string, string>>
  /** IPAM pools by Felix's id → `cidr masq=… disabled=… ipip=… vxlan=…`; absent when none. */
  readonly pools?: Readonly<Record<string, string>>
}

export interface State {
  readonly name: string
  readonly resources: readonly Resource[]
  readonly expected: ExpectedState
}

const PLURALS: Readonly<Record<string, string>> = {
  WorkloadEndpoint: 'workloadendpoints',
  HostEndpoint: 'hostendpoints',
  NetworkPolicy: 'networkpolicies',
  GlobalNetworkPolicy: 'globalnetworkpolicies',
  StagedNetworkPolicy: 'stagednetworkpolicies',
  NetworkSet: 'networksets',
  GlobalNetworkSet: 'globalnetworksets',
  Profile: 'profiles',
  Tier: 'tiers',
  FelixConfiguration: 'felixconfigurations',
  IPPool: 'ippools',
}

export function keyOfResource(res: Resource): string {
  return keyOf(PLURALS[res.kind], res.metadata.name ?? '', res.metadata.namespace ?? '')
}

/** The datastore content of a state as updates. */
export function updatesOf(resources: readonly Resource[]): CalcUpdate[] {
  return resources.map((value) => ({key: keyOfResource(value), value}))
}

const res = (kind: string, name: string, spec: Record<string, unknown>, extra: {namespace?: string; labels?: Record<string, string>} = {}): Resource => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata: {name, ...(extra.namespace ? {namespace: extra.namespace} : {}), ...(extra.labels ? {labels: extra.labels} : {})},
  spec,
})

interface WepOptions {
  node: string
  ip: string
  labels: Record<string, string>
  profiles: string[]
  serviceAccount?: string
  ports?: {name: string; protocol: string; port: number}[]
}

export function wep(namespace: string, pod: string, o: WepOptions): Resource {
  return res(
    'WorkloadEndpoint',
    `${o.node}-k8s-${pod}-eth0`,
    {
      orchestrator: 'k8s',
      node: o.node,
      pod,
      endpoint: 'eth0',
      interfaceName: `cali${pod}`,
      ipNetworks: [`${o.ip}/32`],
      profiles: o.profiles,
      ...(o.serviceAccount ? {serviceAccountName: o.serviceAccount} : {}),
      ...(o.ports ? {ports: o.ports} : {}),
    },
    {namespace, labels: o.labels},
  )
}

const allowAll = [{action: 'Allow'}]
const tier = (name: string, order: number): Resource => res('Tier', name, {order, defaultAction: 'Deny'})
const sel = (text: string): string => parseSelector(text).uniqueId()

// ---- building blocks ---------------------------------------------------------------------------

const tierDefault = tier('default', 1_000_000)
const tierSecurity = tier('security', 100)
const knsNs1 = res('Profile', 'kns.ns1', {
  ingress: allowAll,
  egress: allowAll,
  labelsToApply: {'pcns.projectcalico.org/name': 'ns1', 'pcns.team': 'red'},
})
const ksaNs1Sa1 = res('Profile', 'ksa.ns1.sa1', {
  ingress: allowAll,
  egress: allowAll,
  labelsToApply: {'pcsa.projectcalico.org/name': 'sa1', 'pcsa.role': 'frontend'},
})
const http = (port: number) => [{name: 'http', protocol: 'TCP', port}]
const wepA = wep('ns1', 'a', {node: NODE, ip: '10.0.0.1', labels: {app: 'web'}, profiles: ['kns.ns1', 'ksa.ns1.sa1'], serviceAccount: 'sa1', ports: http(8080)})
const wepB = wep('ns1', 'b', {node: 'node2', ip: '10.0.0.2', labels: {app: 'db'}, profiles: ['kns.ns1'], ports: http(9090)})
const wepBCache = wep('ns1', 'b', {node: 'node2', ip: '10.0.0.2', labels: {app: 'cache'}, profiles: ['kns.ns1'], ports: http(9090)})
const wepC = wep('ns2', 'c', {node: NODE, ip: '10.0.0.3', labels: {app: 'db'}, profiles: ['kns.ns2']})

const allowFromDb = res(
  'NetworkPolicy',
  'allow-from-db',
  {
    tier: 'default',
    order: 10,
    selector: "app == 'web'",
    types: ['Ingress'],
    ingress: [{action: 'Allow', protocol: 'TCP', source: {selector: "app == 'db'"}, destination: {ports: [80]}}],
  },
  {namespace: 'ns1'},
)
const stagedDenyAll = res('StagedNetworkPolicy', 'staged-deny', {tier: 'default', order: 1, selector: 'all()', types: ['Ingress'], ingress: [{action: 'Deny'}]}, {namespace: 'ns1'})
const denyNs2 = res('GlobalNetworkPolicy', 'deny-ns2', {
  tier: 'security',
  order: 100,
  selector: "projectcalico.org/namespace == 'ns2'",
  types: ['Egress'],
  egress: [{action: 'Deny'}],
})
const namedPort = res('GlobalNetworkPolicy', 'named-port', {
  tier: 'default',
  order: 5,
  selector: 'has(app)',
  types: ['Ingress'],
  ingress: [{action: 'Allow', protocol: 'TCP', destination: {ports: ['http']}}],
})
const fromRedTeam = res('GlobalNetworkPolicy', 'from-red-team', {
  tier: 'default',
  selector: "app == 'db'",
  types: ['Ingress'],
  ingress: [{action: 'Allow', source: {namespaceSelector: "team == 'red'"}}],
})
const dbNet = res('NetworkSet', 'db-net', {nets: ['10.0.0.2/32', '10.1.0.0/16']}, {namespace: 'ns1', labels: {app: 'db'}})

const hep1 = res('HostEndpoint', 'hep1', {node: NODE, interfaceName: '*', expectedIPs: ['192.168.0.1']}, {labels: {role: 'host'}})
const hep2 = res('HostEndpoint', 'hep2', {node: 'node2', interfaceName: 'eth0', expectedIPs: ['192.168.0.2']}, {labels: {role: 'host'}})
const hostUntracked = res('GlobalNetworkPolicy', 'host-untracked', {
  order: 1,
  selector: "role == 'host'",
  doNotTrack: true,
  applyOnForward: true,
  types: ['Ingress'],
  ingress: [{action: 'Allow', source: {nets: ['10.0.0.0/8']}}],
})
const hostPreDNAT = res('GlobalNetworkPolicy', 'host-prednat', {
  order: 2,
  selector: "role == 'host'",
  preDNAT: true,
  applyOnForward: true,
  types: ['Ingress'],
  ingress: [{action: 'Deny', source: {selector: "app == 'db'"}}],
})
const hostForward = res('GlobalNetworkPolicy', 'host-forward', {
  order: 3,
  selector: "role == 'host'",
  applyOnForward: true,
  types: ['Ingress', 'Egress'],
  ingress: allowAll,
  egress: allowAll,
})
const hostNormal = res('GlobalNetworkPolicy', 'host-normal', {
  order: 4,
  selector: "role == 'host'",
  types: ['Egress'],
  egress: [{action: 'Allow', destination: {selector: "ext == 'true'"}}],
})
const external = res('GlobalNetworkSet', 'external', {nets: ['8.8.8.0/24']}, {labels: {ext: 'true'}})
// IP pools: poolA changes NAT, disabled and encapsulation between states and finally its CIDR (a
// remove of the old id and an update of the new one); a pool with an unparseable CIDR is absent.
const poolA = res('IPPool', 'pool-a', {cidr: '10.0.0.0/16', natOutgoing: true, blockSize: 26})
const poolADisabled = res('IPPool', 'pool-a', {cidr: '10.0.0.0/16', natOutgoing: true, disabled: true, ipipMode: 'Always', blockSize: 26})
const poolAMoved = res('IPPool', 'pool-a', {cidr: '10.2.0.0/16', blockSize: 26})
const poolB = res('IPPool', 'pool-b', {cidr: '10.1.0.0/16', vxlanMode: 'CrossSubnet', natOutgoing: false})
const poolBad = res('IPPool', 'pool-bad', {cidr: 'not-a-cidr'})
const felixDefault = res('FelixConfiguration', 'default', {logSeverityScreen: 'Info', defaultEndpointToHostAction: 'Drop', iptablesRefreshInterval: '90s'})
const felixNode1 = res('FelixConfiguration', `node.${NODE}`, {logSeverityScreen: 'Debug'})
const felixNode2 = res('FelixConfiguration', 'node.node2', {logSeverityScreen: 'Warning'})

// ---- ipset ids ---------------------------------------------------------------------------------

/** allow-from-db's source: the rule selector with the policy's namespace folded in. */
export const SET_NS1_DB = sel("(projectcalico.org/namespace == 'ns1') && (app == 'db')")
/** named-port's destination: port `http` over TCP, filtered by all() (no positive selector). */
export const SET_HTTP = makeUniqueId('n', `${sel('all()')},tcp,http`)
/** from-red-team's source: the namespace selector with Calico's pcns. prefix. */
export const SET_RED_NAMESPACES = sel("pcns.team == 'red'")
export const SET_DB = sel("app == 'db'")
export const SET_EXTERNAL = sel("ext == 'true'")

const WEP_A = 'k8s/ns1/a/eth0'
const WEP_C = 'k8s/ns2/c/eth0'

// ---- states ------------------------------------------------------------------------------------

export const EMPTY: State = {name: 'empty', resources: [], expected: {ipsets: {}, policies: [], profiles: [], endpoints: {}, config: {}}}

export const PROFILES_ONLY: State = {
  name: 'local workload with profiles only',
  resources: [tierDefault, knsNs1, ksaNs1Sa1, wepA, wepB],
  expected: {
    ipsets: {},
    policies: [],
    profiles: ['kns.ns1', 'ksa.ns1.sa1'],
    endpoints: {[WEP_A]: ['profiles kns.ns1,ksa.ns1.sa1']},
    config: {},
  },
}

export const NAMESPACED_POLICY: State = {
  name: 'namespaced policy with a rule selector; staged policy ignored',
  resources: [...PROFILES_ONLY.resources, allowFromDb, stagedDenyAll],
  expected: {
    ipsets: {[SET_NS1_DB]: ['10.0.0.2/32']},
    policies: ['np/ns1/allow-from-db'],
    profiles: ['kns.ns1', 'ksa.ns1.sa1'],
    endpoints: {[WEP_A]: ['profiles kns.ns1,ksa.ns1.sa1', 'tier default Deny in=np/ns1/allow-from-db out=']},
    config: {},
  },
}

export const TIERS_AND_NAMED_PORTS: State = {
  name: 'tiers in order, named ports, a missing profile',
  resources: [...NAMESPACED_POLICY.resources, tierSecurity, denyNs2, namedPort, wepC, poolA],
  expected: {
    ipsets: {
      [SET_NS1_DB]: ['10.0.0.2/32'],
      [SET_HTTP]: ['10.0.0.1,tcp:8080', '10.0.0.2,tcp:9090'],
    },
    policies: ['gnp/deny-ns2', 'gnp/named-port', 'np/ns1/allow-from-db'],
    profiles: ['kns.ns1', 'kns.ns2', 'ksa.ns1.sa1'],
    endpoints: {
      [WEP_A]: ['profiles kns.ns1,ksa.ns1.sa1', 'tier default Deny in=gnp/named-port,np/ns1/allow-from-db out='],
      [WEP_C]: ['profiles kns.ns2', 'tier security Deny in= out=gnp/deny-ns2', 'tier default Deny in=gnp/named-port out='],
    },
    config: {},
    pools: {'10.0.0.0-16': '10.0.0.0/16 masq=true disabled=false ipip=Never vxlan=Never'},
  },
}

export const NAMESPACE_SELECTORS: State = {
  name: 'namespace selectors, inherited labels, a label change, shared ipset members',
  resources: [
    ...TIERS_AND_NAMED_PORTS.resources.filter((r) => r !== wepB && r !== poolA),
    wepBCache,
    fromRedTeam,
    dbNet,
    poolADisabled,
    poolB,
    poolBad,
  ],
  expected: {
    ipsets: {
      [SET_NS1_DB]: ['10.0.0.2/32', '10.1.0.0/16'],
      [SET_HTTP]: ['10.0.0.1,tcp:8080', '10.0.0.2,tcp:9090'],
      [SET_RED_NAMESPACES]: ['10.0.0.1/32', '10.0.0.2/32', '10.1.0.0/16'],
    },
    policies: ['gnp/deny-ns2', 'gnp/from-red-team', 'gnp/named-port', 'np/ns1/allow-from-db'],
    profiles: ['kns.ns1', 'kns.ns2', 'ksa.ns1.sa1'],
    endpoints: {
      [WEP_A]: ['profiles kns.ns1,ksa.ns1.sa1', 'tier default Deny in=gnp/named-port,np/ns1/allow-from-db out='],
      [WEP_C]: ['profiles kns.ns2', 'tier security Deny in= out=gnp/deny-ns2', 'tier default Deny in=gnp/named-port,gnp/from-red-team out='],
    },
    config: {},
    pools: {
      '10.0.0.0-16': '10.0.0.0/16 masq=true disabled=true ipip=Always vxlan=Never',
      '10.1.0.0-16': '10.1.0.0/16 masq=false disabled=false ipip=Never vxlan=CrossSubnet',
    },
  },
}

export const HOST_ENDPOINTS: State = {
  name: 'host endpoints with untracked, preDNAT, forward and normal policies; config',
  resources: [
    tierDefault,
    knsNs1,
    wepB,
    hep1,
    hep2,
    hostUntracked,
    hostPreDNAT,
    hostForward,
    hostNormal,
    external,
    felixDefault,
    felixNode1,
    felixNode2,
    poolAMoved,
  ],
  expected: {
    ipsets: {[SET_DB]: ['10.0.0.2/32'], [SET_EXTERNAL]: ['8.8.8.0/24']},
    policies: ['gnp/host-forward', 'gnp/host-normal', 'gnp/host-prednat', 'gnp/host-untracked'],
    profiles: [],
    endpoints: {
      'hep:hep1': [
        'name * ips 192.168.0.1',
        'profiles ',
        'tier default Deny in=gnp/host-forward out=gnp/host-forward,gnp/host-normal',
        'untracked default Pass in=gnp/host-untracked out=',
        'prednat default Pass in=gnp/host-prednat out=',
        'forward default Deny in=gnp/host-forward out=gnp/host-forward',
      ],
    },
    config: {DefaultEndpointToHostAction: 'Drop', IptablesRefreshInterval: '90', LogSeverityScreen: 'Debug'},
    pools: {'10.2.0.0-16': '10.2.0.0/16 masq=false disabled=false ipip=Never vxlan=Never'},
  },
}

/** In replay order: every neighbour pair differs in several ways (adds, removes, changes). */
export const STATE_SEQUENCE: readonly State[] = [EMPTY, PROFILES_ONLY, NAMESPACED_POLICY, TIERS_AND_NAMED_PORTS, NAMESPACE_SELECTORS, HOST_ENDPOINTS, EMPTY]

export const ALL_STATES: readonly State[] = [PROFILES_ONLY, NAMESPACED_POLICY, TIERS_AND_NAMED_PORTS, NAMESPACE_SELECTORS, HOST_ENDPOINTS]
