/**
 * Prometheus metrics with Felix's names (felix-dataplane.md §5.2), in a registry of the agent's
 * own (not prom-client's global one, so in-process tests can run several agents). Served as
 * /metrics on prometheusMetricsPort (9091) only when enabled.
 */
import {createServer, type Server} from 'node:http'

import {Counter, Gauge, Registry, Summary, collectDefaultMetrics} from 'prom-client'

import {listen} from './health.js'

export class AgentMetrics {
  readonly registry = new Registry()
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

  constructor(processMetrics = false) {
    if (processMetrics) collectDefaultMetrics({register: this.registry})
  }
}

/** Serves /metrics; resolves once listening. */
export async function serveMetrics(metrics: AgentMetrics, host: string, port: number): Promise<{server: Server; port: number}> {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, {'content-type': metrics.registry.contentType}).end(text),
      (error: Error) => res.writeHead(500).end(error.message),
    )
  })
  return listen(server, host, port)
}
