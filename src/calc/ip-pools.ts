/**
 * IPPool resources → IPAM pool messages (Felix's IP pool update processor + EventSequencer
 * OnIPPoolUpdate/Remove). Every pool is sent, disabled ones included: a disabled pool still holds
 * workloads and is still a Calico destination (NAT outgoing excludes it). A pool whose CIDR does not
 * parse is treated as absent. Keyed by datastore key; the message id is Felix's (CIDR with '-'), so
 * a CIDR change is a remove of the old id and an update of the new one.
 */
import {netString, parseCIDROrIP, type IPPool} from '../api/index.js'
import {ipPoolId, type IPAMPool} from './messages.js'

/** Undefined for a pool without a valid CIDR. */
export function decodeIPPool(res: IPPool): IPAMPool | undefined {
  const spec = res.spec ?? {}
  if (spec.cidr === undefined || spec.cidr === '') return undefined
  const {net} = parseCIDROrIP(spec.cidr)
  return {
    cidr: netString(net),
    masquerade: spec.natOutgoing === true,
    disabled: spec.disabled === true,
    ipipMode: spec.ipipMode !== undefined && spec.ipipMode !== '' ? spec.ipipMode : 'Never',
    vxlanMode: spec.vxlanMode !== undefined && spec.vxlanMode !== '' ? spec.vxlanMode : 'Never',
  }
}

export interface PoolListener {
  onPoolUpdate(id: string, pool: IPAMPool): void
  onPoolRemove(id: string): void
}

/**
 * Tracks pools by datastore key and reports changes by pool id. Two resources with one CIDR (which
 * Calico's validation refuses) give one pool: the one with the lowest key, so the result does not
 * depend on the order updates arrived in.
 */
export class IPPoolTracker {
  private readonly byKey = new Map<string, IPAMPool>()
  /** CIDR → what the listener was last told (JSON), for pools it was told about. */
  private readonly told = new Map<string, string>()

  constructor(private readonly out: PoolListener) {}

  update(key: string, pool: IPAMPool | undefined): void {
    const old = this.byKey.get(key)
    if (pool === undefined) this.byKey.delete(key)
    else this.byKey.set(key, pool)
    for (const cidr of new Set([old?.cidr, pool?.cidr])) if (cidr !== undefined) this.refresh(cidr)
  }

  private refresh(cidr: string): void {
    let winner: [string, IPAMPool] | undefined
    for (const [key, pool] of this.byKey) if (pool.cidr === cidr && (winner === undefined || key < winner[0])) winner = [key, pool]
    const told = this.told.get(cidr)
    if (winner === undefined) {
      if (told === undefined) return
      this.told.delete(cidr)
      this.out.onPoolRemove(ipPoolId(cidr))
      return
    }
    const json = JSON.stringify(winner[1])
    if (json === told) return
    this.told.set(cidr, json)
    this.out.onPoolUpdate(ipPoolId(cidr), winner[1])
  }
}
