/**
 * The `ipam check -o` report as JSON, and its use by `ipam release --from-report`
 * (calicoctl commands/ipam/check.go Report, release.go mergeReports): written exactly as Go's
 * json.MarshalIndent writes it (two-space indent, map keys sorted, HTML-escaped strings, the
 * uint64 sequence numbers as integers), read back with those sequence numbers exact.
 */
import type {HandleInfo, Report, ReportAllocation} from './check.js'
import {parseJSONBig, toBigInt} from './json.js'
import type {ReleaseOptions} from './release.js'

const BIG = '\u0000big:'

/** Go's encoding/json escapes <, >, & and the JS line separators in strings. */
function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

export function encodeReport(report: Report): string {
  const allocations: Record<string, unknown[]> = {}
  for (const ip of [...report.allocations.keys()].sort()) {
    allocations[ip] = (report.allocations.get(ip) ?? []).map((a) => ({
      ip: a.ip,
      ...(a.handle ? {handle: a.handle} : {}),
      ...(a.sequenceNumber !== undefined ? {sequenceNumber: `${BIG}${a.sequenceNumber}`} : {}),
      ...(a.pod ? {pod: a.pod} : {}),
      ...(a.namespace ? {namespace: a.namespace} : {}),
      ...(a.node ? {node: a.node} : {}),
      ...(a.type ? {type: a.type} : {}),
      ...(a.creationTimestamp ? {creationTimestamp: a.creationTimestamp} : {}),
      inUse: a.inUse,
      ...(a.borrowed ? {borrowed: true} : {}),
      owners: a.owners,
    }))
  }
  const doc = {
    version: report.version,
    clusterGUID: report.clusterGUID,
    datastoreLocked: report.datastoreLocked,
    clusterInformationRevision: report.clusterInformationRevision,
    clusterType: report.clusterType,
    allocations,
    ...(report.leakedHandles.length > 0 ? {leakedHandles: report.leakedHandles} : {}),
  }
  return goEscape(JSON.stringify(doc, null, 2)).replace(/"\\u0000big:(\d+)"/g, '$1')
}

export class ReportError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReportError'
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** Parses a report; malformed JSON is a ReportError with the parser's reason. */
export function decodeReport(text: string): Report {
  let raw: Record<string, unknown>
  try {
    const value = parseJSONBig(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('a report must be a JSON object')
    raw = value as Record<string, unknown>
  } catch (error) {
    throw new ReportError((error as Error).message)
  }
  const allocations = new Map<string, ReportAllocation[]>()
  const rawAllocs = typeof raw.allocations === 'object' && raw.allocations !== null ? (raw.allocations as Record<string, unknown>) : {}
  for (const [ip, list] of Object.entries(rawAllocs)) {
    if (!Array.isArray(list)) continue
    allocations.set(
      ip,
      list.map((entry) => {
        const a = (entry ?? {}) as Record<string, unknown>
        return {
          ip: str(a.ip),
          ...(a.handle !== undefined ? {handle: str(a.handle)} : {}),
          ...(a.sequenceNumber !== undefined && a.sequenceNumber !== null ? {sequenceNumber: toBigInt(a.sequenceNumber)} : {}),
          inUse: a.inUse === true,
          ...(a.borrowed === true ? {borrowed: true} : {}),
          owners: Array.isArray(a.owners) ? a.owners.map(str) : null,
        }
      }),
    )
  }
  const leakedHandles: HandleInfo[] = Array.isArray(raw.leakedHandles)
    ? raw.leakedHandles.map((h) => {
        const r = (h ?? {}) as Record<string, unknown>
        return {ID: str(r.ID), UID: typeof r.UID === 'string' ? r.UID : null, Revision: str(r.Revision)}
      })
    : []
  return {
    version: str(raw.version),
    clusterGUID: str(raw.clusterGUID),
    datastoreLocked: raw.datastoreLocked === true,
    clusterInformationRevision: str(raw.clusterInformationRevision),
    clusterType: str(raw.clusterType),
    allocations,
    leakedHandles,
  }
}

/**
 * release.go mergeReports: the IPs not in use in every report (with the handle and sequence
 * number of the last report, so the release is guarded), and the leaked handles present in every
 * report with the same revision.
 */
export function mergeReports(reports: readonly Report[]): {ips: Map<string, ReleaseOptions>; handles: Map<string, HandleInfo>} {
  let ips: Map<string, ReleaseOptions> | undefined
  let handles: Map<string, HandleInfo> | undefined
  for (const report of reports) {
    const mergedIPs = new Map<string, ReleaseOptions>()
    for (const list of report.allocations.values()) {
      for (const a of list) {
        if (a.inUse) continue
        if (ips !== undefined && !ips.has(a.ip)) continue
        mergedIPs.set(a.ip, {
          address: a.ip,
          ...(a.handle ? {handle: a.handle} : {}),
          ...(a.sequenceNumber !== undefined ? {sequenceNumber: a.sequenceNumber} : {}),
        })
      }
    }
    ips = mergedIPs
    const mergedHandles = new Map<string, HandleInfo>()
    for (const h of report.leakedHandles) {
      if (handles === undefined) mergedHandles.set(h.ID, h)
      else if (handles.get(h.ID)?.Revision === h.Revision) mergedHandles.set(h.ID, h)
    }
    handles = mergedHandles
  }
  return {ips: ips ?? new Map(), handles: handles ?? new Map()}
}
