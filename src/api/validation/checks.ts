/**
 * The field-level validators libcalico-go registers (validator.go init), by tag name. Each gets
 * the field's value (pointers already followed) in JSON form.
 */
import {ipString, ipVersion, parseCIDROrIP, parseIP} from '../go/net.js'
import {parseSelector, SelectorParseError} from '../../selector/index.js'
import type {GoType} from '../schema/types.js'
import {registerFieldCheck} from './engine.js'
import {isQualifiedName, isValidLabelValue, isValidPortName} from './k8s.js'

export const NAME_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
export const NAME_SUBDOMAIN_FMT = `${NAME_LABEL_FMT}(\\.${NAME_LABEL_FMT})*`
export const NAME_RE = new RegExp(`^${NAME_SUBDOMAIN_FMT}$`)
export const INTERFACE_RE = /^[a-zA-Z0-9_.-]{1,15}$/

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

/** A regex check on the string value (RegexValidator). */
function matches(re: RegExp): (value: unknown) => boolean {
  return (value) => re.test(str(value))
}

/** Verdicts of selectorParses by text: bulk input repeats a few selectors many times. */
const selectorVerdicts = new Map<string, boolean>()
const SELECTOR_CACHE_LIMIT = 10_000

/** selector.Validate: the text must parse. */
export function selectorParses(text: string): boolean {
  const known = selectorVerdicts.get(text)
  if (known !== undefined) return known
  let verdict: boolean
  try {
    parseSelector(text)
    verdict = true
  } catch (err) {
    if (!(err instanceof SelectorParseError)) throw err
    verdict = false
  }
  if (selectorVerdicts.size >= SELECTOR_CACHE_LIMIT) selectorVerdicts.clear()
  selectorVerdicts.set(text, verdict)
  return verdict
}

/**
 * regexp.Compile with Go's RE2 syntax, approximated with JavaScript's engine: Go-only syntax
 * ((?P<name>…), leading (?flags)) is translated, and constructs RE2 rejects (look-around,
 * back-references) fail.
 */
export function goRegexpCompiles(text: string): boolean {
  if (/\(\?<?[=!]/.test(text) || /\\[1-9]/.test(text)) return false
  let source = text.replace(/\(\?P</g, '(?<')
  let flags = ''
  const leading = /^\(\?([imsU]+)\)/.exec(source)
  if (leading) {
    flags = [...new Set(leading[1].replace('U', '').split(''))].join('')
    source = source.slice(leading[0].length)
  }
  try {
    new RegExp(source, flags)
    return true
  } catch {
    return false
  }
}

/** net.ParseMAC: EUI-48/EUI-64/20-octet, colon, hyphen or dotted-quad-hex notation. */
export function isValidMAC(s: string): boolean {
  if (s.length < 14) return false
  const allowedLengths = [6, 8, 20]
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false
    const n = (s.length + 1) / 3
    if (!allowedLengths.includes(n)) return false
    for (let i = 0; i < n; i++) {
      const at = i * 3
      if (!/^[0-9a-fA-F]{2}$/.test(s.slice(at, at + 2))) return false
      if (i < n - 1 && s[at + 2] !== s[2]) return false
    }
    return true
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false
    const n = (2 * (s.length + 1)) / 5
    if (!allowedLengths.includes(n)) return false
    for (let i = 0; i < n / 2; i++) {
      const at = i * 5
      if (!/^[0-9a-fA-F]{4}$/.test(s.slice(at, at + 4))) return false
      if (i < n / 2 - 1 && s[at + 4] !== '.') return false
    }
    return true
  }
  return false
}

/** wgtypes.ParseKey: standard base64 of exactly 32 bytes. */
export function isWireguardKey(s: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return false
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  return (s.length / 4) * 3 - padding === 32
}

const IPV4_PORT = /^(\d+).(\d+).(\d+).(\d+):(\d+)$/
const IPV6_PORT = /^\[[0-9a-fA-F:.]+\]:(\d+)$/

/**
 * processIPPort: "<ip>", "<ipv4>:<port>" or "[<ipv6>]:<port>". Returns the IP text and port
 * (0 when none), or undefined when the value is not acceptable.
 */
export function processIPPort(ipPort: string): {ip: string; port: number} | undefined {
  if (ipPort === '') return undefined
  let ipText = ipPort
  let port = 0
  if (IPV4_PORT.test(ipPort) || IPV6_PORT.test(ipPort)) {
    // net.SplitHostPort on these shapes: the host is before the last colon, minus brackets.
    const colon = ipPort.lastIndexOf(':')
    ipText = ipPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
    const portText = ipPort.slice(colon + 1)
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) return undefined
    port = Number(portText)
    if (port < 1) return undefined
  }
  if (!parseIP(ipText)) return undefined
  return {ip: ipText, port}
}

/** The `net`, `netv4` and `netv6` checks: a strictly masked network (or a bare IP). */
function strictNetwork(value: unknown, version?: 4 | 6): boolean {
  try {
    const {ip, net} = parseCIDROrIP(str(value))
    if (version !== undefined && ipVersion(ip) !== version) return false
    // Strictly masked: the network address prints the same as the address as written.
    return ipString(net.ip) === ipString(ip)
  } catch {
    return false
  }
}

/** The `cidr`, `cidrv4` and `cidrv6` checks: any CIDR or IP, masked or not. */
function anyCIDR(value: unknown, version?: 4 | 6): boolean {
  try {
    const {ip} = parseCIDROrIP(str(value))
    return version === undefined || ipVersion(ip) === version
  } catch {
    return false
  }
}

const KV_ITEM = /^\s*(\w+)=(.*)$/

function register(): void {
  registerFieldCheck('action', matches(/^(Allow|Deny|Log|Pass)$/))
  registerFieldCheck('interface', (v) => str(v) === '*' || INTERFACE_RE.test(str(v)))
  registerFieldCheck('bgpFilterInterface', (v) => str(v) === '*' || /^[a-zA-Z0-9_.*-]{1,15}$/.test(str(v)))
  registerFieldCheck('bgpFilterPrefixLengthV4', (v) => /^([0-9]|[12][0-9]|3[0-2])$/.test(String(v)))
  registerFieldCheck('bgpFilterPrefixLengthV6', (v) => /^([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])$/.test(String(v)))
  registerFieldCheck('ignoredInterface', (v) => str(v) !== '*' && /^[a-zA-Z0-9_.*-]{1,15}$/.test(str(v)))
  registerFieldCheck('datastoreType', matches(/^(etcdv3|kubernetes)$/))
  registerFieldCheck('name', matches(NAME_RE))
  registerFieldCheck('containerID', matches(/^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/))
  registerFieldCheck('selector', (v) => selectorParses(str(v)))
  registerFieldCheck('labels', (v) => {
    const labels = (v ?? {}) as Record<string, string>
    return Object.entries(labels).every(([k, val]) => isQualifiedName(k).length === 0 && isValidLabelValue(val).length === 0)
  })
  registerFieldCheck('ipVersion', (v) => v === 4 || v === 6)
  registerFieldCheck('ipIpMode', matches(/^(Always|CrossSubnet|Never)$/))
  registerFieldCheck('stagedAction', matches(/^(Set|Delete|Learn|Ignore)$/))
  registerFieldCheck('vxlanMode', matches(/^(Always|CrossSubnet|Never)$/))
  registerFieldCheck('assignmentMode', matches(/^(Automatic|Manual)$/))
  registerFieldCheck('assignIPs', matches(/^(AllServices|RequestedServicesOnly)$/))
  registerFieldCheck('policyType', (v) => v === 'Ingress' || v === 'Egress')
  registerFieldCheck('logLevel', matches(/^(Trace|Debug|Info|Warning|Error|Fatal)$/))
  registerFieldCheck('bpfLogLevel', matches(/^(Debug|Info|Off)$/))
  registerFieldCheck('bpfLogFilters', (v) => Object.keys((v ?? {}) as object).every((k) => INTERFACE_RE.test(k)))
  registerFieldCheck('bpfServiceMode', matches(/^(Tunnel|DSR)$/))
  registerFieldCheck('bpfConnectTimeLoadBalancing', matches(/^(Disabled|Enabled|TCP)$/))
  registerFieldCheck('bpfHostNetworkedNATWithoutCTLB', matches(/^(Disabled|Enabled)$/))
  registerFieldCheck('dropAcceptReturn', matches(/^(Drop|Accept|Return)$/))
  registerFieldCheck('acceptReturn', matches(/^(Accept|Return)$/))
  registerFieldCheck('dropReject', matches(/^(Drop|Reject)$/))
  registerFieldCheck('portName', (v) => str(v) !== '' && isValidPortName(str(v)).length === 0)
  registerFieldCheck('mustBeNil', (v) => v === undefined || v === null)
  registerFieldCheck('mustBeFalse', (v) => v !== true)
  registerFieldCheck('ifaceFilter', matches(/^[a-zA-Z0-9:._+-]{1,15}$/))
  registerFieldCheck('interfaceSlice', (v) => ((v ?? []) as string[]).every((s) => INTERFACE_RE.test(s)))
  registerFieldCheck('ifaceFilterSlice', (v) => ((v ?? []) as string[]).every((s) => /^[a-zA-Z0-9:._+-]{1,15}$/.test(s)))
  registerFieldCheck('mac', (v) => isValidMAC(str(v)))
  registerFieldCheck('iptablesBackend', matches(/^(|Auto|NFT|Legacy)$/))
  registerFieldCheck('keyValueList', (v) => {
    const text = str(v)
    if (text.trim() === '') return true
    return text.split(',').every((item) => item === '' || KV_ITEM.test(item))
  })
  registerFieldCheck('prometheusHost', matches(/^[a-zA-Z0-9:._+-]{1,64}$/))
  registerFieldCheck('ipType', matches(/^(CalicoNodeIP|InternalIP|ExternalIP)$/))
  registerFieldCheck('createDefaultHostEndpoint', (v) => v === 'Enabled' || v === 'Disabled')
  registerFieldCheck('sourceAddress', matches(/^(UseNodeIP|None)$/))
  registerFieldCheck('regexp', (v) => goRegexpCompiles(str(v)))
  // Calico validates routeSource by compiling it as a regular expression (sic).
  registerFieldCheck('routeSource', (v) => goRegexpCompiles(str(v)))
  registerFieldCheck('wireguardPublicKey', (v) => isWireguardKey(str(v)))
  registerFieldCheck('IP:port', (v) => processIPPort(str(v)) !== undefined)
  registerFieldCheck('reachableBy', (v) => str(v) === '' || parseIP(str(v)) !== undefined)
  registerFieldCheck('filterAction', matches(/^(Accept|Reject)$/))
  registerFieldCheck('matchOperator', matches(/^(Equal|In|NotEqual|NotIn)$/))
  registerFieldCheck('netv4', (v) => strictNetwork(v, 4))
  registerFieldCheck('netv6', (v) => strictNetwork(v, 6))
  registerFieldCheck('net', (v) => strictNetwork(v))
  registerFieldCheck('ipv4', (v) => parseIP(str(v))?.bytes.length === 4)
  registerFieldCheck('ipv6', (v) => parseIP(str(v))?.bytes.length === 16)
  registerFieldCheck('ip', (v) => parseIP(str(v)) !== undefined)
  registerFieldCheck('cidrv4', (v) => anyCIDR(v, 4))
  registerFieldCheck('cidrv6', (v) => anyCIDR(v, 6))
  registerFieldCheck('cidr', (v) => anyCIDR(v))
  // validateCIDRs type-asserts a []string; on another type Go would panic. Treat as a failure.
  registerFieldCheck('cidrs', (v: unknown, type: GoType) => {
    if (type.kind !== 'slice') return false
    return ((v ?? []) as string[]).every((s) => anyCIDR(s))
  })
}

register()
