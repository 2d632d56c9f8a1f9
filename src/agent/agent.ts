/**
 * One node agent run: calico-node's startup (cluster defaults, node registration with IPv4
 * autodetection), then the health/metrics servers, the status file and the main loop, until
 * stop() (the command calls it on SIGTERM/SIGINT). Everything with an effect outside the process
 * is injected (datastore, dataplane, clock, interface list, logger) so tests run it in-process.
 *
 * Start-up with the datastore away: the health server comes up first (port from the flag, the
 * environment or 9099) and reports DatastoreConnection not ready with the reason; each attempt
 * that fails to reach the datastore logs one line (datastore type, cause) and the next waits
 * startupRetryMs doubling up to startupRetryMaxMs (1 s → 30 s). Once the datastore answers, the
 * start-up completes as usual. What can never succeed (an invalid configuration value, a failed
 * IP autodetection, missing programs) rejects with AgentStartError: one line, exit 1.
 */
import type {Server} from 'node:http'

import type {Datastore} from '../datastore/datastore.js'
import {ResourceClient} from '../datastore/resources.js'
import type {Dataplane} from '../dataplane/dataplane.js'
import {autodetectIPv4, hostIPv4Addresses, type InterfaceAddress} from './autodetect.js'
import {systemClock, type Clock} from './clock.js'
import {ConfigError, envConfigOverrides, iptablesBackendOf, processConfig, readFelixSources, type AgentProcessConfig, type Env, type FelixSources} from './config.js'
import {closeServer, HealthAggregator, serveHealth} from './health.js'
import {createLogger, pinoLevel, type LogSink, type Logger} from './log.js'
import {AgentLoop, REPORTERS} from './loop.js'
import {AgentMetrics, serveMetrics} from './metrics.js'
import {missingTools, missingToolsMessage} from './preflight.js'
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
  readonly env?: Env
  /** Check that the iptables dataplane's programs are on PATH once the backend is known (node run). */
  readonly requireTools?: boolean
  /** Aborting it during start-up stops the retries: startAgent rejects with AgentStartAborted. */
  readonly signal?: AbortSignal
  /** Called once the health server listens (before start-up completes), with its port. */
  readonly onHealthListening?: (port: number) => void
  /** Loop tuning (tests). */
  readonly resyncRetryMs?: number
  readonly applyRetryMs?: number
  /** First and longest pause between start-up attempts while the datastore is away (1 s, 30 s). */
  readonly startupRetryMs?: number
  readonly startupRetryMaxMs?: number
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

/** Start-up was abandoned because `signal` was aborted (a SIGTERM while waiting for the datastore). */
export class AgentStartAborted extends Error {}

/** What the datastore-dependent start-up produced. */
interface Started {
  readonly sources: FelixSources
  readonly config: AgentProcessConfig
  readonly ipv4Address?: string
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const env = options.env ?? process.env
  const clock = options.clock ?? systemClock
  // What the environment alone decides is checked before anything starts.
  let early: AgentProcessConfig
  try {
    early = processConfig({nodeName: options.nodeName}, {healthPort: options.healthPort, metricsPort: options.metricsPort, logLevel: options.logLevel}, env)
  } catch (error) {
    throw startError(error)
  }
  if (options.requireTools) checkTools(early.iptablesBackend, env)
  const logger = options.logger ?? createLogger(early.logLevel, options.logSink)
  const startedAt = new Date().toISOString()
  const health = new HealthAggregator(clock)
  health.report(REPORTERS.datastore, {live: true, ready: false, reason: 'connecting to the datastore'})
  const servers: Server[] = []
  let healthServer = await serveHealth(health, early.healthHost, early.healthPort)
  options.onHealthListening?.(healthServer.port)
  const writeStartupStatus = () => {
    if (options.statusFile === undefined) return
    try {
      writeStatusFile(options.statusFile, {pid: process.pid, nodeName: options.nodeName, startedAt, ready: false, notReady: health.notReadyReasons(), endpoints: 0, policies: 0, ipsets: 0})
    } catch (error) {
      logger.warn({err: (error as Error).message, path: options.statusFile}, 'cannot write the status file')
    }
  }
  writeStartupStatus()

  let started: Started
  try {
    started = await startUpWithRetry(options, env, clock, logger, health, writeStartupStatus)
  } catch (error) {
    await closeServer(healthServer.server)
    if (options.statusFile !== undefined) removeStatusFile(options.statusFile)
    throw error
  }
  const {config, ipv4Address} = started
  if (options.logger === undefined && options.logLevel === undefined) logger.level = pinoLevel(config.logLevel) ?? logger.level
  // FelixConfiguration may name another health port or host than the one used while starting.
  if (config.healthPort !== early.healthPort || config.healthHost !== early.healthHost) {
    await closeServer(healthServer.server)
    healthServer = await serveHealth(health, config.healthHost, config.healthPort)
    options.onHealthListening?.(healthServer.port)
  }
  servers.push(healthServer.server)

  const metrics = new AgentMetrics(true)
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
    healthTimeouts: config.healthTimeouts,
    configOverrides: envConfigOverrides(env),
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

/** A permanent failure as the one line to print. */
function startError(error: unknown): Error {
  if (error instanceof AgentStartError || error instanceof AgentStartAborted) return error
  if (error instanceof ConfigError) return new AgentStartError(error.message)
  return error as Error
}

function checkTools(backend: AgentProcessConfig['iptablesBackend'], env: Env): void {
  const missing = missingTools(backend, env.PATH)
  if (missing.length > 0) throw new AgentStartError(missingToolsMessage(missing))
}

/**
 * The datastore-dependent start-up, repeated until it succeeds: configuration, cluster defaults,
 * node registration. A permanent failure (AgentStartError / ConfigError) ends it at once.
 */
async function startUpWithRetry(options: AgentOptions, env: Env, clock: Clock, logger: Logger, health: HealthAggregator, onHealthChange: () => void): Promise<Started> {
  const first = options.startupRetryMs ?? 1000
  const longest = Math.max(first, options.startupRetryMaxMs ?? 30_000)
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new AgentStartAborted('start-up abandoned')
    try {
      const started = await startUpOnce(options, env, logger)
      health.report(REPORTERS.datastore, {live: true, ready: false, reason: 'waiting for the datastore snapshot'})
      return started
    } catch (error) {
      const failure = startError(error)
      if (failure instanceof AgentStartError || failure instanceof AgentStartAborted) throw failure
      const delay = Math.min(longest, first * 2 ** Math.min(attempt - 1, 30))
      const cause = oneLine(failure.message)
      logger.warn({datastoreType: options.datastore.type, attempt, retryInMs: delay, err: cause}, 'cannot reach the datastore at start-up; retrying')
      health.report(REPORTERS.datastore, {live: true, ready: false, reason: `datastore unavailable: ${cause}`})
      onHealthChange()
      await sleep(clock, delay, options.signal)
    }
  }
}

async function startUpOnce(options: AgentOptions, env: Env, logger: Logger): Promise<Started> {
  const client = new ResourceClient(options.datastore)
  const sources = await readFelixSources(client, options.nodeName)
  const config = processConfig(sources, {healthPort: options.healthPort, metricsPort: options.metricsPort, logLevel: options.logLevel}, env)
  if (options.requireTools) checkTools(iptablesBackendOf(sources, env), env)
  const created = await ensureClusterDefaults(client, {calicoVersion: options.calicoVersion, clusterType: env.CLUSTER_TYPE, noDefaultPools: options.noDefaultPools, env})
  if (created) logger.info('created the default IPv4 pool')
  const existing = await client.getOptional('Node', options.nodeName)
  const storedV4 = (existing?.spec as {bgp?: {ipv4Address?: string}} | undefined)?.bgp?.ipv4Address
  const ipv4Address = await resolveIPv4(options, storedV4, options.interfaces ?? hostIPv4Addresses)
  await registerNode(client, {nodeName: options.nodeName, ipv4Address, asNumber: options.asNumber})
  logger.info({node: options.nodeName, ipv4Address}, 'node registered')
  return {sources, config, ipv4Address}
}

/** First line only, so a multi-line cause (or a stack someone put in a message) stays one line. */
const oneLine = (text: string): string => text.split('\n')[0].trim()

/** Waits `ms` on the agent's clock; an abort ends the wait early with AgentStartAborted. */
function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AgentStartAborted('start-up abandoned'))
      return
    }
    const onAbort = () => {
      clock.clearTimeout(handle)
      reject(new AgentStartAborted('start-up abandoned'))
    }
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
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
