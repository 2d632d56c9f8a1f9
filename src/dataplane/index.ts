/**
 * IptablesDataplane: the iptables + ipset dataplane behind the Dataplane interface.
 *
 * onUpdate only records the desired state (maps keyed like the calc graph's messages) and marks it
 * dirty. apply() does nothing before InSync; after it, one pass in Felix's order: render the four
 * tables if the state changed (resolving host endpoints matched by expected IPs from interface
 * addresses first; the small tables render while the ipset creates/updates, backend detection
 * with its save of every table, or one save of every table on a resync, run as children) → ipset
 * creates/updates → iptables: raw, mangle and nat (one restore call for those that are one
 * transaction), then filter, which renders and plans meanwhile (its transactions, several when
 * the write is large, stream through one restore) → ipset deletions → workload routes and
 * interface sysctls (routes/). A
 * periodic refresh (IptablesRefreshInterval) re-reads the kernel and repairs drift; the timer calls
 * apply() itself; while a local endpoint's interface is missing or down, a short retry timer
 * re-applies until it appears (Felix learns this from netlink). apply() calls are serialised, so the
 * timer and the agent never interleave writes. Errors leave the kernel as it was and reject (the
 * caller reports not-ready); a table that cannot be written (e.g. a foreign chain under a Calico
 * name) does not stop the other tables, but the apply still rejects with its one-line reason.
 */
import {
  policyIdString,
  workloadEndpointIdString,
  type CalcMessage,
  type HostEndpoint,
  type IPAMPool,
  type IPSetType,
  type Policy,
  type PolicyId,
  type Profile,
  type WorkloadEndpoint,
} from '../calc/messages.js'
import type {Dataplane} from './dataplane.js'
import {runCmd, type CmdRunner} from './exec.js'
import {needsAddresses, readInterfaceAddresses, resolveHostEndpoints} from './hosts.js'
import {detectBackend, type IptablesCommands} from './iptables/backend.js'
import {probeFeatures, type IptablesFeatures} from './iptables/features.js'
import {parseSaveTables} from './iptables/save.js'
import {IptablesTable, type SingleTransaction} from './iptables/table.js'
import {IpsetsDriver, type DesiredSet} from './ipsets/ipsets.js'
import {driverConfig, renderConfig, type DriverConfig} from './rules/config.js'
import {IPSET_ALL_POOLS, IPSET_MASQ_POOLS, ipsetName} from './rules/names.js'
import {
  EMPTY_TABLE,
  ChainCache,
  cachedWorkloadChains,
  renderFilterTable,
  renderMangleTable,
  renderNatTable,
  renderRawTable,
  TABLE_NAMES,
  type DesiredState,
  type TableName,
  type TableRender,
} from './rules/ruleset.js'
import {RouteManager, type SysctlWriter} from './routes/index.js'

export interface IptablesDataplaneOptions {
  /** The exec shim (tests pass a fake or an `inNetns` runner). */
  readonly run?: CmdRunner
  /** Start the refresh timer and the interface retry timer (default true). */
  readonly refreshTimer?: boolean
  /** How often to re-check while a local endpoint's interface is missing or down (default 1000 ms). */
  readonly interfaceRetryMs?: number
  /** Writes the interface sysctls (default: `sysctl -w` through the exec shim). */
  readonly writeSysctls?: SysctlWriter
  /** Called with errors from timer-driven applies. */
  readonly onError?: (error: unknown) => void
  readonly now?: () => number
  /** Chains per iptables-restore transaction when a table write is split (tests; default 500). */
  readonly chunkChains?: number
  /** Rules of non-leaf chains per transaction when a table write is split (tests; default 2500). */
  readonly chunkRules?: number
}

export interface DataplaneStatus {
  readonly inSync: boolean
  readonly lastApplyMs: number | undefined
  readonly backend: 'nft' | 'legacy' | undefined
  readonly workloadEndpoints: number
  readonly hostEndpoints: number
  readonly policies: number
  readonly ipsets: number
  /** iptables-restore calls and bytes, all four tables together. */
  readonly iptablesRestoreCalls: number
  /** Transactions handed to those calls (a split write streams several through one call). */
  readonly iptablesTransactions: number
  readonly iptablesBytesWritten: number
  /** Felix's felix_iptables_* / felix_ipset_* figures, all tables together (metrics read these). */
  readonly iptablesRestoreErrors: number
  readonly iptablesSaveCalls: number
  readonly iptablesLinesWritten: number
  readonly iptablesChains: number
  readonly iptablesRules: number
  readonly ipsetCalls: number
  /** The same per table. */
  readonly tables: Readonly<Record<TableName, {readonly restoreCalls: number; readonly bytesWritten: number}>>
  /** IPAM pools known (all families). */
  readonly pools: number
  /** Host endpoints after resolution (one per interface they apply to). */
  readonly hostInterfaces: readonly string[]
  /** Workload routes programmed. */
  readonly routes: number
  /** Local endpoint interfaces not present or not up yet. */
  readonly pendingInterfaces: readonly string[]
}

/** Endpoints whose chains are rendered between two yields while the first apply's children run. */
const WARM_SLICE = 16

/** Written before filter, together when each is one transaction. */
const SMALL_TABLES = ['raw', 'mangle', 'nat'] as const satisfies readonly TableName[]

export class IptablesDataplane implements Dataplane {
  private readonly run: CmdRunner
  private config: Readonly<Record<string, string>> = {}
  private readonly ipsets = new Map<string, {type: IPSetType; members: Set<string>}>()
  private readonly policies = new Map<string, {id: PolicyId; policy: Policy}>()
  private readonly profiles = new Map<string, Profile>()
  private readonly workloads = new Map<string, WorkloadEndpoint>()
  private readonly hostEndpoints = new Map<string, HostEndpoint>()
  private readonly pools = new Map<string, IPAMPool>()
  private resolvedHosts: HostEndpoint[] = []
  /** Interface addresses for host endpoints matched by expected IPs; undefined = read on next apply. */
  private addresses: Map<string, string[]> | undefined
  private inSync = false
  private dirty = true
  private removingAll = false
  private tables: Record<TableName, IptablesTable> | undefined
  private cmds: IptablesCommands | undefined
  /** Read when first needed (`probeFeaturesIfNeeded`). */
  private features: IptablesFeatures | undefined
  /** Backend detection's save of every table, used as the first read, then dropped. */
  private detectedSave: string | undefined
  /** Saves of every table at once (detection, resync), beside the tables' own. */
  private saveCalls = 0
  /** Restore calls counted by more than one table (a shared call counts once per table in it). */
  private sharedRestoreCalls = 0
  private sharedRestoreErrors = 0
  private readonly ipsetDriver: IpsetsDriver
  private readonly chainCache = new ChainCache()
  private readonly routes: RouteManager
  private retryTimer: NodeJS.Timeout | undefined
  private queue: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  private lastRefresh = 0
  private lastApplyMs: number | undefined
  private closed = false

  constructor(private readonly options: IptablesDataplaneOptions = {}) {
    this.run = options.run ?? runCmd
    this.ipsetDriver = new IpsetsDriver(this.run)
    this.routes = new RouteManager(this.run, options.writeSysctls)
  }

  onUpdate(msg: CalcMessage): void {
    this.dirty = true
    switch (msg.type) {
      case 'ConfigUpdate':
        this.config = msg.config
        this.routes.setConfig(msg.config)
        break
      case 'IPSetUpdate':
        this.ipsets.set(msg.id, {type: msg.ipsetType, members: new Set(msg.members)})
        break
      case 'IPSetDeltaUpdate': {
        const set = this.ipsets.get(msg.id)
        if (set === undefined) break
        for (const m of msg.removedMembers) set.members.delete(m)
        for (const m of msg.addedMembers) set.members.add(m)
        break
      }
      case 'IPSetRemove':
        this.ipsets.delete(msg.id)
        break
      case 'ActivePolicyUpdate':
        this.policies.set(policyIdString(msg.id), {id: msg.id, policy: msg.policy})
        break
      case 'ActivePolicyRemove':
        this.policies.delete(policyIdString(msg.id))
        break
      case 'ActiveProfileUpdate':
        this.profiles.set(msg.id, msg.profile)
        break
      case 'ActiveProfileRemove':
        this.profiles.delete(msg.id)
        break
      case 'WorkloadEndpointUpdate':
        this.workloads.set(workloadEndpointIdString(msg.id), msg.endpoint)
        this.routes.onWorkloadUpdate(workloadEndpointIdString(msg.id), msg.endpoint)
        break
      case 'WorkloadEndpointRemove':
        this.workloads.delete(workloadEndpointIdString(msg.id))
        this.routes.onWorkloadRemove(workloadEndpointIdString(msg.id))
        break
      case 'HostEndpointUpdate':
        this.hostEndpoints.set(msg.id.endpointId, msg.endpoint)
        this.addresses = undefined
        break
      case 'HostEndpointRemove':
        this.hostEndpoints.delete(msg.id.endpointId)
        this.addresses = undefined
        break
      case 'IPAMPoolUpdate':
        this.pools.set(msg.id, msg.pool)
        break
      case 'IPAMPoolRemove':
        this.pools.delete(msg.id)
        break
      case 'RouteUpdate':
      case 'RouteRemove':
        break
      case 'InSync':
        this.inSync = true
        break
    }
  }

  apply(): Promise<void> {
    const next = this.queue.then(() => this.applyNow())
    this.queue = next.catch(() => undefined)
    return next
  }

  /** Re-read the kernel on the next apply and repair whatever drifted. */
  requestResync(): void {
    for (const table of Object.values(this.tables ?? {})) table.markResync()
    // Interface addresses may have moved: re-resolve host endpoints matched by expected IPs.
    if (needsAddresses(this.hostEndpoints.values())) {
      this.addresses = undefined
      this.dirty = true
    }
    this.ipsetDriver.markResync()
    this.routes.markResync()
  }

  /**
   * Removes every Calico chain, kernel-chain rule and ipset (uninstall; tests). Later applies keep
   * the kernel clean until the dataplane is recreated.
   */
  removeAll(): Promise<void> {
    this.removingAll = true
    this.dirty = true
    this.routes.removeAll()
    return this.apply()
  }

  status(): DataplaneStatus {
    return {
      inSync: this.inSync,
      lastApplyMs: this.lastApplyMs,
      backend: this.cmds?.backend,
      workloadEndpoints: this.workloads.size,
      hostEndpoints: this.hostEndpoints.size,
      policies: this.policies.size,
      ipsets: this.ipsets.size,
      iptablesRestoreCalls: this.sumStats((t) => t.stats.restoreCalls) - this.sharedRestoreCalls,
      iptablesTransactions: this.sumStats((t) => t.stats.transactions),
      iptablesBytesWritten: this.sumStats((t) => t.stats.bytesWritten),
      iptablesRestoreErrors: this.sumStats((t) => t.stats.restoreErrors) - this.sharedRestoreErrors,
      iptablesSaveCalls: this.saveCalls + this.sumStats((t) => t.stats.saveCalls),
      iptablesLinesWritten: this.sumStats((t) => t.stats.linesWritten),
      iptablesChains: this.sumStats((t) => t.desiredCounts.chains),
      iptablesRules: this.sumStats((t) => t.desiredCounts.rules),
      ipsetCalls: this.ipsetDriver.stats.restoreCalls,
      tables: Object.fromEntries(
        TABLE_NAMES.map((t) => [t, {restoreCalls: this.tables?.[t].stats.restoreCalls ?? 0, bytesWritten: this.tables?.[t].stats.bytesWritten ?? 0}]),
      ) as Record<TableName, {restoreCalls: number; bytesWritten: number}>,
      pools: this.pools.size,
      hostInterfaces: this.resolvedHosts.map((h) => h.name),
      routes: this.routes.stats.routes,
      pendingInterfaces: this.routes.pendingInterfaces,
    }
  }

  private sumStats(of: (table: IptablesTable) => number): number {
    return TABLE_NAMES.reduce((n, name) => n + (this.tables === undefined ? 0 : of(this.tables[name])), 0)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    await this.queue
  }

  private driverConfig(): DriverConfig {
    return driverConfig(this.config)
  }

  private async applyNow(): Promise<void> {
    if (!this.inSync || this.closed) return
    const started = (this.options.now ?? Date.now)()
    const drivers = this.driverConfig()
    if (this.tables === undefined) {
      // The first apply reads everything anyway.
      this.lastRefresh = started
    } else if (drivers.refreshIntervalMs > 0 && started - this.lastRefresh >= drivers.refreshIntervalMs) {
      this.requestResync()
      this.lastRefresh = started
    }
    const dirty = this.dirty
    if (dirty) {
      this.dirty = false
      try {
        await this.resolveHosts()
        this.renderIpsets()
      } catch (error) {
        this.dirty = true
        throw error
      }
    }
    // Children first: backend detection, which reads every table too (first apply), or one save
    // of every table (resync); the feature probe (first NAT-outgoing pool); the ipset
    // creates/updates. Only the small tables render meanwhile, so each child is noticed as it ends.
    const ready = (this.tables === undefined ? this.setUpTables(drivers) : Promise.resolve(this.tables)).then((tables) =>
      Promise.all([this.readTables(tables), this.probeFeaturesIfNeeded()]),
    )
    const pending = Promise.allSettled([ready, this.ipsetDriver.applyUpdates()])
    const renders = dirty ? this.tableRenderers() : undefined
    const rendered: Partial<Record<TableName, TableRender>> = {}
    let renderError: unknown
    const render = (name: TableName): void => {
      if (renders === undefined || renderError !== undefined) return
      try {
        rendered[name] = renders[name]()
      } catch (error) {
        renderError = error
      }
    }
    render('raw')
    render('mangle')
    // The endpoint chains, a few at a time, while the children run: the filter render then finds most
    // of them in the cache. A failure here is met again (and reported) by that render.
    if (renders !== undefined && !this.removingAll) this.warmWorkloadChains().catch(() => undefined)
    for (const result of await pending) {
      if (result.status === 'rejected') renderError ??= result.reason
    }
    render('nat')
    const tables = this.tables
    if (renderError !== undefined || tables === undefined) {
      if (dirty) this.dirty = true
      throw renderError
    }
    if (renders !== undefined) for (const name of SMALL_TABLES) tables[name].setDesired(rendered[name] ?? EMPTY_TABLE)
    // Every table is tried; the first failure is reported after the others were written. filter,
    // the big one, renders and plans its first transaction while raw, mangle and nat are written.
    const failures: unknown[] = []
    const small = this.writeSmallTables(tables, failures)
    // The small tables reach their restore through promise steps only: it has started after this.
    await new Promise((resolve) => setImmediate(resolve))
    if (renders !== undefined) {
      render('filter')
      if (renderError === undefined) tables.filter.setDesired(rendered.filter ?? EMPTY_TABLE)
    }
    if (renderError === undefined) tables.filter.prepare()
    await small
    if (renderError !== undefined) {
      this.dirty = true
      throw renderError
    }
    try {
      await tables.filter.apply()
    } catch (error) {
      failures.push(error)
    }
    if (failures.length > 0) throw failures[0]
    await this.ipsetDriver.applyDeletions()
    // Routes last: traffic is routed to an endpoint only once its policy is in place.
    await this.routes.apply()
    this.scheduleInterfaceRetry()
    this.lastApplyMs = (this.options.now ?? Date.now)() - started
  }

  /** First apply: detect the iptables backend, create the tables, start the timer. */
  private async setUpTables(drivers: DriverConfig): Promise<Record<TableName, IptablesTable>> {
    const detected = await detectBackend(this.run, drivers.backend)
    const {cmds} = detected
    if (detected.saved !== undefined) this.saveCalls += 2
    this.detectedSave = detected.saved
    this.cmds = cmds
    const options = {chunkChains: this.options.chunkChains, chunkRules: this.options.chunkRules}
    this.tables = {
      raw: new IptablesTable('raw', this.run, cmds, options),
      mangle: new IptablesTable('mangle', this.run, cmds, options),
      nat: new IptablesTable('nat', this.run, cmds, options),
      filter: new IptablesTable('filter', this.run, cmds, options),
    }
    this.startTimer(drivers)
    return this.tables
  }

  /**
   * The iptables and kernel versions decide MASQUERADE `--random-fully`: read once, when a pool
   * first needs NAT outgoing (until then no rule depends on them).
   */
  private async probeFeaturesIfNeeded(): Promise<void> {
    if (this.features !== undefined || this.cmds === undefined || this.removingAll) return
    if (![...this.pools.values()].some((p) => p.masquerade && !p.cidr.includes(':'))) return
    this.features = await probeFeatures(this.run, this.cmds)
  }

  /** The tables due a read get the state of one `iptables-save` of every table (or detection's). */
  private async readTables(tables: Record<TableName, IptablesTable>): Promise<void> {
    const due = TABLE_NAMES.filter((name) => tables[name].needsRead)
    let saved = this.detectedSave
    this.detectedSave = undefined
    if (due.length === 0 || this.cmds === undefined) return
    if (saved === undefined) {
      this.saveCalls++
      saved = (await this.run({argv: [this.cmds.save]})).stdout
    }
    const actual = parseSaveTables(saved, due)
    for (const name of due) tables[name].seed(actual.get(name) ?? {chains: new Map()})
  }

  /**
   * raw, mangle and nat: those whose write is one transaction go out in one `iptables-restore`
   * call (in that order); the rest, and any after a failed shared call, through their own apply.
   */
  private async writeSmallTables(tables: Record<TableName, IptablesTable>, failures: unknown[]): Promise<void> {
    const singles: SingleTransaction[] = []
    for (const name of SMALL_TABLES) {
      const single = await tables[name].singleTransaction()
      if (typeof single === 'object') singles.push(single)
    }
    if (singles.length > 0 && this.cmds !== undefined) {
      try {
        await this.run({argv: [this.cmds.restore, '--noflush'], stdin: singles.map((t) => t.script).join('')})
        for (const t of singles) t.written()
      } catch {
        for (const t of singles) t.failed()
        this.sharedRestoreErrors += singles.length - 1
      } finally {
        this.sharedRestoreCalls += singles.length - 1
      }
    }
    for (const name of SMALL_TABLES) {
      try {
        await tables[name].apply()
      } catch (error) {
        failures.push(error)
      }
    }
  }

  /** Host endpoints → interfaces; reads interface addresses only when some endpoint is matched by IPs. */
  private async resolveHosts(): Promise<void> {
    if (needsAddresses(this.hostEndpoints.values())) {
      this.addresses ??= await readInterfaceAddresses(this.run)
    } else {
      this.addresses = undefined
    }
    this.resolvedHosts = resolveHostEndpoints(this.hostEndpoints, this.addresses ?? new Map())
  }

  /** The desired ipsets (calc's sets plus the pool sets). */
  private renderIpsets(): void {
    if (this.removingAll) {
      this.ipsetDriver.setDesired(new Map())
      return
    }
    const sets = new Map<string, DesiredSet>()
    for (const [id, set] of this.ipsets) sets.set(ipsetName(id), set)
    // The pool sets (Felix's masq manager); only while some IPv4 pool exists, so a host without
    // pools carries no Calico ipset it does not use.
    const v4 = [...this.pools.values()].filter((p) => !p.cidr.includes(':'))
    if (v4.length > 0) {
      sets.set(IPSET_ALL_POOLS, {type: 'net', members: new Set(v4.map((p) => p.cidr))})
      sets.set(IPSET_MASQ_POOLS, {type: 'net', members: new Set(v4.filter((p) => p.masquerade).map((p) => p.cidr))})
    }
    this.ipsetDriver.setDesired(sets)
  }

  private desiredState(): DesiredState {
    return {
      policies: this.policies,
      profiles: this.profiles,
      workloads: [...this.workloads.values()],
      hostEndpoints: this.resolvedHosts,
      pools: [...this.pools.values()].map((p) => ({cidr: p.cidr, masquerade: p.masquerade})),
    }
  }

  /** Renders the local endpoints' filter chains into the cache, yielding every few endpoints. */
  private async warmWorkloadChains(): Promise<void> {
    let rendered = 0
    for (const workload of this.workloads.values()) {
      cachedWorkloadChains(workload, this.chainCache)
      if (++rendered % WARM_SLICE === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /**
   * Each table's render, run when the apply gets to it (nat needs the detected features);
   * policies, profiles and workload endpoints unchanged since the last render come from the cache.
   */
  private tableRenderers(): Record<TableName, () => TableRender> {
    if (this.removingAll) return {raw: () => EMPTY_TABLE, mangle: () => EMPTY_TABLE, nat: () => EMPTY_TABLE, filter: () => EMPTY_TABLE}
    const state = this.desiredState()
    const cfg = renderConfig(this.config)
    return {
      raw: () => renderRawTable(state, cfg, this.chainCache),
      mangle: () => renderMangleTable(state, cfg, this.chainCache),
      nat: () => renderNatTable(state, this.features ?? {randomFully: false}),
      filter: () => renderFilterTable(state, cfg, this.chainCache),
    }
  }

  /** While interfaces are awaited, apply again shortly (one timer at a time). */
  private scheduleInterfaceRetry(): void {
    const delay = this.options.interfaceRetryMs ?? 1000
    if (this.options.refreshTimer === false || delay <= 0 || this.closed) return
    if (this.retryTimer !== undefined || this.routes.pendingInterfaces.length === 0) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.apply().catch((error: unknown) => this.options.onError?.(error))
    }, delay)
    this.retryTimer.unref()
  }

  private startTimer(drivers: DriverConfig): void {
    if (this.options.refreshTimer === false || drivers.refreshIntervalMs <= 0) return
    this.lastRefresh = (this.options.now ?? Date.now)()
    this.timer = setInterval(() => {
      this.apply().catch((error: unknown) => this.options.onError?.(error))
    }, drivers.refreshIntervalMs)
    this.timer.unref()
  }
}

export type {Dataplane} from './dataplane.js'
export {RecordingDataplane} from './recording.js'
export {ExecError, inNetns, runCmd, type Cmd, type CmdResult, type CmdRunner} from './exec.js'
export {ForeignChainError} from './iptables/table.js'
