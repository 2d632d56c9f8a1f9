/**
 * What an IPAM operation reads besides IPAM's own keys: IP pools, IPReservations, the Node's
 * labels, and the IPAM configuration. Read fresh for every request (as libcalico-go does), so a
 * pool disabled or a reservation added a moment ago is honoured by the next allocation.
 */
import type {IPPool, IPReservation} from '../api/index.js'
import type {Datastore} from '../datastore/datastore.js'
import {ResourceClient} from '../datastore/resources.js'
import {IPAMConfigError} from './errors.js'
import {DEFAULT_IPAM_CONFIG, type IPAMConfig} from './model.js'
import {checkNoOverlap, parsePools, type Pool} from './pools.js'
import {Reservations} from './reservations.js'
import {IPAMStore} from './store.js'

export class IPAMContext {
  readonly store: IPAMStore
  readonly resources: ResourceClient

  constructor(readonly datastore: Datastore) {
    this.store = new IPAMStore(datastore)
    this.resources = new ResourceClient(datastore)
  }

  /**
   * Every pool, parsed; a pool IPAM cannot use, or enabled pools that overlap, fail the request
   * (IPAMInputError). `lenient` (for releasing and reading) skips unusable pools instead.
   */
  async pools(options: {lenient?: boolean} = {}): Promise<Pool[]> {
    const {items} = await this.resources.list('IPPool')
    if (options.lenient) {
      return (items as IPPool[]).flatMap((item) => {
        try {
          return parsePools([item])
        } catch {
          return []
        }
      })
    }
    const pools = parsePools(items as IPPool[])
    checkNoOverlap(pools)
    return pools
  }

  async reservations(): Promise<Reservations> {
    const {items} = await this.resources.list('IPReservation')
    return Reservations.fromCIDRs((items as IPReservation[]).flatMap((r) => r.spec?.reservedCIDRs ?? []))
  }

  /** The Node's labels; a host with no Node resource has none (nodeSelector all() still matches). */
  async nodeLabels(host: string): Promise<Record<string, string>> {
    const node = await this.resources.getOptional('Node', host)
    return {...node?.metadata.labels}
  }

  /** GetIPAMConfig: the stored config, or the defaults (not written) when none is stored. */
  async config(): Promise<IPAMConfig> {
    return (await this.store.getConfig())?.value ?? DEFAULT_IPAM_CONFIG
  }

  /**
   * SetIPAMConfig: refuses StrictAffinity and AutoAllocateBlocks both off, and MaxBlocksPerHost
   * without StrictAffinity (Calico's texts); writes only when something changed.
   */
  async setConfig(next: IPAMConfig): Promise<void> {
    if (next.maxBlocksPerHost < 0) throw new IPAMConfigError('MaxBlocksPerHost must not be negative')
    const current = await this.store.getConfig()
    const value = current?.value ?? DEFAULT_IPAM_CONFIG
    if (
      current &&
      value.strictAffinity === next.strictAffinity &&
      value.autoAllocateBlocks === next.autoAllocateBlocks &&
      value.maxBlocksPerHost === next.maxBlocksPerHost &&
      value.kubeVirtVMAddressPersistence === next.kubeVirtVMAddressPersistence
    ) {
      return
    }
    if (!next.strictAffinity && !next.autoAllocateBlocks) {
      throw new IPAMConfigError("Cannot disable 'StrictAffinity' and 'AutoAllocateBlocks' at the same time")
    }
    if (next.maxBlocksPerHost > 0 && !next.strictAffinity) {
      throw new IPAMConfigError('MaxBlocksPerHost requires StrictAffinity to be enabled')
    }
    await this.store.putConfig(next, current?.revision)
  }
}
