/**
 * Struct-level checks for policy rules and the numorstring types inside them: validatePort,
 * validateProtocol, validateICMPFields, validateHTTPRule, validateRule, validateEntityRule and
 * validateRuleMetadata (libcalico-go/lib/validator/v3/validator.go).
 */
import {mustParseNet, netVersion, parseCIDR, ipEqual} from '../go/net.js'
import {formatValue} from '../go/vformat.js'
import {
  allPortsAreNamed,
  portFromJSON,
  protocolEquals,
  protocolNumber,
  protocolSupportsPorts,
  type PortJSON,
  type ProtocolJSON,
} from '../numorstring.js'
import {HTTPMatch, ICMPFields, ServiceMatch} from '../schema/policy.js'
import {PORT, PROTOCOL, t} from '../schema/types.js'
import {registerStructCheck, type Reporter} from './engine.js'
import {isValidPortName} from './k8s.js'
import {checkAnnotations} from './meta.js'

type JSONObject = Record<string, unknown>

const PROTOCOL_PORTS_MSG = 'rules that specify ports must set protocol to TCP or UDP or SCTP'
const PROTOCOL_SINGLE_OR_RANGE_PORTS_MSG = 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP'
const PROTOCOL_ICMP_MSG = 'rules that specify ICMP fields must set protocol to ICMP'
const PROTOCOL_AND_HTTP_MSG = 'rules that specify HTTP fields must set protocol to TCP or empty'
export const GLOBAL_SELECTOR_ENTITY_RULE = 'global() can only be used in an EntityRule namespaceSelector'
const GLOBAL_SELECTOR_ONLY = 'global() cannot be combined with other selectors'

const PORTS = t.slice(PORT)
const STRINGS = t.slice(t.string())
const ICMP_PTR = t.ptr(t.struct(() => ICMPFields))
const HTTP_PTR = t.ptr(t.struct(() => HTTPMatch))
const SERVICES_PTR = t.ptr(t.struct(() => ServiceMatch))

function obj(value: unknown): JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JSONObject) : {}
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : []
}

/** numorstring.Port: its PortName tag, then validatePort. */
registerStructCheck('custom:port', (wrapper, r) => {
  const port = portFromJSON((wrapper.value ?? 0) as PortJSON)
  if (port.portName !== '' && isValidPortName(port.portName).length > 0) {
    r.report('PortName', port.portName, 'Reason: failed to validate Field: PortName because of Tag: portName ')
  }
  if (port.minPort > port.maxPort) r.report('Port', String(port.maxPort), 'port range invalid')
  if (port.portName !== '') {
    if (port.minPort !== 0 || port.maxPort !== 0) {
      r.report('Port', port.portName, 'named port invalid, if name is specified, min and max should be 0')
    }
  } else if (port.minPort < 1) {
    r.report('Port', String(port.minPort), 'port range invalid, port number must be between 1 and 65535')
  } else if (port.maxPort < 1) {
    r.report('Port', String(port.maxPort), 'port range invalid, port number must be between 1 and 65535')
  }
})

/** validateProtocol: 1–255, or one of the names (case-sensitive). */
registerStructCheck('custom:protocol', (wrapper, r) => {
  const p = (wrapper.value ?? 0) as ProtocolJSON
  const num = protocolNumber(p)
  if (num !== undefined) {
    if (num === 0) r.report('Protocol', '0', 'protocol number invalid')
  } else if (!/^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$/.test(String(p))) {
    r.report('Protocol', String(p), 'protocol name invalid')
  }
})

registerStructCheck('v3.ICMPFields', (icmp, r) => {
  if (icmp.code !== undefined && icmp.type === undefined) {
    r.report('Code', formatValue(icmp.code, t.ptr(t.int('int'))), 'ICMP code specified without an ICMP type')
  }
})

/** validateHTTPPaths' first problem, if any. */
function httpPathsError(paths: JSONObject[]): string | undefined {
  for (const path of paths) {
    const exact = str(path.exact)
    const prefix = str(path.prefix)
    if (exact !== '' && prefix !== '') return "Invalid path match. Both 'exact' and 'prefix' are set"
    const v = exact !== '' ? exact : prefix
    if (v === '') return "Invalid path match. Either 'exact' or 'prefix' must be set"
    if (!v.startsWith('/') || /[? #]/.test(v)) return `Invalid path ${v}. (must start with \`/\` and not contain \`?\` or \`#\``
  }
  return undefined
}

registerStructCheck('v3.HTTPMatch', (http, r) => {
  const methods = list<string>(http.methods)
  if (new Set(methods).size !== methods.length) {
    const text = formatValue(methods, STRINGS)
    r.report('Methods', text, `Invalid methods (duplicates): ${text}`)
  }
  const paths = list<JSONObject>(http.paths)
  const pathError = httpPathsError(paths)
  if (pathError) r.report('Paths', formatValue(paths, HTTPMatch.fields[1].type), pathError)
})

const CATCH_ALL_V6 = mustParseNet('::/0')

/** validateRule's scanNets over one field, sharing the rule-wide v4/v6 bookkeeping. */
function scanNets(
  rule: JSONObject,
  nets: string[],
  fieldName: string,
  seen: {v4: boolean; v6: boolean},
  r: Reporter,
): void {
  let v4 = false
  let v6 = false
  const negated = fieldName === 'Source.NotNets' || fieldName === 'Destination.NotNets'
  for (const n of nets) {
    let parsed
    try {
      parsed = parseCIDR(n)
    } catch {
      r.report(fieldName, n, 'invalid CIDR')
      continue
    }
    const version = netVersion(parsed.net)
    v4 = v4 || version === 4
    v6 = v6 || version === 6
    if (negated) {
      const catchAllV6 = version === 6 && parsed.net.ones === 0 && ipEqual(parsed.net.ip, CATCH_ALL_V6.ip)
      if ((version === 4 && n === '0.0.0.0/0') || catchAllV6) {
        r.report(fieldName, n, 'catch-all CIDR in negation creates logical contradiction (matches no traffic)')
      }
    }
  }
  const ipVersion = rule.ipVersion
  if (ipVersion !== undefined && ((v4 && ipVersion !== 4) || (v6 && ipVersion !== 6))) {
    // Calico reports the source nets as the value here, whichever field it is checking.
    r.report(fieldName, formatValue(obj(rule.source).nets, STRINGS), "rule IP version doesn't match CIDR version")
  }
  if ((v4 && seen.v6) || (v6 && seen.v4) || (v4 && v6)) {
    r.report(fieldName, formatValue(nets, STRINGS), 'rule contains both IPv4 and IPv6 CIDRs')
  }
  seen.v4 = seen.v4 || v4
  seen.v6 = seen.v6 || v6
}

/** ruleUsesAppLayerPolicy: the HTTP clause, if any, as (value text, field name). */
export function appLayerPolicy(rule: JSONObject): {value: string; field: string} | undefined {
  if (rule.http === undefined) return undefined
  return {value: formatValue(rule.http, HTTP_PTR), field: 'HTTP'}
}

registerStructCheck('v3.Rule', (rule, r) => {
  const source = obj(rule.source)
  const destination = obj(rule.destination)
  const portFields: Array<[string, unknown]> = [
    ['Source.Ports', source.ports],
    ['Source.NotPorts', source.notPorts],
    ['Destination.Ports', destination.ports],
    ['Destination.NotPorts', destination.notPorts],
  ]
  const protocol = rule.protocol as ProtocolJSON | undefined
  if (protocol === undefined) {
    for (const [field, ports] of portFields) {
      if (!allPortsAreNamed(list<PortJSON>(ports))) {
        r.report(field, formatValue(ports, PORTS), PROTOCOL_SINGLE_OR_RANGE_PORTS_MSG)
      }
    }
  } else if (!protocolSupportsPorts(protocol)) {
    for (const [field, ports] of portFields) {
      if (list(ports).length > 0) r.report(field, formatValue(ports, PORTS), PROTOCOL_PORTS_MSG)
    }
  }

  if (rule.http !== undefined && protocol !== undefined && !protocolEquals(protocol, 'TCP')) {
    r.report('Protocol', formatValue(protocol, t.ptr(PROTOCOL)), PROTOCOL_AND_HTTP_MSG)
  }

  const notProtocol = rule.notProtocol as ProtocolJSON | undefined
  if (
    rule.icmp !== undefined &&
    (protocol === undefined || (!protocolEquals(protocol, 'ICMP') && !protocolEquals(protocol, 'ICMPv6')))
  ) {
    r.report('ICMP', formatValue(rule.icmp, ICMP_PTR), PROTOCOL_ICMP_MSG)
  }
  if (protocolEquals(protocol, 'ICMP') || protocolEquals(notProtocol, 'ICMP')) {
    if (rule.ipVersion !== undefined && rule.ipVersion !== 4) {
      r.report('IPVersion', formatValue(rule.icmp, ICMP_PTR), "must set ipversion to '4' with protocol icmp")
    }
  }
  if (protocolEquals(protocol, 'ICMPv6') || protocolEquals(notProtocol, 'ICMPv6')) {
    if (rule.ipVersion !== undefined && rule.ipVersion !== 6) {
      r.report('IPVersion', formatValue(rule.icmp, ICMP_PTR), "must set ipversion to '6' with protocol icmpv6")
    }
  }

  const seen = {v4: false, v6: false}
  scanNets(rule, list<string>(source.nets), 'Source.Nets', seen, r)
  scanNets(rule, list<string>(source.notNets), 'Source.NotNets', seen, r)
  scanNets(rule, list<string>(destination.nets), 'Destination.Nets', seen, r)
  scanNets(rule, list<string>(destination.notNets), 'Destination.NotNets', seen, r)

  const alp = appLayerPolicy(rule)
  if (rule.action !== 'Allow' && alp) r.report(alp.field, alp.value, 'only valid for Allow rules')

  if (destination.services !== undefined && list(destination.ports).length !== 0) {
    r.report('Destination.Ports', formatValue(destination.ports, PORTS), 'cannot specify ports with a service selector')
  }
  if (destination.services !== undefined && list(destination.notPorts).length !== 0) {
    r.report(
      'Destination.NotPorts',
      formatValue(destination.notPorts, PORTS),
      'cannot specify notports with a service selector',
    )
  }
})

/** A namespaceSelector that is global() alone (the tokenizer sees just `global()` then EOF). */
function isOnlyGlobal(selector: string): boolean {
  return /^[ \t]*global\([ \t]*\)[ \t]*$/.test(selector)
}

registerStructCheck('v3.EntityRule', (rule, r) => {
  const selector = str(rule.selector)
  const nsSelector = str(rule.namespaceSelector)
  if (selector.includes('global()')) r.report('Selector field', selector, GLOBAL_SELECTOR_ENTITY_RULE)
  if (nsSelector.includes('global(') && nsSelector !== 'global()' && !isOnlyGlobal(nsSelector)) {
    r.report('NamespaceSelector field', nsSelector, GLOBAL_SELECTOR_ONLY)
  }
  if (rule.services === undefined) return
  const services = obj(rule.services)
  const value = formatValue(rule.services, SERVICES_PTR)
  if (str(services.name) === '') r.report('Services field', value, 'must specify a service name')
  if (nsSelector !== '') r.report('Services field', value, 'cannot specify NamespaceSelector and Services on the same rule')
  if (selector !== '' || str(rule.notSelector) !== '') {
    r.report('Services field', value, 'cannot specify Selector/NotSelector and Services on the same rule')
  }
  if (rule.serviceAccounts !== undefined) {
    r.report('Services field', value, 'cannot specify ServiceAccounts and Services on the same rule')
  }
  if (list(rule.nets).length !== 0 || list(rule.notNets).length !== 0) {
    r.report('Services field', value, 'cannot specify Nets/NotNets and Services on the same rule')
  }
})

registerStructCheck('v3.RuleMetadata', (meta, r) => checkAnnotations(r, meta.annotations))

