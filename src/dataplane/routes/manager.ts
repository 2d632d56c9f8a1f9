/**
 * Workload routes and the per-interface sysctls Felix sets (DESIGN.md "Routes"; Felix's
 * `routetable/route_table.go` and `endpoint_mgr.go` `configureInterface`).
 *
 * For every local workload endpoint: a route `<ip>/32 dev <iface> scope link proto <P>` once the
 * host-side interface exists and is up (oper up), and on that interface proxy_arp=1,
 * neigh proxy_delay=0, forwarding=1, route_localnet=1 and rp_filter=1 (0 when the endpoint allows
 * spoofed sources). `net.ipv4.ip_forward=1` once at the first apply (unless IPForwarding=Disabled).
 *
 * Ownership: a route is Calico's when it has protocol P (DeviceRouteProtocol, default 80 here) AND
 * points down an interface with a workload prefix (InterfacePrefix, default `cali`). Only those are
 * ever deleted. (Felix defaults P to 3 = boot and also claims every route down a cali interface;
 * see DESIGN.md deviations.)
 *
 * onWorkload*() is bookkeeping only. apply() does nothing unless the workloads changed, a resync
 * was requested or interfaces are still awaited; then it reads links and routes (two `ip -j`
 * calls), writes new sysctls in one batch and all route changes in one `ip -force -batch -`.
 */
import type {WorkloadEndpoint} from '../../calc/messages.js'
import type {CmdRunner} from '../exec.js'

/** Writes sysctls, keys in slash form (`net/ipv4/conf/cali1/proxy_arp`), in one go. */
export type SysctlWriter = (settings: readonly (readonly [string, string])[]) => Promise<void>

/** The default writer: one `sysctl -q -w k=v …` through the exec shim (so it follows inNetns). */
export function execSysctlWriter(run: CmdRunner): SysctlWriter {
  return async (settings) => {
    if (settings.length === 0) return
    await run({argv: ['sysctl', '-q', '-w', ...settings.map(([key, value]) => `${key}=${value}`)]})
  }
}

export const DEFAULT_ROUTE_PROTOCOL = 80

export interface RouteManagerStats {
  /** `ip -batch` calls that changed routes. */
  readonly routeBatches: number
  /** Route lines written (replace + del). */
  readonly routeOps: number
  /** Sysctl values written. */
  readonly sysctlWrites: number
  /** Routes this manager currently believes are programmed. */
  readonly routes: number
}

interface Link {
  readonly index: number
  readonly up: boolean
}

interface KernelRoute {
  readonly dst: string
  readonly dev: string
}

interface IpLinkJson {
  ifindex?: number
  ifname?: string
  flags?: string[]
  operstate?: string
}

interface IpRouteJson {
  dst?: string
  dev?: string
  type?: string
}

const parseJson = <T>(text: string): T[] => {
  const trimmed = text.trim()
  if (trimmed === '') return []
  const parsed: unknown = JSON.parse(trimmed)
  return Array.isArray(parsed) ? (parsed as T[]) : []
}

/** `10.0.0.1` → `10.0.0.1/32`; CIDRs unchanged. */
const asCidr = (dst: string): string => (dst.includes('/') ? dst : `${dst}/32`)

export class RouteManager {
  private readonly workloads = new Map<string, WorkloadEndpoint>()
  private protocol = DEFAULT_ROUTE_PROTOCOL
  private prefixes: readonly string[] = ['cali']
  private ipForwarding = true
  private ipForwardDone = false
  private dirty = true
  private resync = true
  private waiting = new Set<string>()
  private removing = false
  /** Interfaces whose sysctls are written, by name → ifindex (a recreated interface is redone). */
  private readonly configured = new Map<string, number>()
  private programmed = new Map<string, string>()
  private counters = {routeBatches: 0, routeOps: 0, sysctlWrites: 0}
  private readonly writeSysctls: SysctlWriter

  constructor(
    private readonly run: CmdRunner,
    writeSysctls?: SysctlWriter,
  ) {
    this.writeSysctls = writeSysctls ?? execSysctlWriter(run)
  }

  /** Felix config names: DeviceRouteProtocol, InterfacePrefix, IPForwarding. */
  setConfig(config: Readonly<Record<string, string>>): void {
    const proto = Number(config.DeviceRouteProtocol ?? DEFAULT_ROUTE_PROTOCOL)
    const protocol = Number.isInteger(proto) && proto > 0 && proto < 256 ? proto : DEFAULT_ROUTE_PROTOCOL
    const prefixes = (config.InterfacePrefix ?? 'cali')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')
    const forwarding = (config.IPForwarding ?? 'Enabled').toLowerCase() !== 'disabled'
    if (protocol !== this.protocol || prefixes.join(',') !== this.prefixes.join(',') || forwarding !== this.ipForwarding) {
      this.protocol = protocol
      this.prefixes = prefixes.length > 0 ? prefixes : ['cali']
      this.ipForwarding = forwarding
      this.dirty = true
      this.resync = true
    }
  }

  onWorkloadUpdate(key: string, endpoint: WorkloadEndpoint): void {
    this.workloads.set(key, endpoint)
    this.dirty = true
  }

  onWorkloadRemove(key: string): void {
    if (this.workloads.delete(key)) this.dirty = true
  }

  /** Re-read links and routes on the next apply (periodic refresh, tests). */
  markResync(): void {
    this.resync = true
  }

  /** From now on, desire nothing: every Calico route is deleted on the next apply. */
  removeAll(): void {
    this.removing = true
    this.dirty = true
  }

  /** Interfaces of local endpoints that do not exist or are not up yet (the dataplane retries). */
  get pendingInterfaces(): readonly string[] {
    return [...this.waiting].sort()
  }

  get stats(): RouteManagerStats {
    return {...this.counters, routes: this.programmed.size}
  }

  async apply(): Promise<void> {
    if (!this.dirty && !this.resync && this.waiting.size === 0 && (this.ipForwardDone || !this.ipForwarding)) return
    // Cleared first: an update arriving while we wait on the kernel is picked up next time.
    this.dirty = false
    this.resync = false
    try {
      await this.reconcile()
    } catch (error) {
      this.resync = true
      throw error
    }
  }

  private owns(dev: string): boolean {
    return this.prefixes.some((p) => dev.startsWith(p))
  }

  private async reconcile(): Promise<void> {
    const [linkOut, routeOut] = await Promise.all([
      this.run({argv: ['ip', '-j', 'link', 'show']}),
      this.run({argv: ['ip', '-j', '-4', 'route', 'show', 'table', 'main', 'proto', String(this.protocol)]}),
    ])
    const links = new Map<string, Link>()
    for (const l of parseJson<IpLinkJson>(linkOut.stdout)) {
      if (l.ifname === undefined || l.ifindex === undefined) continue
      const flags = l.flags ?? []
      links.set(l.ifname, {index: l.ifindex, up: flags.includes('UP') && flags.includes('LOWER_UP') && l.operstate !== 'DOWN'})
    }
    const actual: KernelRoute[] = parseJson<IpRouteJson>(routeOut.stdout)
      .filter((r) => r.dst !== undefined && r.dev !== undefined && (r.type === undefined || r.type === 'unicast') && this.owns(r.dev))
      .map((r) => ({dst: asCidr(r.dst ?? ''), dev: r.dev ?? ''}))

    // Desired routes, only to interfaces that exist and are up; the rest are awaited.
    const desired = new Map<string, string>()
    const waiting = new Set<string>()
    const sysctls: [string, string][] = []
    const wanted = new Map<string, boolean>()
    if (!this.removing) {
      for (const key of [...this.workloads.keys()].sort()) {
        const wep = this.workloads.get(key)
        if (wep === undefined || wep.name === '') continue
        const link = links.get(wep.name)
        if (link === undefined || !link.up) {
          waiting.add(wep.name)
          continue
        }
        wanted.set(wep.name, (wanted.get(wep.name) ?? false) || wep.allowSpoofedSourcePrefixes.length > 0)
        for (const net of wep.ipv4Nets) {
          const cidr = asCidr(net)
          if (!desired.has(cidr)) desired.set(cidr, wep.name)
        }
      }
    }
    for (const name of this.configured.keys()) {
      const link = links.get(name)
      if (link === undefined || !wanted.has(name)) this.configured.delete(name)
    }
    const newlyConfigured: [string, number][] = []
    for (const [name, spoofing] of wanted) {
      const link = links.get(name)
      if (link === undefined || this.configured.get(name) === link.index) continue
      sysctls.push(...interfaceSysctls(name, spoofing))
      newlyConfigured.push([name, link.index])
    }
    if (this.ipForwarding && !this.ipForwardDone) sysctls.unshift(['net/ipv4/ip_forward', '1'])

    if (sysctls.length > 0) {
      await this.writeSysctls(sysctls)
      this.counters.sysctlWrites += sysctls.length
      this.ipForwardDone ||= this.ipForwarding
      for (const [name, index] of newlyConfigured) this.configured.set(name, index)
    }

    // Sysctls before routes: proxy ARP must answer by the time traffic is routed down the interface.
    const lines: string[] = []
    const have = new Map(actual.map((r) => [r.dst, r.dev]))
    for (const r of actual) {
      if (desired.get(r.dst) === undefined) lines.push(`route del ${r.dst} dev ${r.dev} proto ${this.protocol}`)
    }
    for (const [dst, dev] of desired) {
      if (have.get(dst) !== dev) lines.push(`route replace ${dst} dev ${dev} scope link proto ${this.protocol}`)
    }
    if (lines.length > 0) {
      await this.run({argv: ['ip', '-force', '-batch', '-'], stdin: `${lines.join('\n')}\n`})
      this.counters.routeBatches++
      this.counters.routeOps += lines.length
    }
    this.programmed = desired
    this.waiting = waiting
  }
}

/** Felix's IPv4 per-interface settings (`configureProcSysForInterface`), slash-form keys. */
export function interfaceSysctls(name: string, allowSpoofing: boolean): [string, string][] {
  return [
    [`net/ipv4/conf/${name}/route_localnet`, '1'],
    [`net/ipv4/conf/${name}/rp_filter`, allowSpoofing ? '0' : '1'],
    [`net/ipv4/neigh/${name}/proxy_delay`, '0'],
    [`net/ipv4/conf/${name}/proxy_arp`, '1'],
    [`net/ipv4/conf/${name}/forwarding`, '1'],
  ]
}
