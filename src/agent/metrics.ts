/**
 * Prometheus metrics with Felix's names (felix-dataplane.md §5.2), in a registry of the agent's
 * own (not prom-client's global one, so in-process tests can run several agents). Served as
 * /metrics on prometheusMetricsPort (9091) only when enabled.
 *
 * The loop updates its own metrics as it goes. The dataplane's counters (iptables-restore calls,
 * ipsets, routes …) and the cluster counts are read when scraped, from the sources attached with
 * watchDataplane() and watchCluster(), so a scrape always shows the current figures, including the
 * work of the dataplane's own refresh timer. The dataplane reports its iptables figures summed
 * over its tables, so those carry Felix's ip_version label but not its per-table `table` label.
 */
import {createServer, type Server} from 'node:http'

import {Counter, Gauge, Registry, Summary, collectDefaultMetrics} from 'prom-client'

import type {Dataplane} from '../dataplane/dataplane.js'

import {listen} from './health.js'

export class AgentMetrics {
  readonly registry = new Registry()
  /** Metrics fed from a dataplane status field: registered only while the dataplane reports it. */
  private readonly fromDataplane: Array<{metric: Counter | Gauge; name: string; field: keyof DataplaneCounters; registered: boolean}> = []
  readonly applyTime = new Summary({name: 'felix_int_dataplane_apply_time_seconds', help: 'Time in seconds for each incremental dataplane apply (excludes the initial resync).', registers: [this.registry]})
  readonly initialResyncTime = new Gauge({name: 'felix_int_dataplane_initial_resync_time_seconds', help: 'Time in seconds of the first dataplane apply after the datastore was in sync.', registers: [this.registry]})
  readonly dataplaneFailures = new Counter({name: 'felix_int_dataplane_failures', help: 'Number of times dataplane updates failed and will be retried.', registers: [this.registry]})
  readonly dataplaneMessages = new Counter({name: 'felix_int_dataplane_messages', help: 'Number of messages received by the dataplane.', labelNames: ['type'], registers: [this.registry]})
  readonly msgBatchSize = new Summary({name: 'felix_int_dataplane_msg_batch_size', help: 'Number of messages processed in each batch.', registers: [this.registry]})
  readonly calcUpdateTime = new Summary({name: 'felix_calc_graph_update_time_seconds', help: 'Seconds to update the calculation graph for each datastore batch.', registers: [this.registry]})
  readonly calcUpdates = new Counter({name: 'felix_calc_graph_updates_processed', help: 'Number of datastore updates processed by the calculation graph.', labelNames: ['type'], registers: [this.registry]})
  readonly calcOutputEvents = new Counter({name: 'felix_calc_graph_output_events', help: 'Number of events emitted by the calculation graph.', registers: [this.registry]})
  readonly resyncState = new Gauge({name: 'felix_resync_state', help: 'Datastore sync state: 1 wait for datastore, 2 resync in progress, 3 in sync.', registers: [this.registry]})
  readonly resyncsStarted = new Counter({name: 'felix_resyncs_started', help: 'Number of times the agent started a resync (list) with the datastore.', registers: [this.registry]})
  readonly activeLocalEndpoints = new Gauge({name: 'felix_active_local_endpoints', help: 'Number of active endpoints on this host.', registers: [this.registry]})
  readonly activeLocalPolicies = new Gauge({name: 'felix_active_local_policies', help: 'Number of active policies on this host.', registers: [this.registry]})
  readonly activeLocalSelectors = new Gauge({name: 'felix_active_local_selectors', help: 'Number of active selectors (IP sets) on this host.', registers: [this.registry]})

  readonly clusterHosts = this.gauge('felix_cluster_num_hosts', 'Total number of Calico hosts (Node resources) in the cluster.', 'hosts')
  readonly clusterWorkloadEndpoints = this.gauge('felix_cluster_num_workload_endpoints', 'Total number of workload endpoints in the cluster.', 'workloadEndpoints')
  readonly clusterHostEndpoints = this.gauge('felix_cluster_num_host_endpoints', 'Total number of host endpoints in the cluster.', 'hostEndpoints')
  readonly clusterPolicies = this.gauge('felix_cluster_num_policies', 'Total number of policies (global and namespaced) in the cluster.', 'policies')
  readonly clusterProfiles = this.gauge('felix_cluster_num_profiles', 'Total number of profiles in the cluster.', 'profiles')
  readonly clusterTiers = this.gauge('felix_cluster_num_tiers', 'Total number of tiers in the cluster.', 'tiers')

  readonly iptablesRestoreCalls = this.counterOf('felix_iptables_restore_calls', 'Number of iptables-restore calls.', 'iptablesRestoreCalls')
  readonly iptablesRestoreErrors = this.counterOf('felix_iptables_restore_errors', 'Number of iptables-restore errors.', 'iptablesRestoreErrors')
  readonly iptablesSaveCalls = this.counterOf('felix_iptables_save_calls', 'Number of iptables-save calls.', 'iptablesSaveCalls')
  readonly iptablesLinesExecuted = this.counterOf('felix_iptables_lines_executed', 'Number of iptables rule updates executed.', 'iptablesLinesWritten', {ip_version: '4'})
  readonly iptablesChains = this.dataplaneGauge('felix_iptables_chains', 'Number of active iptables chains.', 'iptablesChains', {ip_version: '4'})
  readonly iptablesRules = this.dataplaneGauge('felix_iptables_rules', 'Number of active iptables rules.', 'iptablesRules', {ip_version: '4'})
  readonly ipsetCalls = this.counterOf('felix_ipset_calls', 'Number of ipset commands executed.', 'ipsetCalls')
  readonly ipsetsCalico = this.dataplaneGauge('felix_ipsets_calico', 'Number of active Calico IP sets.', 'ipsets')
  readonly routeTableRoutes = this.dataplaneGauge('felix_route_table_num_routes', 'Number of routes Calico programs (workload routes).', 'routes')

  private dataplaneSource?: () => DataplaneCounters | undefined
  private clusterSource?: () => ClusterCounts

  constructor(processMetrics = false) {
    if (processMetrics) collectDefaultMetrics({register: this.registry})
  }

  /** Reads the dataplane's counters on every scrape (a dataplane without status() exports none). */
  watchDataplane(dataplane: Dataplane): void {
    const withStatus = dataplane as Partial<StatusSource>
    if (typeof withStatus.status !== 'function') return
    this.dataplaneSource = () => (withStatus as StatusSource).status()
  }

  /**
   * Registers the dataplane-fed metrics whose field the dataplane reports now and unregisters the
   * others, so a figure the dataplane does not have is absent rather than a made-up 0. Called
   * before every scrape.
   */
  syncDataplaneMetrics(): void {
    const status = this.dataplaneSource?.()
    for (const entry of this.fromDataplane) {
      const present = typeof status?.[entry.field] === 'number'
      if (present && !entry.registered) this.registry.registerMetric(entry.metric)
      else if (!present && entry.registered) this.registry.removeSingleMetric(entry.name)
      entry.registered = present
    }
  }

  /** Reads the cluster counts on every scrape. */
  watchCluster(source: () => ClusterCounts): void {
    this.clusterSource = source
  }

  private gauge(name: string, help: string, field: keyof ClusterCounts): Gauge {
    const read = () => this.clusterSource?.()
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        const counts = read()
        if (counts !== undefined) this.set(counts[field])
      },
    })
  }

  /** A gauge showing a dataplane status field (absent field: not exported). */
  private dataplaneGauge(name: string, help: string, field: keyof DataplaneCounters, labels?: Record<string, string>): Gauge {
    const read = this.statusReader(field)
    const metric = new Gauge({
      ...mirrorConfig(name, help, labels),
      collect() {
        const value = read()
        if (value !== undefined) this.set(labels ?? {}, value)
      },
    })
    return this.mirrored(metric, name, field)
  }

  /** A counter mirroring a cumulative dataplane status field. */
  private counterOf(name: string, help: string, field: keyof DataplaneCounters, labels?: Record<string, string>): Counter {
    const read = this.statusReader(field)
    const metric = new Counter({
      ...mirrorConfig(name, help, labels),
      collect() {
        const value = read()
        if (value === undefined) return
        this.reset()
        this.inc(labels ?? {}, value)
      },
    })
    return this.mirrored(metric, name, field)
  }

  private statusReader(field: keyof DataplaneCounters): () => number | undefined {
    return () => {
      const value = this.dataplaneSource?.()?.[field]
      return typeof value === 'number' ? value : undefined
    }
  }

  private mirrored<M extends Counter | Gauge>(metric: M, name: string, field: keyof DataplaneCounters): M {
    this.fromDataplane.push({metric, name, field, registered: false})
    return metric
  }
}

/** The options of a metric mirroring a dataplane field (registered once the dataplane reports it). */
const mirrorConfig = (name: string, help: string, labels?: Record<string, string>) => ({
  name,
  help,
  labelNames: labels ? Object.keys(labels) : [],
  registers: [],
})

/**
 * The dataplane figures the metrics read, by their names in the dataplane's status()
 * (src/dataplane/index.ts DataplaneStatus). Fields a dataplane does not report are skipped.
 */
export interface DataplaneCounters {
  readonly iptablesRestoreCalls?: number
  readonly iptablesRestoreErrors?: number
  readonly iptablesSaveCalls?: number
  readonly iptablesLinesWritten?: number
  readonly iptablesChains?: number
  readonly iptablesRules?: number
  readonly ipsetCalls?: number
  readonly ipsets?: number
  readonly routes?: number
}

interface StatusSource {
  status(): DataplaneCounters
}

/** Counts of datastore resources the agent knows about. */
export interface ClusterCounts {
  readonly hosts: number
  readonly workloadEndpoints: number
  readonly hostEndpoints: number
  readonly policies: number
  readonly profiles: number
  readonly tiers: number
}

/** Serves /metrics; resolves once listening. */
export async function serveMetrics(metrics: AgentMetrics, host: string, port: number): Promise<{server: Server; port: number}> {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    metrics.syncDataplaneMetrics()
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, {'content-type': metrics.registry.contentType}).end(text),
      (error: Error) => res.writeHead(500).end(error.message),
    )
  })
  return listen(server, host, port)
}
