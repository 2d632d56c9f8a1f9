/**
 * Address-management and network-set kinds (ippool.go, ipreservation.go, ipamconfig.go,
 * globalnetworkset.go, networkset.go, clusterinfo.go), field for field in Go order.
 */
import {Condition} from './meta.js'
import {resourceStruct} from './resource.js'
import {f, struct, t, type GoStruct} from './types.js'

export const IPPoolSpec: GoStruct = struct('v3', 'IPPoolSpec', [
  f('CIDR', 'cidr', t.string(), 'net'),
  f('VXLANMode', 'vxlanMode,omitempty', t.string('v3.VXLANMode'), 'omitempty,vxlanMode'),
  f('IPIPMode', 'ipipMode,omitempty', t.string('v3.IPIPMode'), 'omitempty,ipIpMode'),
  f('NATOutgoing', 'natOutgoing,omitempty', t.bool()),
  f('Disabled', 'disabled,omitempty', t.bool()),
  f('DisableBGPExport', 'disableBGPExport,omitempty', t.bool(), 'omitempty'),
  f('BlockSize', 'blockSize,omitempty', t.int('int')),
  f('NodeSelector', 'nodeSelector,omitempty', t.string(), 'omitempty,selector'),
  f('NamespaceSelector', 'namespaceSelector,omitempty', t.string(), 'omitempty,selector'),
  f('AllowedUses', 'allowedUses,omitempty', t.slice(t.string('v3.IPPoolAllowedUse')), 'omitempty'),
  f('AssignmentMode', 'assignmentMode,omitempty', t.ptr(t.string('v3.AssignmentMode')), 'omitempty,assignmentMode'),
])

export const IPPoolStatus: GoStruct = struct('v3', 'IPPoolStatus', [
  f('Conditions', 'conditions,omitempty', t.slice(t.struct(() => Condition))),
])

export const IPReservationSpec: GoStruct = struct('v3', 'IPReservationSpec', [
  f('ReservedCIDRs', 'reservedCIDRs,omitempty', t.slice(t.string()), 'cidrs,omitempty'),
])

/** strictAffinity and autoAllocateBlocks have no omitempty: they are always printed. */
export const IPAMConfigurationSpec: GoStruct = struct('v3', 'IPAMConfigurationSpec', [
  f('StrictAffinity', 'strictAffinity', t.bool()),
  f('MaxBlocksPerHost', 'maxBlocksPerHost,omitempty', t.int('int32')),
  f('AutoAllocateBlocks', 'autoAllocateBlocks', t.bool()),
  f(
    'KubeVirtVMAddressPersistence',
    'kubeVirtVMAddressPersistence,omitempty',
    t.ptr(t.string('v3.VMAddressPersistence')),
  ),
])

export const GlobalNetworkSetSpec: GoStruct = struct('v3', 'GlobalNetworkSetSpec', [
  f('Nets', 'nets,omitempty', t.slice(t.string()), 'omitempty,dive,cidr'),
])

export const NetworkSetSpec: GoStruct = struct('v3', 'NetworkSetSpec', [
  f('Nets', 'nets,omitempty', t.slice(t.string()), 'omitempty,dive,cidr'),
])

export const ClusterInformationSpec: GoStruct = struct('v3', 'ClusterInformationSpec', [
  f('ClusterGUID', 'clusterGUID,omitempty', t.string(), 'omitempty'),
  f('ClusterType', 'clusterType,omitempty', t.string(), 'omitempty'),
  f('CalicoVersion', 'calicoVersion,omitempty', t.string(), 'omitempty'),
  f('DatastoreReady', 'datastoreReady,omitempty', t.ptr(t.bool())),
  f('Variant', 'variant,omitempty', t.string()),
])

export const IPPool = resourceStruct(
  'v3',
  'IPPool',
  IPPoolSpec,
  f('Status', 'status,omitempty', t.ptr(t.struct(() => IPPoolStatus))),
)
export const IPReservation = resourceStruct('v3', 'IPReservation', IPReservationSpec)
export const IPAMConfiguration = resourceStruct('v3', 'IPAMConfiguration', IPAMConfigurationSpec)
export const GlobalNetworkSet = resourceStruct('v3', 'GlobalNetworkSet', GlobalNetworkSetSpec)
export const NetworkSet = resourceStruct('v3', 'NetworkSet', NetworkSetSpec)
export const ClusterInformation = resourceStruct('v3', 'ClusterInformation', ClusterInformationSpec)
