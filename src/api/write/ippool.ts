/**
 * The IPPool checks clientv3 makes before a write (libcalico-go/lib/clientv3/ippool.go
 * validateAndSetDefaults): CIDR parse and immutability, the LoadBalancer allowed-use lock,
 * block-size immutability and range, pool size, overlap with existing pools (create only),
 * IPIP/VXLAN exclusivity, strict masking and link-local overlap. These run *before* the v3
 * validator, and their field names (`IPPool.Spec.CIDR`) differ from the validator's.
 */
import {ValidationError, type FieldError} from '../errors.js'
import {formatValue} from '../go/vformat.js'
import {ipEqual, ipString, netsOverlap, netString, parseCIDR, type GoIPNet} from '../go/net.js'
import type {Resource} from '../resource.js'
import {t} from '../schema/types.js'
import {V4_LINK_LOCAL, V6_LINK_LOCAL} from '../validation/ippool.js'

type JSONObject = Record<string, unknown>

const DEFAULT_USES = ['Workload', 'Tunnel']

function spec(res: Resource | undefined): JSONObject {
  const s = res?.spec
  return typeof s === 'object' && s !== null ? (s as JSONObject) : {}
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function tryNet(text: string): GoIPNet | undefined {
  try {
    return parseCIDR(text).net
  } catch {
    return undefined
  }
}

/** ippool.go cidrChangeOK: same text, or the same network written canonically. */
function cidrChangeOK(oldCIDR: string, newCIDR: string): boolean {
  if (oldCIDR === newCIDR) return true
  const oldNet = tryNet(oldCIDR)
  const newNet = tryNet(newCIDR)
  if (!oldNet || !newNet) return false
  if (!ipEqual(oldNet.ip, newNet.ip) || oldNet.ones !== newNet.ones || oldNet.bits !== newNet.bits) return false
  return newCIDR === netString(newNet)
}

/** A stored pool's block size as clientv3 reads it back (0 defaults by IP version). */
function storedBlockSize(pool: Resource): number {
  const s = spec(pool)
  const size = typeof s.blockSize === 'number' ? s.blockSize : 0
  if (size !== 0) return size
  const net = tryNet(str(s.cidr))
  return net && net.bits === 32 ? 26 : 122
}

function usesOf(pool: Resource | undefined): string[] {
  const uses = spec(pool).allowedUses
  return Array.isArray(uses) && uses.length > 0 ? (uses as string[]) : DEFAULT_USES
}

export interface IPPoolCheckOptions {
  /** The stored pool, for an update (enables the immutability checks). */
  previous?: Resource
  /** Every stored pool, for a create (the overlap check); give them in key (name) order. */
  existing?: readonly Resource[]
}

/**
 * validateAndSetDefaults' verdict on `pool` (before any defaulting): undefined when clientv3
 * would go on to the validator, else the ErrorValidation it returns.
 */
export function ipPoolClientErrors(pool: Resource, options: IPPoolCheckOptions = {}): ValidationError | undefined {
  const s = spec(pool)
  const cidrText = str(s.cidr)
  if (cidrText === '') return new ValidationError([{field: 'IPPool.Spec.CIDR', reason: 'IPPool CIDR must be specified'}])
  let parsed
  try {
    parsed = parseCIDR(cidrText)
  } catch {
    return new ValidationError([{field: 'IPPool.Spec.CIDR', value: cidrText, reason: 'IPPool CIDR must be a valid subnet'}])
  }
  const {ip, net: cidr} = parsed
  const normalised = netString(cidr)
  const v4 = ip.bytes.length === 4
  const errors: FieldError[] = []
  const {previous} = options

  if (previous && !cidrChangeOK(str(spec(previous).cidr), normalised)) {
    errors.push({field: 'IPPool.Spec.CIDR', value: normalised, reason: 'IPPool CIDR cannot be modified'})
  }
  const blockSize = typeof s.blockSize === 'number' && s.blockSize !== 0 ? s.blockSize : v4 ? 26 : 122
  const uses = usesOf(pool)
  if (previous && usesOf(previous).includes('LoadBalancer') && uses.some((use) => use !== 'LoadBalancer')) {
    // clientv3 returns this one on its own, dropping anything found so far.
    return new ValidationError([
      {
        field: 'IPPool.Spec.AllowedUses',
        value: formatValue(uses, t.slice(t.string())),
        reason: 'IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel',
      },
    ])
  }
  if (previous && storedBlockSize(previous) !== blockSize) {
    errors.push({field: 'IPPool.Spec.BlockSize', value: String(blockSize), reason: 'IPPool BlockSize cannot be modified'})
  }
  if (v4 && (blockSize > 32 || blockSize < 20)) {
    errors.push({field: 'IPPool.Spec.BlockSize', value: String(blockSize), reason: 'IPv4 block size must be between 20 and 32'})
  } else if (!v4 && (blockSize > 128 || blockSize < 116)) {
    errors.push({
      field: 'IPPool.Spec.BlockSize',
      value: String(blockSize),
      reason: 'IPv6 block size must be between 116 and 128',
    })
  }
  if (s.disabled !== true && cidr.ones > blockSize) {
    errors.push({
      field: 'IPPool.Spec.CIDR',
      value: normalised,
      reason: 'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.',
    })
  }
  if (!previous) errors.push(...overlapErrors(pool, cidr, normalised, options.existing ?? []))
  const ipipMode = str(s.ipipMode) || 'Never'
  const vxlanMode = str(s.vxlanMode) || 'Never'
  if (vxlanMode !== 'Never' && ipipMode !== 'Never') {
    errors.push({field: 'IPPool.Spec.VXLANMode', value: vxlanMode, reason: 'Cannot enable both VXLAN and IPIP on the same IPPool'})
  }
  if (!v4 && ipipMode !== 'Never') {
    errors.push({field: 'IPPool.Spec.IPIPMode', value: ipipMode, reason: 'IPIP is not supported on an IPv6 IP pool'})
  }
  if (ipString(cidr.ip) !== ipString(ip)) {
    errors.push({field: 'IPPool.Spec.CIDR', value: normalised, reason: 'IPPool CIDR is not strictly masked'})
  }
  if (v4 && netsOverlap(cidr, V4_LINK_LOCAL)) {
    errors.push({
      field: 'IPPool.Spec.CIDR',
      value: normalised,
      reason: 'IPPool CIDR overlaps with IPv4 Link Local range 169.254.0.0/16',
    })
  }
  if (!v4 && netsOverlap(cidr, V6_LINK_LOCAL)) {
    errors.push({
      field: 'IPPool.Spec.CIDR',
      value: normalised,
      reason: 'IPPool CIDR overlaps with IPv6 Link Local range fe80::/10',
    })
  }
  return errors.length > 0 ? new ValidationError(errors) : undefined
}

function overlapErrors(pool: Resource, cidr: GoIPNet, normalised: string, existing: readonly Resource[]): FieldError[] {
  const name = pool.metadata?.name ?? ''
  const errors: FieldError[] = []
  for (const other of existing) {
    const otherName = other.metadata?.name ?? ''
    if (otherName === name) continue
    const otherCIDR = str(spec(other).cidr)
    const otherNet = tryNet(otherCIDR)
    if (!otherNet) continue
    if (netsOverlap(otherNet, cidr)) {
      errors.push({
        field: 'IPPool.Spec.CIDR',
        value: normalised,
        reason: `IPPool(${name}) CIDR overlaps with IPPool(${otherName}) CIDR ${otherCIDR}`,
      })
    }
  }
  return errors
}

/**
 * The overlap part of the create-time check alone, rendered as clientv3's ErrorValidation text
 * (`error with field IPPool.Spec.CIDR = '10.0.0.0/16' (IPPool(a) CIDR overlaps with IPPool(b)
 * CIDR 10.0.0.0/8)`), or undefined. Pools with the same name and unparsable CIDRs are skipped.
 */
export function ipPoolOverlapError(pool: Resource, existing: readonly Resource[]): string | undefined {
  if (pool.kind !== 'IPPool') return undefined
  let parsed
  try {
    parsed = parseCIDR(str(spec(pool).cidr))
  } catch {
    return undefined
  }
  const errors = overlapErrors(pool, parsed.net, netString(parsed.net), existing)
  return errors.length > 0 ? new ValidationError(errors).message : undefined
}

/**
 * The update-time immutability checks alone, rendered as clientv3's ErrorValidation text:
 * IPPool CIDR (`IPPool CIDR cannot be modified`), block size (`IPPool BlockSize cannot be
 * modified`) and a LoadBalancer pool's allowed uses. Other kinds have no immutable fields in
 * Calico v3.32.1, so undefined.
 */
export function immutableFieldError(previous: Resource, next: Resource): string | undefined {
  if (next.kind !== 'IPPool' || previous.kind !== 'IPPool') return undefined
  let parsed
  try {
    parsed = parseCIDR(str(spec(next).cidr))
  } catch {
    return undefined
  }
  const normalised = netString(parsed.net)
  const uses = usesOf(next)
  if (usesOf(previous).includes('LoadBalancer') && uses.some((use) => use !== 'LoadBalancer')) {
    return new ValidationError([
      {
        field: 'IPPool.Spec.AllowedUses',
        value: formatValue(uses, t.slice(t.string())),
        reason: 'IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel',
      },
    ]).message
  }
  const errors: FieldError[] = []
  if (!cidrChangeOK(str(spec(previous).cidr), normalised)) {
    errors.push({field: 'IPPool.Spec.CIDR', value: normalised, reason: 'IPPool CIDR cannot be modified'})
  }
  const s = spec(next)
  const blockSize = typeof s.blockSize === 'number' && s.blockSize !== 0 ? s.blockSize : parsed.ip.bytes.length === 4 ? 26 : 122
  if (storedBlockSize(previous) !== blockSize) {
    errors.push({field: 'IPPool.Spec.BlockSize', value: String(blockSize), reason: 'IPPool BlockSize cannot be modified'})
  }
  return errors.length > 0 ? new ValidationError(errors).message : undefined
}
