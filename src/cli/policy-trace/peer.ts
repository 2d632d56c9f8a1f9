/**
 * `--from` / `--to` values of `policy trace`: `<namespace>/<name>` (a WorkloadEndpoint by resource
 * name, or by the pod or workload it belongs to when that names exactly one endpoint),
 * `hep:<name>` (a HostEndpoint), or an IP address. Failures are one line (CliError).
 */
import type {Resource, WorkloadEndpointSpec} from '../../api/index.js'
import {parseIP} from '../../api/index.js'
import type {FlowPeer} from '../../policy/index.js'
import {CliError} from '../errors.js'

const FORMS = 'expected <namespace>/<workload-endpoint>, hep:<host-endpoint> or an IP address'

function workloadPeer(flag: string, text: string, namespace: string, name: string, resources: readonly Resource[]): FlowPeer {
  const inNamespace = resources.filter((r) => r.kind === 'WorkloadEndpoint' && r.metadata.namespace === namespace)
  if (inNamespace.some((r) => r.metadata.name === name)) return {kind: 'workload', namespace, name}
  const byOwner = inNamespace.filter((r) => {
    const spec = (r.spec ?? {}) as WorkloadEndpointSpec
    return spec.pod === name || spec.workload === name
  })
  if (byOwner.length === 1) return {kind: 'workload', namespace, name: byOwner[0].metadata.name ?? ''}
  if (byOwner.length > 1) {
    const names = byOwner.map((r) => r.metadata.name).sort()
    throw new CliError(`--${flag} ${text}: ${byOwner.length} workload endpoints belong to ${name} (${names.join(', ')}); name one of them`)
  }
  throw new CliError(`--${flag} ${text}: WorkloadEndpoint ${namespace}/${name} not found`)
}

/** Parses one peer against the loaded resources. */
export function parsePeer(flag: 'from' | 'to', text: string, resources: readonly Resource[]): FlowPeer {
  if (text.startsWith('hep:')) {
    const name = text.slice('hep:'.length)
    if (!resources.some((r) => r.kind === 'HostEndpoint' && r.metadata.name === name)) {
      throw new CliError(`--${flag} ${text}: HostEndpoint ${name} not found`)
    }
    return {kind: 'host', name}
  }
  if (parseIP(text)) return {kind: 'ip', ip: text}
  const slash = text.indexOf('/')
  if (slash > 0 && slash < text.length - 1 && !text.includes('/', slash + 1)) {
    return workloadPeer(flag, text, text.slice(0, slash), text.slice(slash + 1), resources)
  }
  if (/^[0-9.:a-fA-F]+$/.test(text) && /[.:]/.test(text)) throw new CliError(`--${flag} ${text}: invalid IP address`)
  throw new CliError(`--${flag} ${text}: ${FORMS}`)
}
