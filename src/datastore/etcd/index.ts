/**
 * Entry point of the etcd v3 backend, loaded lazily by src/datastore/factory.ts (the etcd3
 * client pulls in gRPC and protobuf, which commands that never touch etcd should not load).
 * This folder is the only importer of `etcd3`.
 */
import {Etcd3, type IOptions} from 'etcd3'

import type {DatastoreConfig} from '../config.js'
import {type BatchLimits, DEFAULT_BATCH_LIMITS} from './batch.js'
import {DEFAULT_TIMEOUT_MS} from './calls.js'
import {EndpointHealth, PassThrough} from './policy.js'
import {type EtcdSettings, resolveEtcdSettings} from './settings.js'
import {EtcdDatastore} from './store.js'
import {hideIpServerNameWarning} from './tls-warning.js'

export {EtcdDatastore} from './store.js'

/** Knobs that are not part of calicoctl's configuration; tests and benchmarks set them. */
export interface EtcdTuning {
  /** Total time for one operation, retries and failover included (default 5 s). */
  timeoutMs?: number
  batch?: Partial<BatchLimits>
}

/**
 * Opens a client for `config.etcdEndpoints`. Nothing is contacted until the first operation, so
 * this only fails on configuration errors (DatastoreError naming the field, never a secret).
 */
export function openEtcdDatastore(config: DatastoreConfig, tuning: EtcdTuning = {}): EtcdDatastore {
  const settings = resolveEtcdSettings(config)
  const timeoutMs = tuning.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const hosts = settings.endpoints.map((e) => e.url)
  const health = new EndpointHealth(hosts)
  const client = new Etcd3(clientOptions(settings, health, timeoutMs))
  return new EtcdDatastore(
    client,
    {endpoints: hosts.join(','), endpointCount: hosts.length, timeoutMs},
    {...DEFAULT_BATCH_LIMITS, ...tuning.batch},
  )
}

function clientOptions(settings: EtcdSettings, health: EndpointHealth, timeoutMs: number): IOptions {
  const secure = settings.endpoints[0].secure
  if (secure && settings.endpoints.some((e) => e.ipHost)) hideIpServerNameWarning()
  return {
    hosts: settings.endpoints.map((e) => e.url),
    credentials:
      secure && settings.tls
        ? {rootCertificate: settings.tls.ca, privateKey: settings.tls.key, certChain: settings.tls.cert}
        : undefined,
    auth: settings.auth && {
      ...settings.auth,
      // The token exchange gets the same bound as every other call.
      callOptions: () => ({deadline: Date.now() + timeoutMs}),
    },
    grpcOptions: {
      // Large pages and watch catch-ups may exceed gRPC's 4 MiB default; etcd bounds requests.
      'grpc.max_receive_message_length': -1,
      // Reconnect quickly after etcd restarts (grpc-js defaults to 1 s growing to 120 s).
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
      // Notice a dead peer under an open watch; etcd's minimum ping interval is 5 s.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
    },
    faultHandling: {
      global: new PassThrough(),
      host: (host) => health.gate(host),
    },
  }
}
