/**
 * Classifies what the etcd3 client throws, and words it for people.
 *
 * The one question that matters for a failed call is whether etcd may have acted on it:
 * - `unsent`: the request certainly never reached an etcd server (no connection could be made,
 *   no endpoint was available, etcd refused it before proposing it). Safe to retry anything,
 *   on any endpoint.
 * - `interrupted`: the connection failed while the request was (or may have been) in flight.
 *   Reads may be retried; a write's outcome is unknown and must be reported as such, never
 *   retried blindly (a retried create would report AlreadyExists for its own write).
 * - `rejected`: etcd answered with an error about the request itself; retrying cannot help.
 *
 * etcd3 turns gRPC errors into its own classes but keeps gRPC's text, e.g.
 * `14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED …`, and
 * drops the numeric code, so classification reads the text. The patterns below are those of
 * @grpc/grpc-js 1.x and etcd 3.4 (and match Go clientv3's "safe to retry" list).
 */
import {EtcdAuthenticationFailedError, EtcdPermissionDeniedError, isRecoverableError} from 'etcd3'

export type FailureKind = 'unsent' | 'interrupted' | 'rejected'

export interface Failure {
  kind: FailureKind
  /** Short human cause, e.g. `connection refused`; never contains secrets. */
  cause: string
  /** gRPC status name when known (UNAVAILABLE, DEADLINE_EXCEEDED, …). */
  status?: string
  /** etcd's own error text without the `etcdserver: ` prefix, for rejected requests. */
  etcd?: string
}

/** Thrown by an endpoint gate instead of calling a host it believes is down (see policy.ts). */
export class EndpointSkippedError extends Error {}

/** Wraps a connection-level failure so etcd3 does not tear down the host's channels (policy.ts). */
export class EndpointCallError extends Error {
  constructor(readonly original: Error) {
    super(original.message)
  }
}

const NOT_SENT = [
  'No connection established',
  'Waiting for LB pick',
  'Name resolution failed',
  'etcdserver: no leader',
  'etcdserver: too many requests',
]

export function classify(error: unknown): Failure {
  const original = error instanceof EndpointCallError ? error.original : error
  if (original instanceof EndpointSkippedError) return {kind: 'unsent', cause: original.message}
  if (original instanceof EtcdAuthenticationFailedError) {
    return {kind: 'rejected', cause: 'authentication failed (wrong user name or password)', etcd: 'authentication failed'}
  }
  if (original instanceof EtcdPermissionDeniedError) {
    return {kind: 'rejected', cause: 'permission denied', etcd: 'permission denied'}
  }
  const message = original instanceof Error ? original.message : String(original)
  const parsed = /^\d+ ([A-Z_]+): ([\s\S]*)$/.exec(message)
  const status = parsed?.[1]
  const detail = (parsed?.[2] ?? message).trim()
  const etcdMatch = /etcdserver: (.*)$/m.exec(detail)
  const recoverable = original instanceof Error && isRecoverableError(original)
  if (NOT_SENT.some((p) => detail.includes(p))) return {kind: 'unsent', cause: describe(status, detail), status}
  if (detail.includes('received message larger than max')) {
    // etcd's gRPC server refused the request before reading it: nothing was applied.
    return {kind: 'rejected', cause: `request is too large (${detail})`, status, etcd: 'request is too large'}
  }
  if (recoverable || status === 'UNAVAILABLE' || status === 'DEADLINE_EXCEEDED' || status === 'CANCELLED') {
    return {kind: 'interrupted', cause: describe(status, detail), status}
  }
  return {kind: 'rejected', cause: describe(status, detail), status, etcd: etcdMatch?.[1]?.trim()}
}

/** A short cause from gRPC's detail text. */
function describe(status: string | undefined, detail: string): string {
  const last = tidy(/Last error: (?:Error: )?(.*?)(?:\. Resolution note:.*)?$/s.exec(detail)?.[1] ?? detail)
  const codes: Array<[RegExp, string]> = [
    [/ECONNREFUSED/, 'connection refused'],
    [/ECONNRESET/, 'connection reset'],
    [/EHOSTUNREACH/, 'host unreachable'],
    [/ENETUNREACH/, 'network unreachable'],
    [/ETIMEDOUT/, 'connection timed out'],
    [/Name resolution failed|ENOTFOUND|EAI_AGAIN/, 'cannot resolve the host name'],
    [/Connection dropped|Connection closed|GOAWAY|socket hang up/i, 'connection lost'],
    // grpc-js's text when the TCP connection opened but no HTTP/2 session followed.
    [/^Failed to connect$/, 'connection failed (no HTTP/2 answer; is the endpoint https?)'],
  ]
  for (const [pattern, text] of codes) if (pattern.test(last)) return text
  if (/TLS|SSL|certificate|self.signed|altnames|handshake/i.test(last)) return `TLS handshake failed: ${tlsReason(last)}`
  if (status === 'DEADLINE_EXCEEDED') {
    return /Waiting for LB pick/.test(detail) ? 'could not connect in time' : 'no response in time'
  }
  const etcd = /etcdserver: (.*)$/m.exec(detail)?.[1]
  return firstLine(etcd ?? last)
}

/** Drops grpc-js's timestamps, e.g. "Failed to connect (2026-11-23T14:58:04.633Z)". */
function tidy(text: string): string {
  return text.replace(/\s*\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, '').trim()
}

/** OpenSSL's "…:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../file.c:1601:…" → the reason. */
function tlsReason(text: string): string {
  const alert = /alert ([a-z ]+?)(?::|$)/.exec(text)?.[1]
  if (alert !== undefined) return `the server refused the connection (TLS alert "${alert}"; check the client certificate)`
  const routine = /SSL routines:[^:]*:([^:]+)/.exec(text)?.[1]
  return firstLine(routine ?? text)
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim()
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}
