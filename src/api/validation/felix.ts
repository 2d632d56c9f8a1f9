/**
 * FelixConfiguration checks beyond its field tags: validateFelixConfigSpec,
 * validateRouteTableRange, validateRouteTableIDRange and validateHealthTimeoutOverride
 * (validator.go). Enum and range checks of individual fields come from the tags in the schema.
 */
import {parseGoDuration} from '../go/duration.js'
import {ipVersion, parseCIDROrIP, parseIP} from '../go/net.js'
import {formatValue} from '../go/vformat.js'
import {portFromJSON, type PortJSON} from '../numorstring.js'
import {HealthTimeoutOverride, RouteTableIDRange, RouteTableRange} from '../schema/felix.js'
import {PORT, t} from '../schema/types.js'
import {registerStructCheck} from './engine.js'
import {byteLength, isDNS1123Label} from './k8s.js'

type JSONObject = Record<string, unknown>

const MAX_ROUTE_TABLES = 0xffff
const OPENSTACK_REGION_MAX = 63 - 'openstack-region-'.length

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0
}

registerStructCheck('v3.FelixConfigurationSpec', (c, r) => {
  if (Array.isArray(c.kubeNodePortRanges)) {
    const ranges = c.kubeNodePortRanges as PortJSON[]
    const text = formatValue(ranges, t.slice(PORT))
    if (ranges.length > 7) r.report('KubeNodePortRanges', text, 'node port ranges list is too long (max 7)')
    for (const port of ranges) {
      if (portFromJSON(port).portName !== '') {
        r.report('KubeNodePortRanges', text, 'node port ranges should not contain named ports')
      }
    }
  }
  if (Array.isArray(c.externalNodesList)) {
    for (const cidr of c.externalNodesList as string[]) {
      try {
        const {ip} = parseCIDROrIP(cidr)
        if (ipVersion(ip) !== 4) r.report('ExternalNodesCIDRList', cidr, 'has invalid IPv6 CIDR')
      } catch {
        r.report('ExternalNodesCIDRList', cidr, 'has invalid CIDR(s)')
      }
    }
  }
  const region = str(c.openstackRegion)
  if (byteLength(region) > OPENSTACK_REGION_MAX) {
    r.report('OpenstackRegion', region, 'is too long')
  } else if (region.length > 0 && isDNS1123Label(region).length > 0) {
    r.report('OpenstackRegion', region, 'must be a valid DNS label')
  }
  const v4Fields: Array<[string, string]> = [
    ['natOutgoingAddress', 'NATOutgoingAddress'],
    ['deviceRouteSourceAddress', 'DeviceRouteSourceAddress'],
  ]
  for (const [json, go] of v4Fields) {
    const text = str(c[json])
    if (text !== '' && parseIP(text)?.bytes.length !== 4) r.report(go, text, 'is not a valid IPv4 address')
  }
  const v6 = str(c.deviceRouteSourceAddressIPv6)
  if (v6 !== '' && parseIP(v6)?.bytes.length !== 16) {
    r.report('DeviceRouteSourceAddressIPv6', v6, 'is not a valid IPv6 address')
  }
  if (c.routeTableRange !== undefined && c.routeTableRanges !== undefined) {
    r.report(
      'RouteTableRange',
      formatValue(c.routeTableRange, t.ptr(t.struct(() => RouteTableRange))),
      'cannot be set when `RouteTableRanges` is also set',
    )
  }
  if (Array.isArray(c.routeTableRanges)) {
    const ranges = c.routeTableRanges as JSONObject[]
    const tables = ranges.reduce((sum, range) => sum + (num(range.max) - num(range.min)) + 1, 0)
    if (tables > MAX_ROUTE_TABLES) {
      r.report(
        'RouteTableRanges',
        formatValue(ranges, t.ptr(t.slice(t.struct(() => RouteTableIDRange), 'v3.RouteTableRanges'))),
        'targets too many tables',
      )
    }
  }
})

registerStructCheck('v3.RouteTableRange', (range, r) => {
  const min = num(range.min)
  const max = num(range.max)
  if (!(min >= 1 && max >= min && max <= 250)) {
    r.report('RouteTableRange', formatValue(range, t.struct(() => RouteTableRange)), 'must be a range of route table indices within 1..250')
  }
})

registerStructCheck('v3.RouteTableIDRange', (range, r) => {
  const min = num(range.min)
  const max = num(range.max)
  const text = formatValue(range, t.struct(() => RouteTableIDRange))
  if (min > max) r.report('RouteTableRange', text, 'min value cannot be greater than max value')
  if (min <= 0) r.report('RouteTableRange', text, 'cannot target indices < 1')
  if (max > 0xffffffff) r.report('RouteTableRange', text, 'max index too high')
})

registerStructCheck('v3.HealthTimeoutOverride', (hto, r) => {
  const text = formatValue(hto, t.struct(() => HealthTimeoutOverride))
  if (!/^[a-zA-Z0-9_ -]+$/.test(str(hto.name))) {
    r.report('HealthTimeoutOverride.Name', text, 'name should match regex ^[a-zA-Z0-9_ -]+$')
  }
  if (typeof hto.timeout === 'string' && parseGoDuration(hto.timeout) < 0n) {
    r.report('HealthTimeoutOverride.Timeout', text, 'Timeout should not be negative')
  }
})
