// FelixConfiguration, IPAMConfiguration, KubeControllersConfiguration, CalicoNodeStatus,
// IPReservation and ClusterInformation validation.
import {doc, fixture, many, one, runCases, tag, type Case} from './helpers.js'

const felix = (spec: Record<string, unknown>): Record<string, unknown> => doc('FelixConfiguration', spec, {name: 'default'})
const kcc = (spec: Record<string, unknown>): Record<string, unknown> => doc('KubeControllersConfiguration', spec, {name: 'default'})
const ns = (spec: Record<string, unknown>): Record<string, unknown> => doc('CalicoNodeStatus', spec)
const tagCase = (name: string, spec: Record<string, unknown>, field: string, value: string, tagName: string): Case => ({
  name,
  doc: felix(spec),
  want: one(field, value, tag(field, tagName)),
})

const cases: Case[] = [
  // FelixConfiguration: enums and ranges from the field tags.
  {name: 'felix fixture', doc: fixture('felixconfiguration.yaml'), want: 'valid'},
  {name: 'an empty per-node felix config', doc: doc('FelixConfiguration', {}, {name: 'node.worker-1'}), want: 'valid'},
  tagCase('log level', {logSeverityScreen: 'info'}, 'LogSeverityScreen', 'info', 'logLevel'),
  tagCase('iptables backend', {iptablesBackend: 'nft'}, 'IptablesBackend', 'nft', 'iptablesBackend'),
  tagCase('endpoint-to-host action', {defaultEndpointToHostAction: 'drop'}, 'DefaultEndpointToHostAction', 'drop', 'dropAcceptReturn'),
  tagCase('filter allow action', {iptablesFilterAllowAction: 'Drop'}, 'IptablesFilterAllowAction', 'Drop', 'acceptReturn'),
  tagCase('filter deny action', {nftablesFilterDenyAction: 'Accept'}, 'NftablesFilterDenyAction', 'Accept', 'dropReject'),
  tagCase('BPF log level', {bpfLogLevel: 'Trace'}, 'BPFLogLevel', 'Trace', 'bpfLogLevel'),
  tagCase('BPF external service mode', {bpfExternalServiceMode: 'dsr'}, 'BPFExternalServiceMode', 'dsr', 'bpfServiceMode'),
  tagCase('BPF connect-time LB', {bpfConnectTimeLoadBalancing: 'On'}, 'BPFConnectTimeLoadBalancing', 'On', 'oneof'),
  tagCase('BPF host-networked NAT', {bpfHostNetworkedNATWithoutCTLB: 'Yes'}, 'BPFHostNetworkedNATWithoutCTLB', 'Yes', 'oneof'),
  tagCase('BPF conntrack mode', {bpfConntrackMode: 'Kernel'}, 'BPFConntrackCleanupMode', 'Kernel', 'oneof'),
  tagCase('wireguard port 0', {wireguardListeningPort: 0}, 'WireguardListeningPort', '0', 'gt'),
  tagCase('wireguard port 70000', {wireguardListeningPortV6: 70000}, 'WireguardListeningPortV6', '70000', 'lte'),
  tagCase('wireguard rule priority', {wireguardRoutingRulePriority: 32766}, 'WireguardRoutingRulePriority', '32766', 'lt'),
  tagCase('wireguard interface name', {wireguardInterfaceName: 'wireguard.cali.0'}, 'WireguardInterfaceName', 'wireguard.cali.0', 'interface'),
  tagCase('debug port', {debugPort: 65536}, 'DebugPort', '65536', 'lte'),
  tagCase('prometheus host', {prometheusMetricsHost: 'bad host'}, 'PrometheusMetricsHost', 'bad host', 'prometheusHost'),
  tagCase('prometheus client auth', {prometheusMetricsClientAuth: 'Any'}, 'PrometheusMetricsClientAuth', 'Any', 'oneof'),
  tagCase('NAT exclusions', {natOutgoingExclusions: 'None'}, 'NATOutgoingExclusions', 'None', 'oneof'),
  tagCase('route source (checked as a regexp)', {routeSource: '('}, 'RouteSource', '(', 'routeSource'),
  tagCase('debug filename regex', {logDebugFilenameRegex: '[a-'}, 'LogDebugFilenameRegex', '[a-', 'regexp'),
  tagCase('feature gates', {featureGates: 'a=b,c'}, 'FeatureGates', 'a=b,c', 'keyValueList'),
  {name: 'key=value list with empty items', doc: felix({featureDetectOverride: 'a=b,,c=d,'}), want: 'valid'},
  tagCase('BPF log filters', {bpfLogFilters: {eth0: 'tcp', '*': 'all'}}, 'BPFLogFilters', 'map[*:all eth0:tcp]', 'bpfLogFilters'),
  tagCase('force-track interfaces', {bpfForceTrackPacketsFromIfaces: ['docker+', 'bad iface']}, 'BPFForceTrackPacketsFromIfaces', '[docker+ bad iface]', 'ifaceFilterSlice'),
  tagCase('DSR opt-out CIDRs', {bpfDSROptoutCIDRs: ['10.0.0.0/8', 'x']}, 'BPFDSROptoutCIDRs', '[10.0.0.0/8 x]', 'cidrs'),
  tagCase('Go GC threshold', {goGCThreshold: -2}, 'GoGCThreshold', '-2', 'gte'),
  tagCase('maglev services', {bpfMaglevMaxServices: 0}, 'BPFMaglevMaxServices', '0', 'gt'),
  tagCase('conntrack cleanup queue', {bpfMapSizeConntrackCleanupQueue: 0}, 'BPFMapSizeConntrackCleanupQueue', '0', 'gte'),
  tagCase('export buffer size (Calico tags it cidrs)', {bpfExportBufferSizeMB: 5}, 'BPFExportBufferSizeMB', '5', 'cidrs'),
  tagCase('AWS src/dst check', {awsSrcDstCheck: 'Off'}, 'AWSSrcDstCheck', 'Off', 'oneof'),
  tagCase('service loop prevention', {serviceLoopPrevention: 'Allow'}, 'ServiceLoopPrevention', 'Allow', 'oneof'),
  tagCase('workload source spoofing', {workloadSourceSpoofing: 'All'}, 'WorkloadSourceSpoofing', 'All', 'oneof'),
  {name: 'interface filter with a wildcard', doc: felix({iptablesNATOutgoingInterfaceFilter: 'eth+'}), want: 'valid'},
  {name: 'connmark at the uint32 limit', doc: felix({bpfExtToServiceConnmark: 4294967295}), want: 'valid'},

  // FelixConfiguration: validateFelixConfigSpec.
  {
    name: 'too many node port ranges',
    doc: felix({kubeNodePortRanges: [1, 2, 3, 4, 5, 6, 7, 8]}),
    want: one('KubeNodePortRanges', '[1 2 3 4 5 6 7 8]', 'node port ranges list is too long (max 7)'),
  },
  {
    name: 'named node port range',
    doc: felix({kubeNodePortRanges: ['30000:32767', 'http']}),
    want: one('KubeNodePortRanges', '[30000:32767 http]', 'node port ranges should not contain named ports'),
  },
  {
    name: 'external node CIDRs',
    doc: felix({externalNodesList: ['10.0.0.0/8', 'fd00::/64', 'x']}),
    want: many(['ExternalNodesCIDRList', 'fd00::/64', 'has invalid IPv6 CIDR'], ['ExternalNodesCIDRList', 'x', 'has invalid CIDR(s)']),
  },
  {name: 'OpenStack region too long', doc: felix({openstackRegion: 'r'.repeat(47)}), want: one('OpenstackRegion', 'r'.repeat(47), 'is too long')},
  {name: 'OpenStack region not a label', doc: felix({openstackRegion: 'Region_1'}), want: one('OpenstackRegion', 'Region_1', 'must be a valid DNS label')},
  {name: 'NAT outgoing address', doc: felix({natOutgoingAddress: 'fd00::1'}), want: one('NATOutgoingAddress', 'fd00::1', 'is not a valid IPv4 address')},
  {
    name: 'device route source address',
    doc: felix({deviceRouteSourceAddress: 'nope', deviceRouteSourceAddressIPv6: '10.0.0.1'}),
    want: many(
      ['DeviceRouteSourceAddress', 'nope', 'is not a valid IPv4 address'],
      ['DeviceRouteSourceAddressIPv6', '10.0.0.1', 'is not a valid IPv6 address'],
    ),
  },
  {
    name: 'routeTableRange and routeTableRanges',
    doc: felix({routeTableRange: {min: 1, max: 250}, routeTableRanges: [{min: 1, max: 250}]}),
    want: one('RouteTableRange', '&{1 250}', 'cannot be set when `RouteTableRanges` is also set'),
  },
  {
    name: 'routeTableRange outside 1..250',
    doc: felix({routeTableRange: {min: 0, max: 300}}),
    want: one('RouteTableRange', '{0 300}', 'must be a range of route table indices within 1..250'),
  },
  {
    name: 'routeTableRanges min above max',
    doc: felix({routeTableRanges: [{min: 5, max: 1}]}),
    want: one('RouteTableRange', '{5 1}', 'min value cannot be greater than max value'),
  },
  {name: 'routeTableRanges from 0', doc: felix({routeTableRanges: [{min: 0, max: 10}]}), want: one('RouteTableRange', '{0 10}', 'cannot target indices < 1')},
  {
    name: 'routeTableRanges over 65535 tables',
    doc: felix({routeTableRanges: [{min: 1, max: 70000}]}),
    want: one('RouteTableRanges', '&[{1 70000}]', 'targets too many tables'),
  },
  {
    name: 'health timeout override name',
    doc: felix({healthTimeoutOverrides: [{name: 'bad/name', timeout: '60s'}]}),
    want: one('HealthTimeoutOverride.Name', '{bad/name 1m0s}', 'name should match regex ^[a-zA-Z0-9_ -]+$'),
  },
  {
    name: 'negative health timeout',
    doc: felix({healthTimeoutOverrides: [{name: 'Main Loop', timeout: '-5s'}]}),
    want: one('HealthTimeoutOverride.Timeout', '{Main Loop -5s}', 'Timeout should not be negative'),
  },

  // IPAMConfiguration.
  {name: 'IPAM fixture', doc: fixture('ipamconfiguration.yaml'), want: 'valid'},
  {
    name: 'negative max blocks per host',
    doc: doc('IPAMConfiguration', {maxBlocksPerHost: -1}, {name: 'default'}),
    want: one('MaxBlocksPerHost', '-1', 'must be greater than or equal to 0'),
  },

  // KubeControllersConfiguration.
  {name: 'kube-controllers fixture', doc: fixture('kubecontrollersconfiguration.yaml'), want: 'valid'},
  {name: 'health checks', doc: kcc({healthChecks: 'On'}), want: one('HealthChecks', 'On', tag('HealthChecks', 'oneof'))},
  {
    name: 'load balancer assignIPs',
    doc: kcc({controllers: {loadBalancer: {assignIPs: 'Some'}}}),
    want: one('AssignIPs', 'Some', tag('AssignIPs', 'assignIPs')),
  },
  {
    name: 'default host endpoint mode',
    doc: kcc({controllers: {node: {hostEndpoint: {createDefaultHostEndpoint: 'Yes'}}}}),
    want: one('CreateDefaultHostEndpoint', 'Yes', tag('CreateDefaultHostEndpoint', 'createDefaultHostEndpoint')),
  },
  {
    name: 'host endpoint templates are not checked by tags (the slice has no dive)',
    doc: kcc({controllers: {node: {hostEndpoint: {templates: [{generateName: 'tpl', interfaceCIDRs: ['x'], interfacePattern: '(', labels: {'bad key': 'v'}}]}}}}),
    want: 'valid',
  },
  {
    name: 'policy name migrator',
    doc: kcc({controllers: {policyMigration: {enabled: 'On'}}}),
    want: one('PolicyNameMigrator', 'On', tag('PolicyNameMigrator', 'oneof')),
  },

  // CalicoNodeStatus.
  {name: 'node status fixture', doc: fixture('caliconodestatus.yaml'), want: 'valid'},
  {
    name: 'node status with nothing set',
    doc: ns({}),
    want: many(
      ['Node', '', tag('Node', 'required')],
      ['Classes', '[]', tag('Classes', 'required')],
      ['UpdatePeriodSeconds', '<nil>', tag('UpdatePeriodSeconds', 'required')],
    ),
  },
  {name: 'node status period 0 is set', doc: ns({node: 'n1', classes: ['BGP'], updatePeriodSeconds: 0}), want: 'valid'},
  {
    name: 'node status period over a day',
    doc: ns({node: 'n1', classes: ['BGP'], updatePeriodSeconds: 86401}),
    want: one('UpdatePeriodSeconds', '86401', tag('UpdatePeriodSeconds', 'lte')),
  },
  {
    name: 'repeated node status class',
    doc: ns({node: 'n1', classes: ['Agent', 'Agent'], updatePeriodSeconds: 5}),
    want: one('Classes', '[Agent Agent]', tag('Classes', 'unique')),
  },
  {name: 'unknown class passes the Go validator', doc: ns({node: 'n1', classes: ['Everything'], updatePeriodSeconds: 5}), want: 'valid'},

  // IPReservation and ClusterInformation.
  {name: 'reservation fixture', doc: fixture('ipreservation.yaml'), want: 'valid'},
  {name: 'bad reservation', doc: doc('IPReservation', {reservedCIDRs: ['10.0.0.0/8', 'x']}), want: one('ReservedCIDRs', '[10.0.0.0/8 x]', tag('ReservedCIDRs', 'cidrs'))},
  {name: 'cluster information fixture', doc: fixture('clusterinformation.yaml'), want: 'valid'},
]

runCases('config', cases)
