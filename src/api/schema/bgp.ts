/**
 * BGP kinds (bgpconfig.go, bgppeer.go, bgpfilter.go), field for field in Go order.
 */
import {SecretKeySelector} from './meta.js'
import {resourceStruct} from './resource.js'
import {ASN, DURATION, f, struct, t, type GoStruct} from './types.js'

export const BGPPassword: GoStruct = struct('v3', 'BGPPassword', [
  f('SecretKeyRef', 'secretKeyRef,omitempty', t.ptr(t.struct(() => SecretKeySelector))),
])

export const BGPConfigurationSpec: GoStruct = struct('v3', 'BGPConfigurationSpec', [
  f('LogSeverityScreen', 'logSeverityScreen,omitempty', t.string(), 'omitempty,logLevel'),
  f('NodeToNodeMeshEnabled', 'nodeToNodeMeshEnabled,omitempty', t.ptr(t.bool()), 'omitempty'),
  f('ASNumber', 'asNumber,omitempty', t.ptr(ASN), 'omitempty'),
  f('ServiceLoadBalancerIPs', 'serviceLoadBalancerIPs,omitempty', t.slice(t.struct(() => ServiceLoadBalancerIPBlock)), 'omitempty,dive'),
  f('ServiceExternalIPs', 'serviceExternalIPs,omitempty', t.slice(t.struct(() => ServiceExternalIPBlock)), 'omitempty,dive'),
  f('ServiceClusterIPs', 'serviceClusterIPs,omitempty', t.slice(t.struct(() => ServiceClusterIPBlock)), 'omitempty,dive'),
  f('ServiceLoadBalancerAggregation', 'serviceLoadBalancerAggregation,omitempty', t.ptr(t.string('v3.ServiceLoadBalancerAggregation')), 'omitempty'),
  f('Communities', 'communities,omitempty', t.slice(t.struct(() => Community)), 'omitempty,dive'),
  f('PrefixAdvertisements', 'prefixAdvertisements,omitempty', t.slice(t.struct(() => PrefixAdvertisement)), 'omitempty,dive'),
  f('ListenPort', 'listenPort,omitempty', t.int('uint16'), 'omitempty,gt=0'),
  f('NodeMeshPassword', 'nodeMeshPassword,omitempty', t.ptr(t.struct(() => BGPPassword)), 'omitempty'),
  f('NodeMeshMaxRestartTime', 'nodeMeshMaxRestartTime,omitempty', t.ptr(DURATION)),
  f('BindMode', 'bindMode,omitempty', t.ptr(t.string('v3.BindMode'))),
  f('IgnoredInterfaces', 'ignoredInterfaces,omitempty', t.slice(t.string()), 'omitempty,dive,ignoredInterface'),
  f('LocalWorkloadPeeringIPV4', 'localWorkloadPeeringIPV4,omitempty', t.string(), 'omitempty,ipv4'),
  f('LocalWorkloadPeeringIPV6', 'localWorkloadPeeringIPV6,omitempty', t.string(), 'omitempty,ipv6'),
  f('ProgramClusterRoutes', 'programClusterRoutes,omitempty', t.ptr(t.string())),
  f('IPv4NormalRoutePriority', 'ipv4NormalRoutePriority,omitempty', t.ptr(t.int('int')), 'omitempty,gte=1,lte=2147483646'),
  f('IPv6NormalRoutePriority', 'ipv6NormalRoutePriority,omitempty', t.ptr(t.int('int')), 'omitempty,gte=1,lte=2147483646'),
])

export const ServiceLoadBalancerIPBlock: GoStruct = struct('v3', 'ServiceLoadBalancerIPBlock', [
  f('CIDR', 'cidr,omitempty', t.string(), 'omitempty,net'),
])

export const ServiceExternalIPBlock: GoStruct = struct('v3', 'ServiceExternalIPBlock', [
  f('CIDR', 'cidr,omitempty', t.string(), 'omitempty,net'),
])

export const ServiceClusterIPBlock: GoStruct = struct('v3', 'ServiceClusterIPBlock', [
  f('CIDR', 'cidr,omitempty', t.string(), 'omitempty,net'),
])

export const Community: GoStruct = struct('v3', 'Community', [
  f('Name', 'name,omitempty', t.string(), 'required,name'),
  f('Value', 'value,omitempty', t.string(), 'required'),
])

export const PrefixAdvertisement: GoStruct = struct('v3', 'PrefixAdvertisement', [
  f('CIDR', 'cidr,omitempty', t.string(), 'required,net'),
  f('Communities', 'communities,omitempty', t.slice(t.string()), 'required'),
])

export const BGPPeerSpec: GoStruct = struct('v3', 'BGPPeerSpec', [
  f('Node', 'node,omitempty', t.string(), 'omitempty,name'),
  f('NodeSelector', 'nodeSelector,omitempty', t.string(), 'omitempty,selector'),
  f('PeerIP', 'peerIP,omitempty', t.string(), 'omitempty,IP:port'),
  f('ASNumber', 'asNumber,omitempty', ASN),
  f('LocalASNumber', 'localASNumber,omitempty', t.ptr(ASN)),
  f('PeerSelector', 'peerSelector,omitempty', t.string(), 'omitempty,selector'),
  f('KeepOriginalNextHop', 'keepOriginalNextHop,omitempty', t.bool()),
  f('NextHopMode', 'nextHopMode,omitempty', t.ptr(t.string('v3.NextHopMode'))),
  f('Password', 'password,omitempty', t.ptr(t.struct(() => BGPPassword)), 'omitempty'),
  f('SourceAddress', 'sourceAddress,omitempty', t.string('v3.SourceAddress'), 'omitempty,sourceAddress'),
  f('MaxRestartTime', 'maxRestartTime,omitempty', t.ptr(DURATION)),
  f('KeepaliveTime', 'keepaliveTime,omitempty', t.ptr(DURATION)),
  f('NumAllowedLocalASNumbers', 'numAllowedLocalASNumbers,omitempty', t.ptr(t.int('int32'))),
  f('TTLSecurity', 'ttlSecurity,omitempty', t.ptr(t.int('uint8'))),
  f('ReachableBy', 'reachableBy,omitempty', t.string(), 'omitempty,reachableBy'),
  f('Filters', 'filters,omitempty', t.slice(t.string()), 'omitempty,dive,name'),
  f('LocalWorkloadSelector', 'localWorkloadSelector,omitempty', t.string(), 'omitempty,selector'),
  f('ReversePeering', 'reversePeering,omitempty', t.ptr(t.string('v3.ReversePeering'))),
])

export const BGPFilterSpec: GoStruct = struct('v3', 'BGPFilterSpec', [
  f('ExportV4', 'exportV4,omitempty', t.slice(t.struct(() => BGPFilterRuleV4)), 'omitempty,dive'),
  f('ImportV4', 'importV4,omitempty', t.slice(t.struct(() => BGPFilterRuleV4)), 'omitempty,dive'),
  f('ExportV6', 'exportV6,omitempty', t.slice(t.struct(() => BGPFilterRuleV6)), 'omitempty,dive'),
  f('ImportV6', 'importV6,omitempty', t.slice(t.struct(() => BGPFilterRuleV6)), 'omitempty,dive'),
])

/** BGPFilterRuleV4 and V6 differ only in the CIDR's family check and the prefix-length type. */
function bgpFilterRule(family: 'V4' | 'V6', prefixLength: () => GoStruct): GoStruct {
  return struct('v3', `BGPFilterRule${family}`, [
    f('CIDR', 'cidr,omitempty', t.string(), `omitempty,net${family.toLowerCase()}`),
    f('PrefixLength', 'prefixLength,omitempty', t.ptr(t.struct(prefixLength)), 'omitempty'),
    f('Source', 'source,omitempty', t.string('v3.BGPFilterMatchSource'), 'omitempty,oneof=RemotePeers'),
    f('Interface', 'interface,omitempty', t.string(), 'omitempty,bgpFilterInterface'),
    f('MatchOperator', 'matchOperator,omitempty', t.string('v3.BGPFilterMatchOperator'), 'omitempty,matchOperator'),
    f('PeerType', 'peerType,omitempty', t.string('v3.BGPFilterPeerType'), 'omitempty,oneof=eBGP iBGP'),
    f('Communities', 'communities,omitempty', t.ptr(t.struct(() => BGPFilterCommunityMatch)), 'omitempty'),
    f('ASPathPrefix', 'asPathPrefix,omitempty', t.slice(ASN), 'omitempty'),
    f('Priority', 'priority,omitempty', t.ptr(t.int('int')), 'omitempty,gte=1,lte=2147483646'),
    f('Action', 'action', t.string('v3.BGPFilterAction'), 'required,filterAction'),
    f('Operations', 'operations,omitempty', t.slice(t.struct(() => BGPFilterOperation)), 'omitempty,dive'),
  ])
}

export const BGPFilterRuleV4: GoStruct = bgpFilterRule('V4', () => BGPFilterPrefixLengthV4)
export const BGPFilterRuleV6: GoStruct = bgpFilterRule('V6', () => BGPFilterPrefixLengthV6)

export const BGPFilterPrefixLengthV4: GoStruct = struct('v3', 'BGPFilterPrefixLengthV4', [
  f('Min', 'min,omitempty', t.ptr(t.int('int32')), 'omitempty,bgpFilterPrefixLengthV4'),
  f('Max', 'max,omitempty', t.ptr(t.int('int32')), 'omitempty,bgpFilterPrefixLengthV4'),
])

export const BGPFilterPrefixLengthV6: GoStruct = struct('v3', 'BGPFilterPrefixLengthV6', [
  f('Min', 'min,omitempty', t.ptr(t.int('int32')), 'omitempty,bgpFilterPrefixLengthV6'),
  f('Max', 'max,omitempty', t.ptr(t.int('int32')), 'omitempty,bgpFilterPrefixLengthV6'),
])

export const BGPFilterCommunityMatch: GoStruct = struct('v3', 'BGPFilterCommunityMatch', [
  f('Values', 'values', t.slice(t.string('v3.BGPCommunityValue')), 'required'),
])

export const BGPFilterOperation: GoStruct = struct('v3', 'BGPFilterOperation', [
  f('AddCommunity', 'addCommunity,omitempty', t.ptr(t.struct(() => BGPFilterAddCommunity)), 'omitempty'),
  f('PrependASPath', 'prependASPath,omitempty', t.ptr(t.struct(() => BGPFilterPrependASPath)), 'omitempty'),
  f('SetPriority', 'setPriority,omitempty', t.ptr(t.struct(() => BGPFilterSetPriority)), 'omitempty'),
])

export const BGPFilterAddCommunity: GoStruct = struct('v3', 'BGPFilterAddCommunity', [
  f('Value', 'value', t.ptr(t.string('v3.BGPCommunityValue')), 'required'),
])

export const BGPFilterPrependASPath: GoStruct = struct('v3', 'BGPFilterPrependASPath', [
  f('Prefix', 'prefix', t.slice(ASN), 'required'),
])

export const BGPFilterSetPriority: GoStruct = struct('v3', 'BGPFilterSetPriority', [
  f('Value', 'value', t.ptr(t.int('int')), 'required,gte=1,lte=2147483646'),
])

export const BGPConfiguration = resourceStruct('v3', 'BGPConfiguration', BGPConfigurationSpec)
export const BGPPeer = resourceStruct('v3', 'BGPPeer', BGPPeerSpec)
export const BGPFilter = resourceStruct('v3', 'BGPFilter', BGPFilterSpec)
