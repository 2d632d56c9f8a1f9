/**
 * The api module's one door: projectcalico.org/v3 resource kinds as calicoctl v3.32.1 knows them
 * — strict decoding, Go field order and names, defaults, validation with Calico's exact texts,
 * and the IPPool write-time checks clientv3 makes. Pure: no I/O.
 */

export {decodeResource, normaliseResource} from './codec/resource.js'
export {applyDefaults, DEFAULT_TIER, DEFAULT_TIER_ORDER, TIER_LABEL} from './defaults.js'
export {DecodeError, massageError, renderFieldError, renderValidation, ValidationError, type FieldError} from './errors.js'
export {validateResource} from './validation/index.js'
export {RESERVED_TIER_ORDERS} from './validation/policies.js'
export {immutableFieldError, ipPoolClientErrors, ipPoolOverlapError, type IPPoolCheckOptions} from './write/ippool.js'
export {prepareForWrite, WriteCheckError, type WriteContext} from './write/prepare.js'
export {workloadEndpointName, type WorkloadEndpointIds} from './workload-endpoint-name.js'

export {
  fieldByJSON,
  goFieldPath,
  goTypeName,
  KIND_SCHEMAS,
  kindSchema,
  type CustomCodec,
  type GoField,
  type GoStruct,
  type GoType,
} from './schema/index.js'

export {
  allPortsAreNamed,
  dscpError,
  parseASNumber,
  portFromJSON,
  portFromString,
  PortParseError,
  portToJSON,
  PROTOCOL_NAMES,
  protocolNumber,
  protocolSupportsPorts,
  type PortJSON,
  type PortValue,
  type ProtocolJSON,
} from './numorstring.js'

export {formatGoDuration, parseGoDuration, DurationParseError} from './go/duration.js'
export {
  ipString,
  ipVersion,
  netContains,
  netsOverlap,
  netString,
  parseCIDR,
  parseCIDROrIP,
  parseIP,
  type GoIP,
  type GoIPNet,
} from './go/net.js'

export {KINDS, kindFromAlias, kindInfo, validResourceTypes, type KindInfo} from './registry.js'
export {API_GROUP, API_VERSION, resourceIdentifier, type ObjectMeta, type Resource, type ResourceList} from './resource.js'

export type * from './kinds/index.js'

import {kindInfo} from './registry.js'

/** Whether resources of this kind live in a namespace (libcalico-go namespace.IsNamespaced). */
export function isNamespaced(kind: string): boolean {
  return kindInfo(kind)?.namespaced ?? false
}
