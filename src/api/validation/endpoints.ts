/**
 * Endpoint and node checks: validateHostEndpointSpec, validateEndpointPort,
 * validateWorkloadEndpointSpec, validateWorkloadEndpointPort, validateIPNAT and validateNodeSpec
 * (validator.go). Where Go would dereference a nil network after a parse failure (and panic), the
 * check is skipped after the parse error has been reported.
 */
import {ipVersion, netContains, parseCIDROrIP, type GoIPNet} from '../go/net.js'
import {formatValue} from '../go/vformat.js'
import {protocolSupportsPorts, type ProtocolJSON} from '../numorstring.js'
import {IPNAT, NodeBGPSpec} from '../schema/endpoints.js'
import {t} from '../schema/types.js'
import {registerStructCheck} from './engine.js'

type JSONObject = Record<string, unknown>

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function tryParse(text: string): {ip: ReturnType<typeof parseCIDROrIP>['ip']; net: GoIPNet} | undefined {
  try {
    return parseCIDROrIP(text)
  } catch {
    return undefined
  }
}

registerStructCheck('v3.HostEndpointSpec', (spec, r) => {
  const expected = Array.isArray(spec.expectedIPs) ? spec.expectedIPs : []
  if (str(spec.interfaceName) === '' && expected.length === 0) {
    r.report('InterfaceName', '', 'no interface or expected IPs have been specified')
  }
  // Calico reports a missing node under InterfaceName too.
  if (str(spec.node) === '') r.report('InterfaceName', '', 'no node has been specified')
})

registerStructCheck('v3.EndpointPort', (port, r) => {
  const protocol = (port.protocol ?? 0) as ProtocolJSON
  if (!protocolSupportsPorts(protocol)) {
    r.report('EndpointPort.Protocol', String(protocol), 'EndpointPort protocol does not support ports.')
  }
})

registerStructCheck('internalapi.WorkloadEndpointPort', (port, r) => {
  const protocol = (port.protocol ?? 0) as ProtocolJSON
  if (!protocolSupportsPorts(protocol)) {
    r.report('WorkloadEndpointPort.Protocol', String(protocol), 'WorkloadEndpointPort protocol does not support ports.')
  }
  if (str(port.name) === '' && (port.hostPort ?? 0) === 0) {
    r.report('WorkloadEndpointPort.Name', '', 'WorkloadEndpointPort name must not be empty if no HostPort is specified')
  }
})

registerStructCheck('internalapi.IPNAT', (nat, r) => {
  const internal = tryParse(str(nat.internalIP))
  // Both failures are reported against InternalIP with the external value (sic).
  if (!internal) r.report('InternalIP', str(nat.externalIP), 'invalid IP address')
  const external = tryParse(str(nat.externalIP))
  if (!external) r.report('InternalIP', str(nat.externalIP), 'invalid IP address')
  if (internal && external && ipVersion(internal.ip) !== ipVersion(external.ip)) {
    r.report('ExternalIP', str(nat.externalIP), 'mismatched IP versions')
  }
})

registerStructCheck('internalapi.WorkloadEndpointSpec', (spec, r) => {
  const networks = Array.isArray(spec.ipNetworks) ? (spec.ipNetworks as string[]) : []
  for (const network of networks) {
    const parsed = tryParse(network)
    if (!parsed) {
      r.report('IPNetworks', network, 'invalid CIDR')
      continue
    }
    if (parsed.net.ones !== parsed.net.bits) {
      r.report('IPNetworks', formatValue(networks, t.slice(t.string())), 'IP network contains multiple addresses')
    }
  }
  const v4 = tryParse(str(spec.ipv4Gateway))
  if (!v4) r.report('IPv4Gateway', str(spec.ipv4Gateway), 'invalid CIDR')
  const v6 = tryParse(str(spec.ipv6Gateway))
  if (!v6) r.report('IPv6Gateway', str(spec.ipv6Gateway), 'invalid CIDR')
  if (v4 && v4.net.ip.bytes.length > 0 && ipVersion(v4.net.ip) !== 4) {
    r.report('IPv4Gateway', str(spec.ipv4Gateway), 'invalid IPv4 gateway address specified')
  }
  if (v6 && v6.net.ip.bytes.length > 0 && ipVersion(v6.net.ip) !== 6) {
    r.report('IPv6Gateway', str(spec.ipv6Gateway), 'invalid IPv6 gateway address specified')
  }
  const nats = Array.isArray(spec.ipNATs) ? (spec.ipNATs as JSONObject[]) : []
  if (nats.length === 0) return
  let valid = false
  for (const nat of nats) {
    const internal = tryParse(str(nat.internalIP))
    if (!internal) r.report('IPNATs', str(nat.internalIP), 'invalid InternalIP CIDR')
    valid = false
    for (const network of networks) {
      const parsed = tryParse(network)
      if (!parsed) {
        r.report('IPNetworks', network, 'invalid CIDR')
        continue
      }
      if (internal && netContains(parsed.net, internal.net.ip)) {
        valid = true
        break
      }
    }
    if (!valid) break
  }
  if (!valid) r.report('IPNATs', formatValue(nats, t.slice(t.struct(() => IPNAT))), 'NAT is not in the endpoint networks')
})

registerStructCheck('internalapi.NodeSpec', (spec, r) => {
  if (spec.bgp === undefined) return
  const bgp = spec.bgp as JSONObject
  const empty = Object.values(bgp).every((v) => v === undefined || v === '')
  if (empty) r.report('BGP', formatValue(bgp, t.ptr(t.struct(() => NodeBGPSpec))), 'Spec.BGP should not be empty')
})
