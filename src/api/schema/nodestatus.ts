/**
 * CalicoNodeStatus (nodestatus.go), field for field in Go order. Its status is filled in by
 * calico-node; the struct has no omitempty, so even an empty one prints its zero counters.
 */
import {resourceStruct} from './resource.js'
import {f, struct, t, TIME, type GoStruct} from './types.js'

export const CalicoNodeStatusSpec: GoStruct = struct('v3', 'CalicoNodeStatusSpec', [
  f('Node', 'node,omitempty', t.string(), 'required,name'),
  f('Classes', 'classes,omitempty', t.slice(t.string('v3.NodeStatusClassType')), 'required,unique'),
  f('UpdatePeriodSeconds', 'updatePeriodSeconds,omitempty', t.ptr(t.int('uint32')), 'required,gte=0,lte=86400'),
])

export const CalicoNodeStatusStatus: GoStruct = struct('v3', 'CalicoNodeStatusStatus', [
  f('LastUpdated', 'lastUpdated', TIME),
  f('Agent', 'agent', t.struct(() => CalicoNodeAgentStatus)),
  f('BGP', 'bgp', t.struct(() => CalicoNodeBGPStatus)),
  f('Routes', 'routes', t.struct(() => CalicoNodeBGPRouteStatus)),
])

export const CalicoNodeAgentStatus: GoStruct = struct('v3', 'CalicoNodeAgentStatus', [
  f('BIRDV4', 'birdV4', t.struct(() => BGPDaemonStatus)),
  f('BIRDV6', 'birdV6', t.struct(() => BGPDaemonStatus)),
])

export const CalicoNodeBGPStatus: GoStruct = struct('v3', 'CalicoNodeBGPStatus', [
  f('NumberEstablishedV4', 'numberEstablishedV4', t.int('int')),
  f('NumberNotEstablishedV4', 'numberNotEstablishedV4', t.int('int')),
  f('NumberEstablishedV6', 'numberEstablishedV6', t.int('int')),
  f('NumberNotEstablishedV6', 'numberNotEstablishedV6', t.int('int')),
  f('PeersV4', 'peersV4,omitempty', t.slice(t.struct(() => CalicoNodePeer))),
  f('PeersV6', 'peersV6,omitempty', t.slice(t.struct(() => CalicoNodePeer))),
])

export const CalicoNodeBGPRouteStatus: GoStruct = struct('v3', 'CalicoNodeBGPRouteStatus', [
  f('RoutesV4', 'routesV4,omitempty', t.slice(t.struct(() => CalicoNodeRoute))),
  f('RoutesV6', 'routesV6,omitempty', t.slice(t.struct(() => CalicoNodeRoute))),
])

export const BGPDaemonStatus: GoStruct = struct('v3', 'BGPDaemonStatus', [
  f('State', 'state,omitempty', t.string('v3.BGPDaemonState')),
  f('Version', 'version,omitempty', t.string()),
  f('RouterID', 'routerID,omitempty', t.string()),
  f('LastBootTime', 'lastBootTime,omitempty', t.string()),
  f('LastReconfigurationTime', 'lastReconfigurationTime,omitempty', t.string()),
])

export const CalicoNodePeer: GoStruct = struct('v3', 'CalicoNodePeer', [
  f('PeerIP', 'peerIP,omitempty', t.string(), 'omitempty,ip'),
  f('Type', 'type,omitempty', t.string('v3.BGPPeerType')),
  f('State', 'state,omitempty', t.string('v3.BGPSessionState')),
  f('Since', 'since,omitempty', t.string()),
])

export const CalicoNodeRoute: GoStruct = struct('v3', 'CalicoNodeRoute', [
  f('Type', 'type,omitempty', t.string('v3.CalicoNodeRouteType')),
  f('Destination', 'destination,omitempty', t.string()),
  f('Gateway', 'gateway,omitempty', t.string()),
  f('Interface', 'interface,omitempty', t.string()),
  f('LearnedFrom', 'learnedFrom,omitempty', t.struct(() => CalicoNodeRouteLearnedFrom)),
])

export const CalicoNodeRouteLearnedFrom: GoStruct = struct('v3', 'CalicoNodeRouteLearnedFrom', [
  f('SourceType', 'sourceType,omitempty', t.string('v3.CalicoNodeRouteSourceType')),
  f('PeerIP', 'peerIP,omitempty', t.string(), 'omitempty,ip'),
])

export const CalicoNodeStatus = resourceStruct(
  'v3',
  'CalicoNodeStatus',
  CalicoNodeStatusSpec,
  f('Status', 'status', t.struct(() => CalicoNodeStatusStatus)),
)
