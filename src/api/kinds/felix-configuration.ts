/** TypeScript shape of the resource kind, in JSON form as decoded (see ../schema for Go names and order). Enumerated fields are typed string: decoding does not reject bad values, validation does. */
import type {PortJSON} from '../numorstring.js'
import type {Resource} from '../resource.js'

/** v3.FelixConfigurationSpec */
export type FelixConfigurationSpec = {
  nodeSelector?: string
  useInternalDataplaneDriver?: boolean
  dataplaneDriver?: string
  dataplaneWatchdogTimeout?: string
  ipv6Support?: boolean
  routeRefreshInterval?: string
  interfaceRefreshInterval?: string
  iptablesRefreshInterval?: string
  iptablesPostWriteCheckInterval?: string
  iptablesLockProbeInterval?: string
  featureDetectOverride?: string
  featureGates?: string
  ipsetsRefreshInterval?: string
  maxIpsetSize?: number
  iptablesBackend?: string
  xdpRefreshInterval?: string
  netlinkTimeout?: string
  metadataAddr?: string
  metadataPort?: number
  openstackRegion?: string
  interfacePrefix?: string
  interfaceExclude?: string
  chainInsertMode?: string
  defaultEndpointToHostAction?: string
  iptablesFilterAllowAction?: string
  iptablesMangleAllowAction?: string
  iptablesFilterDenyAction?: string
  logPrefix?: string
  logActionRateLimit?: string
  logActionRateLimitBurst?: number
  logFilePath?: string
  logSeverityFile?: string
  logSeverityScreen?: string
  logSeveritySys?: string
  logDebugFilenameRegex?: string
  ipipEnabled?: boolean
  ipipMTU?: number
  vxlanEnabled?: boolean
  vxlanMTU?: number
  vxlanMTUV6?: number
  vxlanPort?: number
  vxlanVNI?: number
  allowVXLANPacketsFromWorkloads?: boolean
  allowIPIPPacketsFromWorkloads?: boolean
  reportingInterval?: string
  reportingTTL?: string
  endpointReportingEnabled?: boolean
  endpointReportingDelay?: string
  endpointStatusPathPrefix?: string
  iptablesMarkMask?: number
  disableConntrackInvalidCheck?: boolean
  healthEnabled?: boolean
  healthHost?: string
  healthPort?: number
  healthTimeoutOverrides?: HealthTimeoutOverride[]
  prometheusMetricsEnabled?: boolean
  prometheusMetricsHost?: string
  prometheusMetricsPort?: number
  prometheusGoMetricsEnabled?: boolean
  prometheusProcessMetricsEnabled?: boolean
  prometheusWireGuardMetricsEnabled?: boolean
  prometheusMetricsCAFile?: string
  prometheusMetricsCertFile?: string
  prometheusMetricsKeyFile?: string
  prometheusMetricsClientAuth?: string
  failsafeInboundHostPorts?: ProtoPort[]
  failsafeOutboundHostPorts?: ProtoPort[]
  kubeNodePortRanges?: PortJSON[]
  policySyncPathPrefix?: string
  usageReportingEnabled?: boolean
  usageReportingInitialDelay?: string
  usageReportingInterval?: string
  natPortRange?: PortJSON
  natOutgoingAddress?: string
  natOutgoingExclusions?: string
  deviceRouteSourceAddress?: string
  deviceRouteSourceAddressIPv6?: string
  deviceRouteProtocol?: number
  removeExternalRoutes?: boolean
  programClusterRoutes?: string
  ipForwarding?: string
  externalNodesList?: string[]
  debugMemoryProfilePath?: string
  debugDisableLogDropping?: boolean
  debugSimulateCalcGraphHangAfter?: string
  debugSimulateDataplaneHangAfter?: string
  debugSimulateDataplaneApplyDelay?: string
  debugHost?: string
  debugPort?: number
  iptablesNATOutgoingInterfaceFilter?: string
  sidecarAccelerationEnabled?: boolean
  xdpEnabled?: boolean
  genericXDPEnabled?: boolean
  nftablesMode?: string
  nftablesRefreshInterval?: string
  nftablesFilterAllowAction?: string
  nftablesMangleAllowAction?: string
  nftablesFilterDenyAction?: string
  nftablesMarkMask?: number
  bpfEnabled?: boolean
  bpfDisableUnprivileged?: boolean
  bpfJITHardening?: string
  bpfLogLevel?: string
  bpfConntrackLogLevel?: string
  bpfConntrackMode?: string
  bpfConntrackTimeouts?: BPFConntrackTimeouts
  bpfLogFilters?: Record<string, string>
  bpfCTLBLogFilter?: string
  bpfDataIfacePattern?: string
  bpfL3IfacePattern?: string
  bpfConnectTimeLoadBalancingEnabled?: boolean
  bpfConnectTimeLoadBalancing?: string
  bpfHostNetworkedNATWithoutCTLB?: string
  bpfExternalServiceMode?: string
  bpfDSROptoutCIDRs?: string[]
  bpfExtToServiceConnmark?: number
  bpfKubeProxyIptablesCleanupEnabled?: boolean
  bpfKubeProxyMinSyncPeriod?: string
  bpfKubeProxyHealthzPort?: number
  bpfPSNATPorts?: PortJSON
  bpfMapSizeNATFrontend?: number
  bpfMapSizeNATBackend?: number
  bpfMapSizeNATAffinity?: number
  bpfMapSizeRoute?: number
  bpfMapSizeConntrack?: number
  bpfMapSizePerCpuConntrack?: number
  bpfMapSizeConntrackScaling?: string
  bpfMapSizeConntrackCleanupQueue?: number
  bpfMapSizeIPSets?: number
  bpfMapSizeIfState?: number
  bpfHostConntrackBypass?: boolean
  bpfEnforceRPF?: string
  bpfPolicyDebugEnabled?: boolean
  bpfForceTrackPacketsFromIfaces?: string[]
  bpfDisableGROForIfaces?: string
  bpfExcludeCIDRsFromNAT?: string[]
  bpfExportBufferSizeMB?: number
  istioAmbientMode?: string
  istioDSCPMark?: number | string
  cgroupV2Path?: string
  flowLogsPolicyEvaluationMode?: string
  bpfRedirectToPeer?: string
  bpfAttachType?: string
  flowLogsFlushInterval?: string
  flowLogsCollectorDebugTrace?: boolean
  flowLogsGoldmaneServer?: string
  flowLogsLocalReporter?: string
  bpfProfiling?: string
  routeSource?: string
  routeTableRanges?: RouteTableIDRange[]
  routeTableRange?: RouteTableRange
  routeSyncDisabled?: boolean
  ipv4NormalRoutePriority?: number
  ipv4ElevatedRoutePriority?: number
  ipv6NormalRoutePriority?: number
  ipv6ElevatedRoutePriority?: number
  liveMigrationRouteConvergenceTime?: string
  wireguardEnabled?: boolean
  wireguardEnabledV6?: boolean
  wireguardThreadingEnabled?: boolean
  wireguardListeningPort?: number
  wireguardListeningPortV6?: number
  wireguardRoutingRulePriority?: number
  wireguardInterfaceName?: string
  wireguardInterfaceNameV6?: string
  wireguardMTU?: number
  wireguardMTUV6?: number
  wireguardHostEncryptionEnabled?: boolean
  wireguardKeepAlive?: string
  awsSrcDstCheck?: string
  serviceLoopPrevention?: string
  workloadSourceSpoofing?: string
  mtuIfacePattern?: string
  floatingIPs?: string
  windowsManageFirewallRules?: string
  goGCThreshold?: number
  goMemoryLimitMB?: number
  goMaxProcs?: number
  requireMTUFile?: boolean
  bpfMaglevMaxEndpointsPerService?: number
  bpfMaglevMaxServices?: number
}

/** v3.HealthTimeoutOverride */
export type HealthTimeoutOverride = {
  name?: string
  timeout?: string
}

/** v3.ProtoPort */
export type ProtoPort = {
  protocol?: string
  port?: number
  net?: string
}

/** v3.BPFConntrackTimeouts */
export type BPFConntrackTimeouts = {
  creationGracePeriod?: string
  tcpSynSent?: string
  tcpEstablished?: string
  tcpFinsSeen?: string
  tcpResetSeen?: string
  udpTimeout?: string
  genericTimeout?: string
  icmpTimeout?: string
}

/** v3.RouteTableIDRange */
export type RouteTableIDRange = {
  min?: number
  max?: number
}

/** v3.RouteTableRange */
export type RouteTableRange = {
  min?: number
  max?: number
}

/** A FelixConfiguration resource (v3.FelixConfiguration). */
export interface FelixConfiguration extends Resource<FelixConfigurationSpec> {
  kind: 'FelixConfiguration'
}
