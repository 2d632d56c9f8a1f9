/**
 * validateIPPoolSpec and validateIPAMConfigSpec (validator.go). The pool check runs on the spec
 * as given: `calicoctl validate` does not default it first, so an IPv6 pool without ipipMode
 * fails the IPIP check there, exactly as in Calico.
 */
import {ipString, mustParseNet, netsOverlap, netString, netVersion, parseCIDROrIP, type GoIP, type GoIPNet} from '../go/net.js'
import {formatValue} from '../go/vformat.js'
import {t} from '../schema/types.js'
import {registerStructCheck} from './engine.js'

type JSONObject = Record<string, unknown>

export const V4_LINK_LOCAL = mustParseNet('169.254.0.0/16')
export const V6_LINK_LOCAL = mustParseNet('fe80::/10')

const USES = t.slice(t.string('v3.IPPoolAllowedUse'))

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function encapEnabled(mode: unknown): boolean {
  return mode === 'Always' || mode === 'CrossSubnet'
}

registerStructCheck('v3.IPPoolSpec', (pool, r) => {
  const cidrText = str(pool.cidr)
  if (cidrText === '') r.report('IPpool.CIDR', '', 'IPPool CIDR must be specified')
  let ip: GoIP
  let cidr: GoIPNet
  try {
    ;({ip, net: cidr} = parseCIDROrIP(cidrText))
  } catch {
    r.report('IPpool.CIDR', cidrText, 'IPPool CIDR must be a valid subnet')
    return
  }
  // Calico normalises its copy of the CIDR here, so later messages show the masked network.
  const normalised = netString(cidr)
  const uses = Array.isArray(pool.allowedUses) ? (pool.allowedUses as string[]) : []
  const isLoadBalancer = uses.includes('LoadBalancer')
  const ipipMode = str(pool.ipipMode)
  const vxlanMode = str(pool.vxlanMode)
  const version = netVersion(cidr)

  if (version === 6 && ipipMode !== 'Never') {
    r.report('IPpool.IPIPMode', ipipMode, "IPIPMode other than 'Never' is not supported on an IPv6 IP pool")
  }
  if (encapEnabled(ipipMode) && encapEnabled(vxlanMode)) {
    r.report('IPpool.IPIPMode', ipipMode, 'IPIPMode and VXLANMode cannot be enabled on LoadBalancer IP pool')
  }
  if (isLoadBalancer && (encapEnabled(ipipMode) || encapEnabled(vxlanMode))) {
    r.report(
      'IPpool.IPIPMode',
      ipipMode,
      'Neither IPIPMode nor VXLANMode can be enabled on AllowedUses LoadBalancer IP pool',
    )
  }
  let blockSize = typeof pool.blockSize === 'number' ? pool.blockSize : 0
  if (blockSize === 0) blockSize = ip.bytes.length === 4 ? 26 : 122
  if (pool.disabled !== true && cidr.ones > blockSize) {
    r.report(
      'IPpool.CIDR',
      normalised,
      'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.',
    )
  }
  if (ipString(cidr.ip) !== ipString(ip)) r.report('IPpool.CIDR', normalised, 'IP pool CIDR is not strictly masked')
  if (version === 4 && netsOverlap(cidr, V4_LINK_LOCAL)) {
    r.report('IPpool.CIDR', normalised, 'IP pool range overlaps with IPv4 Link Local range 169.254.0.0/16')
  }
  if (version === 6 && netsOverlap(cidr, V6_LINK_LOCAL)) {
    r.report('IPpool.CIDR', normalised, 'IP pool range overlaps with IPv6 Link Local range fe80::/10')
  }
  for (const use of uses) {
    if (use === 'LoadBalancer') continue
    if (use === 'Workload' || use === 'Tunnel') {
      if (isLoadBalancer) {
        r.report('IPpool.AllowedUses', formatValue(uses, USES), `LoadBalancer cannot be used at the same time as: ${use}`)
      }
      continue
    }
    r.report('IPpool.AllowedUses', formatValue(uses, USES), `unknown use: ${use}`)
  }
  if (isLoadBalancer && pool.disableBGPExport === true) {
    // The reason text is Calico's, inverted sense and all.
    r.report(
      'IPpool.DisableBGPExport',
      normalised,
      'IP Pool with AllowedUse LoadBalancer must have DisableBGPExport set to true',
    )
  }
  const nodeSelector = str(pool.nodeSelector)
  const namespaceSelector = str(pool.namespaceSelector)
  if (isLoadBalancer && nodeSelector !== 'all()') {
    r.report('IPpool.NodeSelector', normalised, 'IP Pool with AllowedUse LoadBalancer must have node selector set to all()')
  }
  if (uses.includes('Tunnel') && namespaceSelector !== '') {
    r.report(
      'IPpool.NamespaceSelector',
      namespaceSelector,
      'IP Pool with AllowedUse Tunnel cannot have namespaceSelector specified - tunnel IPs are not namespaced resources',
    )
  }
  if (nodeSelector.includes('global(')) {
    r.report(
      'IPpool.NodeSelector',
      nodeSelector,
      'global() selector is not valid for IPPool nodeSelector - use all() instead',
    )
  }
  if (namespaceSelector.includes('global(')) {
    r.report(
      'IPpool.NamespaceSelector',
      namespaceSelector,
      'global() selector is not valid for IPPool namespaceSelector - use all() instead',
    )
  }
})

registerStructCheck('v3.IPAMConfigurationSpec', (spec: JSONObject, r) => {
  const max = typeof spec.maxBlocksPerHost === 'number' ? spec.maxBlocksPerHost : 0
  if (max < 0) r.report('MaxBlocksPerHost', String(max), 'must be greater than or equal to 0')
})
