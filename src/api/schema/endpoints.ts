/**
 * Endpoint and node kinds: HostEndpoint (hostendpoint.go) and the internal-API Node and
 * WorkloadEndpoint (libcalico-go/lib/apis/internalapi), field for field in Go order.
 */
import {resourceStruct} from './resource.js'
import {ASN, DSCP, f, PROTOCOL, struct, t, type GoStruct} from './types.js'

export const EndpointPort: GoStruct = struct('v3', 'EndpointPort', [
  f('Name', 'name', t.string(), 'portName'),
  f('Protocol', 'protocol', PROTOCOL),
  f('Port', 'port', t.int('uint16'), 'gt=0'),
])

export const HostEndpointSpec: GoStruct = struct('v3', 'HostEndpointSpec', [
  f('Node', 'node,omitempty', t.string(), 'omitempty,name'),
  f('InterfaceName', 'interfaceName,omitempty', t.string(), 'omitempty,interface'),
  f('ExpectedIPs', 'expectedIPs,omitempty', t.slice(t.string()), 'omitempty,dive,ip'),
  f('Profiles', 'profiles,omitempty', t.slice(t.string()), 'omitempty,dive,name'),
  f('Ports', 'ports,omitempty', t.slice(t.struct(() => EndpointPort)), 'dive'),
])

export const NodeSpec: GoStruct = struct('internalapi', 'NodeSpec', [
  f('BGP', 'bgp,omitempty', t.ptr(t.struct(() => NodeBGPSpec)), 'omitempty'),
  f('IPv4VXLANTunnelAddr', 'ipv4VXLANTunnelAddr,omitempty', t.string(), 'omitempty,ipv4'),
  f('VXLANTunnelMACAddr', 'vxlanTunnelMACAddr,omitempty', t.string(), 'omitempty,mac'),
  f('IPv6VXLANTunnelAddr', 'ipv6VXLANTunnelAddr,omitempty', t.string(), 'omitempty,ipv6'),
  f('VXLANTunnelMACAddrV6', 'vxlanTunnelMACAddrV6,omitempty', t.string(), 'omitempty,mac'),
  f('OrchRefs', 'orchRefs,omitempty', t.slice(t.struct(() => OrchRef)), 'omitempty'),
  f('Wireguard', 'wireguard,omitempty', t.ptr(t.struct(() => NodeWireguardSpec)), 'omitempty'),
  f('Addresses', 'addresses,omitempty', t.slice(t.struct(() => NodeAddress)), 'omitempty'),
  f('Interfaces', 'interfaces,omitempty', t.slice(t.struct(() => NodeInterface)), 'omitempty'),
])

export const NodeAddress: GoStruct = struct('internalapi', 'NodeAddress', [
  f('Address', 'address', t.string(), 'net'),
  f('Type', 'type,omitempty', t.string(), 'omitempty,ipType'),
])

export const NodeInterface: GoStruct = struct('internalapi', 'NodeInterface', [
  f('Name', 'name,omitempty', t.string(), 'omitempty,name'),
  f('Addresses', 'addresses,omitempty', t.slice(t.string()), 'omitempty'),
])

export const NodeStatus: GoStruct = struct('internalapi', 'NodeStatus', [
  f('WireguardPublicKey', 'wireguardPublicKey,omitempty', t.string(), 'omitempty,wireguardPublicKey'),
  f('WireguardPublicKeyV6', 'wireguardPublicKeyV6,omitempty', t.string(), 'omitempty,wireguardPublicKey'),
  f('PodCIDRs', 'podCIDRs,omitempty', t.slice(t.string()), 'omitempty'),
])

export const OrchRef: GoStruct = struct('internalapi', 'OrchRef', [
  f('NodeName', 'nodeName,omitempty', t.string(), 'omitempty'),
  f('Orchestrator', 'orchestrator', t.string()),
])

export const NodeBGPSpec: GoStruct = struct('internalapi', 'NodeBGPSpec', [
  f('ASNumber', 'asNumber,omitempty', t.ptr(ASN)),
  f('IPv4Address', 'ipv4Address,omitempty', t.string(), 'omitempty,cidrv4'),
  f('IPv6Address', 'ipv6Address,omitempty', t.string(), 'omitempty,cidrv6'),
  f('IPv4IPIPTunnelAddr', 'ipv4IPIPTunnelAddr,omitempty', t.string(), 'omitempty,ipv4'),
  f('RouteReflectorClusterID', 'routeReflectorClusterID,omitempty', t.string(), 'omitempty,ipv4'),
])

export const NodeWireguardSpec: GoStruct = struct('internalapi', 'NodeWireguardSpec', [
  f('InterfaceIPv4Address', 'interfaceIPv4Address,omitempty', t.string(), 'omitempty,ipv4'),
  f('InterfaceIPv6Address', 'interfaceIPv6Address,omitempty', t.string(), 'omitempty,ipv6'),
])

export const WorkloadEndpointSpec: GoStruct = struct('internalapi', 'WorkloadEndpointSpec', [
  f('Orchestrator', 'orchestrator,omitempty', t.string(), 'omitempty,name'),
  f('Workload', 'workload,omitempty', t.string(), 'omitempty,name'),
  f('Node', 'node,omitempty', t.string(), 'omitempty,name'),
  f('ContainerID', 'containerID,omitempty', t.string(), 'omitempty,containerID'),
  f('Pod', 'pod,omitempty', t.string(), 'omitempty,name'),
  f('Endpoint', 'endpoint,omitempty', t.string(), 'omitempty,name'),
  f('ServiceAccountName', 'serviceAccountName,omitempty', t.string(), 'omitempty,name'),
  f('IPNetworks', 'ipNetworks,omitempty', t.slice(t.string()), 'omitempty,dive,net'),
  f('IPNATs', 'ipNATs,omitempty', t.slice(t.struct(() => IPNAT)), 'omitempty,dive'),
  f('IPv4Gateway', 'ipv4Gateway,omitempty', t.string(), 'omitempty,ipv4'),
  f('IPv6Gateway', 'ipv6Gateway,omitempty', t.string(), 'omitempty,ipv6'),
  f('Profiles', 'profiles,omitempty', t.slice(t.string()), 'omitempty,dive,name'),
  f('InterfaceName', 'interfaceName,omitempty', t.string(), 'interface'),
  f('MAC', 'mac,omitempty', t.string(), 'omitempty,mac'),
  f('Ports', 'ports,omitempty', t.slice(t.struct(() => WorkloadEndpointPort)), 'dive,omitempty'),
  f('AllowSpoofedSourcePrefixes', 'allowSpoofedSourcePrefixes,omitempty', t.slice(t.string()), 'omitempty,dive,cidr'),
  f('QoSControls', 'qosControls,omitempty', t.ptr(t.struct(() => QoSControls)), 'omitempty'),
])

export const WorkloadEndpointPort: GoStruct = struct('internalapi', 'WorkloadEndpointPort', [
  f('Name', 'name', t.string(), 'omitempty,portName'),
  f('Protocol', 'protocol', PROTOCOL),
  f('Port', 'port', t.int('uint16'), 'gt=0'),
  f('HostPort', 'hostPort', t.int('uint16')),
  f('HostIP', 'hostIP', t.string(), 'omitempty,net'),
])

export const IPNAT: GoStruct = struct('internalapi', 'IPNAT', [
  f('InternalIP', 'internalIP', t.string(), 'omitempty,ip'),
  f('ExternalIP', 'externalIP', t.string(), 'omitempty,ip'),
])

export const QoSControls: GoStruct = struct('internalapi', 'QoSControls', [
  f('IngressBandwidth', 'ingressBandwidth,omitempty', t.int('int64')),
  f('IngressBurst', 'ingressBurst,omitempty', t.int('int64')),
  f('IngressPeakrate', 'ingressPeakrate,omitempty', t.int('int64')),
  f('IngressMinburst', 'ingressMinburst,omitempty', t.int('int64')),
  f('EgressBandwidth', 'egressBandwidth,omitempty', t.int('int64')),
  f('EgressBurst', 'egressBurst,omitempty', t.int('int64')),
  f('EgressPeakrate', 'egressPeakrate,omitempty', t.int('int64')),
  f('EgressMinburst', 'egressMinburst,omitempty', t.int('int64')),
  f('IngressPacketRate', 'ingressPacketRate,omitempty', t.int('int64')),
  f('IngressPacketBurst', 'ingressPacketBurst,omitempty', t.int('int64')),
  f('EgressPacketRate', 'egressPacketRate,omitempty', t.int('int64')),
  f('EgressPacketBurst', 'egressPacketBurst,omitempty', t.int('int64')),
  f('IngressMaxConnections', 'ingressMaxConnections,omitempty', t.int('int64')),
  f('EgressMaxConnections', 'egressMaxConnections,omitempty', t.int('int64')),
  f('DSCP', 'dscp,omitempty', t.ptr(DSCP)),
])

export const HostEndpoint = resourceStruct('v3', 'HostEndpoint', HostEndpointSpec)
/** Node's status is a plain struct (always printed, `status: {}` when empty). */
export const Node = resourceStruct('internalapi', 'Node', NodeSpec, f('Status', 'status,omitempty', t.struct(() => NodeStatus)))
export const WorkloadEndpoint = resourceStruct('internalapi', 'WorkloadEndpoint', WorkloadEndpointSpec)
