/**
 * One node agent run: calico-node's startup (cluster defaults, node registration with IPv4
 * autodetection), then the health/metrics servers, the status file and the main loop, until
 * stop() (the command calls it on SIGTERM/SIGINT). Everything with an effect outside the process
 * is injected (datastore, dataplane, clock, interface list, logger) so tests run it in-process.
 */
import type {Server} from 'node:http'

import type {Datastore} from '../datastore/datastore.js'
import {ResourceClient} from '../datastore/resources.js'
import type {Dataplane} from '../dataplane/dataplane.js'
import {autodetectIPv4, hostIPv4Addresses, type InterfaceAddress} from './autodetect.js'
import type {Clock} from './clock.js'
import {processConfig, readFelixSpec, type AgentProcessConfig} from './config.js'
import {closeServer, HealthAggregator, serveHealth} from './health.js'
import {createLogger, type LogSink, type Logger} from './log.js'
import {AgentLoop} from './loop.js'
import {AgentMetrics, serveMetrics} from './metrics.js'
import {ensureClusterDefaults, registerNode} from './startup.js'
import {removeStatusFile, writeStatusFile} from './status-file.js'

export interface AgentOptions {
  readonly datastore: Datastore
  readonly dataplane: Dataplane
  readonly nodeName: string
  /** `autodetect`, an address (`10.0.0.5` or `10.0.0.5/24`), `none`, or undefined (keep the stored one, else autodetect). */
  readonly ip?: string
  readonly ipAutodetectionMethod?: string
  readonly asNumber?: number
  readonly noDefaultPools?: boolean
  readonly calicoVersion: string
  readonly healthPort?: number
  readonly metricsPort?: number
  readonly logLevel?: string
  /** Where the status file goes; undefined writes none. */
  readonly statusFile?: string
  readonly clock?: Clock
  readonly logger?: Logger
  /** Where the default logger writes (ignored when `logger` is given); default stderr. */
  readonly logSink?: LogSink
  /** The host's IPv4 addresses (tests inject a list). */
  readonly interfaces?: () => readonly InterfaceAddress[]
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Loop tuning (tests). */
  readonly resyncRetryMs?: number
  readonly applyRetryMs?: number
}

export interface RunningAgent {
  readonly loop: AgentLoop
  readonly health: HealthAggregator
  readonly metrics: AgentMetrics
  readonly config: AgentProcessConfig
  readonly healthPort: number
  readonly metricsPort?: number
  readonly ipv4Address?: string
  readonly logger: Logger
  stop(): Promise<void>
}

/** Thrown for start-up failures the command prints as one line. */
export class AgentStartError extends Error {}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const client = new ResourceClient(options.datastore)
  const env = options.env ?? process.env
  const spec = await readFelixSpec(client, options.nodeName)
  const config = processConfig(spec, {healthPort: options.healthPort, metricsPort: options.metricsPort, logLevel: options.logLevel})
  const logger = options.logger ?? createLogger(config.logLevel, options.logSink)
  const startedAt = new Date().toISOString()

  const created = await ensureClusterDefaults(client, {calicoVersion: options.calicoVersion, clusterType: env.CLUSTER_TYPE, noDefaultPools: options.noDefaultPools, env})
  if (created) logger.info('created the default IPv4 pool')
  const existing = await client.getOptional('Node', options.nodeName)
  const storedV4 = (existing?.spec as {bgp?: {ipv4Address?: string}} | undefined)?.bgp?.ipv4Address
  const ipv4Address = await resolveIPv4(options, storedV4, options.interfaces ?? hostIPv4Addresses)
  await registerNode(client, {nodeName: options.nodeName, ipv4Address, asNumber: options.asNumber})
  logger.info({node: options.nodeName, ipv4Address}, 'node registered')

  const health = new HealthAggregator()
  const metrics = new AgentMetrics(true)
  const servers: Server[] = []
  const healthServer = await serveHealth(health, config.healthHost, config.healthPort)
  servers.push(healthServer.server)
  let metricsPort: number | undefined
  if (config.metricsEnabled) {
    const served = await serveMetrics(metrics, config.metricsHost, config.metricsPort)
    servers.push(served.server)
    metricsPort = served.port
  }
  const statusFile = options.statusFile
  const loop = new AgentLoop({
    datastore: options.datastore,
    dataplane: options.dataplane,
    nodeName: options.nodeName,
    clock: options.clock,
    logger,
    metrics,
    health,
    resyncRetryMs: options.resyncRetryMs,
    applyRetryMs: options.applyRetryMs,
    onStatus: (status) => {
      if (statusFile === undefined) return
      try {
        writeStatusFile(statusFile, {
          pid: process.pid,
          nodeName: options.nodeName,
          startedAt,
          ready: status.ready,
          notReady: status.notReady,
          lastApply: status.lastApply === undefined ? undefined : new Date(status.lastApply).toISOString(),
          lastApplyDurationMs: status.lastApplyDurationMs,
          endpoints: status.endpoints,
          policies: status.policies,
          ipsets: status.ipsets,
        })
      } catch (error) {
        logger.warn({err: (error as Error).message, path: statusFile}, 'cannot write the status file')
      }
    },
  })
  loop.start()
  logger.info({healthPort: healthServer.port, metricsPort}, 'agent started')

  let stopping: Promise<void> | undefined
  return {
    loop,
    health,
    metrics,
    config,
    healthPort: healthServer.port,
    metricsPort,
    ipv4Address,
    logger,
    stop: () => {
      stopping ??= (async () => {
        logger.info('shutting down')
        await loop.stop()
        await Promise.all(servers.map((s) => closeServer(s)))
        if (statusFile !== undefined) removeStatusFile(statusFile)
        logger.info('shutdown complete')
      })()
      return stopping
    },
  }
}

/** calico-node's IP handling: explicit, autodetect, none, or keep what is stored (else autodetect). */
async function resolveIPv4(options: AgentOptions, stored: string | undefined, interfaces: () => readonly InterfaceAddress[]): Promise<string | undefined> {
  const ip = options.ip
  if (ip === 'none') return undefined
  if (ip === undefined || ip === '') {
    if (stored) return stored
  } else if (ip !== 'autodetect') {
    return withPrefix(ip, interfaces())
  }
  try {
    return await autodetectIPv4(options.ipAutodetectionMethod ?? 'first-found', interfaces())
  } catch (error) {
    throw new AgentStartError((error as Error).message)
  }
}

/** An address without a prefix takes its interface's prefix, as calico-node does; else /32. */
function withPrefix(ip: string, interfaces: readonly InterfaceAddress[]): string {
  if (ip.includes('/')) return ip
  return interfaces.find((a) => a.address === ip)?.cidr ?? `${ip}/32`
}
