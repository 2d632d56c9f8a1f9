/**
 * The ipam module's one door: Calico's block IPAM (classic v3.18–v3.31 behaviour) over the
 * Datastore contract, so it works the same on every backend. IPAMClient is the entry point; the
 * pure pieces (block logic, codecs, pool walk, report analysis) are exported for tests and tools.
 */
import type {Datastore} from '../datastore/datastore.js'
import {releaseAffinityRetrying} from './affinity.js'
import {assign, assignIP, type AssignArgs, type AssignIPArgs, type AssignResult} from './assign.js'
import type {AssignedIP} from './auto-assign.js'
import {IPAMContext, type IPAMContextOptions} from './context.js'
import type {Attribute, IPAMConfig} from './model.js'
import type {Addr, Net} from './net.js'
import {
  getAssignmentAttributes,
  getUtilization,
  ipsByHandle,
  releaseEmptyAffineBlocks,
  releaseHostAffinities,
  type AffinityReleaseOutcome,
  type PoolUtilization,
} from './queries.js'
import {deleteHandleIfUnchanged, releaseByHandle, releaseIPs, type ReleaseOptions, type ReleaseOutcome} from './release.js'

export * from './errors.js'
export * from './keys.js'
export * from './net.js'
export {Reservations} from './reservations.js'
export {DEFAULT_IPAM_CONFIG, decodeBlock, encodeBlock, decodeHandle, encodeHandle, type AllocationBlock, type Attribute, type IPAMConfig, type IPAMHandle} from './model.js'
export {newBlock, autoAssign as assignInBlock, attributeOf, allocatedOrdinals, isEmpty, affinityHost, hostAffinity, WINDOWS_RESERVED_HANDLE} from './block.js'
export type {AssignArgs, AssignIPArgs, AssignResult} from './assign.js'
export type {AssignedIP} from './auto-assign.js'
export type {ReleaseOptions, ReleaseOutcome} from './release.js'
export type {PoolUtilization, BlockUtilization, AffinityReleaseOutcome} from './queries.js'
export type {IntendedUse, Pool} from './pools.js'
export {IPAMStore, type Versioned} from './store.js'
export {analyse, loadCheckInputs, type CheckInputs, type CheckOptions, type CheckResult, type HandleInfo, type Report, type ReportAllocation} from './check.js'
export {decodeReport, encodeReport, mergeReports, ReportError} from './report.js'
export {splitCIDR, SplitError} from './split.js'
export {renderBoxTable} from './format/box-table.js'
export {IPAMContext, type IPAMContextOptions} from './context.js'
export type {NamespaceInfo} from './pools.js'

export class IPAMClient {
  readonly ctx: IPAMContext

  /**
   * `{cache: true}` for a long-lived allocator: pools, reservations, config and node labels are
   * kept in watched snapshots and the host's blocks as last written (see cache.ts for why that is
   * safe); close() stops the watches. Without it every request reads afresh, as Calico does.
   */
  constructor(
    readonly datastore: Datastore,
    options: IPAMContextOptions = {},
  ) {
    this.ctx = new IPAMContext(datastore, options)
  }

  /** Waits until the cached inputs reflect every change committed at or before `revision`. */
  sync(revision: number): Promise<void> {
    return this.ctx.sync(revision)
  }

  /** Stops the cache's watches (the datastore stays open). */
  close(): Promise<void> {
    return this.ctx.close()
  }

  /** Auto-assigns num4 IPv4 and num6 IPv6 addresses, all or nothing. */
  assign(args: AssignArgs): Promise<AssignResult> {
    return assign(this.ctx, args)
  }

  assignIP(args: AssignIPArgs): Promise<AssignedIP> {
    return assignIP(this.ctx, args)
  }

  releaseIPs(options: readonly ReleaseOptions[]): Promise<ReleaseOutcome> {
    return releaseIPs(this.ctx, options)
  }

  releaseByHandle(handleId: string): Promise<string[]> {
    return releaseByHandle(this.ctx, handleId)
  }

  releaseAffinity(host: string, net: Net, requireEmpty: boolean): Promise<void> {
    return releaseAffinityRetrying(this.ctx.store, host, net, {requireEmpty})
  }

  releaseHostAffinities(host: string, requireEmpty: boolean): Promise<AffinityReleaseOutcome> {
    return releaseHostAffinities(this.ctx, host, requireEmpty)
  }

  releaseEmptyAffineBlocks(host?: string): Promise<AffinityReleaseOutcome> {
    return releaseEmptyAffineBlocks(this.ctx, host)
  }

  getAssignmentAttributes(addr: Addr): Promise<Attribute | undefined> {
    return getAssignmentAttributes(this.ctx, addr)
  }

  getUtilization(): Promise<PoolUtilization[]> {
    return getUtilization(this.ctx)
  }

  ipsByHandle(handleId: string): Promise<string[] | undefined> {
    return ipsByHandle(this.ctx, handleId)
  }

  /** Deletes a leaked handle if it still has the given revision. */
  deleteHandleIfUnchanged(id: string, revision: string): Promise<'deleted' | 'skipped'> {
    return deleteHandleIfUnchanged(this.ctx, id, revision)
  }

  getConfig(): Promise<IPAMConfig> {
    return this.ctx.config()
  }

  setConfig(config: IPAMConfig): Promise<void> {
    return this.ctx.setConfig(config)
  }
}
