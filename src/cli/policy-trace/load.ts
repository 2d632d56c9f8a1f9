/**
 * Loads what `policy trace` evaluates over: every kind the policy model reads, listed from the
 * configured datastore, plus the FelixConfiguration settings that change a verdict. Only the
 * global FelixConfiguration ("default") is read: per-node overrides (`node.<name>`) are not
 * applied, because one trace may cross two nodes.
 */
import type {FailsafePort, EvaluatorOptions} from '../../policy/index.js'
import type {FelixConfigurationSpec, Resource} from '../../api/index.js'
import type {ResourceClient} from '../../datastore/resources.js'

/** Kinds the model reads (staged policies are left out: they are never enforced). */
const KINDS = ['Tier', 'GlobalNetworkPolicy', 'NetworkPolicy', 'Profile', 'GlobalNetworkSet', 'NetworkSet', 'WorkloadEndpoint', 'HostEndpoint'] as const

export interface TraceState {
  readonly resources: readonly Resource[]
  readonly options: EvaluatorOptions
}

function failsafe(list: FelixConfigurationSpec['failsafeInboundHostPorts']): FailsafePort[] | undefined {
  if (list === undefined) return undefined
  return list.filter((p) => p.port !== undefined).map((p) => ({protocol: p.protocol ?? 'TCP', port: p.port ?? 0, ...(p.net ? {net: p.net} : {})}))
}

/** Felix's options from FelixConfiguration "default" (absent fields keep Felix's defaults). */
export function optionsFromFelixConfiguration(spec: FelixConfigurationSpec | undefined): EvaluatorOptions {
  if (!spec) return {}
  return {
    failsafeInbound: failsafe(spec.failsafeInboundHostPorts),
    failsafeOutbound: failsafe(spec.failsafeOutboundHostPorts),
    allowVXLANPacketsFromWorkloads: spec.allowVXLANPacketsFromWorkloads,
    allowIPIPPacketsFromWorkloads: spec.allowIPIPPacketsFromWorkloads,
    vxlanPort: spec.vxlanPort,
  }
}

export async function loadTraceState(client: ResourceClient): Promise<TraceState> {
  const lists = await Promise.all(KINDS.map((kind) => client.list(kind)))
  const felix = await client.getOptional('FelixConfiguration', 'default')
  return {
    resources: lists.flatMap((l) => l.items),
    options: optionsFromFelixConfiguration(felix?.spec as FelixConfigurationSpec | undefined),
  }
}
