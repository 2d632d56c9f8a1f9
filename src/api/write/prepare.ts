/**
 * prepareForWrite: what libcalico-go's clientv3 does to a resource between calicoctl and the
 * datastore, per kind and in Calico's order — its own pre-checks, defaulting, the v3 validator,
 * and its post-checks — so a write fails with exactly the error Calico would print.
 *
 * Not covered here because they need the datastore: that a policy's tier exists, and the
 * default-allow profile's special cases (ErrorResourceAlreadyExists/OperationNotSupported).
 */
import {applyDefaults} from '../defaults.js'
import {ValidationError} from '../errors.js'
import type {Resource} from '../resource.js'
import {validateResource} from '../validation/index.js'
import {workloadEndpointName} from '../workload-endpoint-name.js'
import {ipPoolClientErrors} from './ippool.js'

/** A clientv3 error that is not an ErrorValidation (Go's errors.New text). */
export class WriteCheckError extends Error {}

export interface WriteContext {
  operation: 'create' | 'update'
  /** The stored object, for an update. */
  previous?: Resource
  /** All stored IPPools (create: overlap check), in key order. */
  existingPools?: readonly Resource[]
  /** Names of all stored BGPFilters (a BGPPeer's filters must exist). */
  bgpFilterNames?: readonly string[]
}

type JSONObject = Record<string, unknown>

function spec(res: Resource): JSONObject {
  return typeof res.spec === 'object' && res.spec !== null ? (res.spec as JSONObject) : {}
}

function validated(res: Resource): Resource {
  const invalid = validateResource(res)
  if (invalid) throw invalid
  return res
}

/** bgpconfig.go ValidateDefaultOnlyFields: node-specific configs may not set cluster-wide fields. */
function bgpDefaultOnlyErrors(res: Resource): ValidationError | undefined {
  if (res.metadata.name === 'default') return undefined
  const s = spec(res)
  const checks: Array<[string, string, string, boolean]> = [
    ['nodeToNodeMeshEnabled', 'NodeToNodeMeshEnabled', 'nodeToNodeMeshEnabled', false],
    ['asNumber', 'ASNumber', 'ASNumber', false],
    ['serviceLoadBalancerIPs', 'ServiceLoadBalancerIPs', 'ServiceLoadBalancerIPs', true],
    ['serviceExternalIPs', 'ServiceExternalIPs', 'ServiceExternalIPs', true],
    ['serviceClusterIPs', 'ServiceClusterIPs', 'ServiceClusterIPs', true],
    ['nodeMeshPassword', 'NodeMeshPassword', 'nodeMeshPassword', false],
    ['nodeMeshMaxRestartTime', 'NodeMeshMaxRestartTime', 'nodeMeshMaxRestartTime', false],
  ]
  const fields = checks
    .filter(([json, , , isList]) => (isList ? Array.isArray(s[json]) && (s[json] as unknown[]).length > 0 : s[json] !== undefined))
    .map(([, go, label]) => ({
      field: `BGPConfiguration.Spec.${go}`,
      reason: `Cannot set ${label} on a non default BGP Configuration.`,
    }))
  return fields.length > 0 ? new ValidationError(fields) : undefined
}

/** kubecontrollersconfig.go validateAndFillDefaults: the host endpoint template checks. */
function templateErrors(res: Resource): ValidationError | undefined {
  const node = (spec(res).controllers as JSONObject | undefined)?.node as JSONObject | undefined
  const templates = (node?.hostEndpoint as JSONObject | undefined)?.templates
  if (!Array.isArray(templates)) return undefined
  const seen = new Set<string>()
  const field = 'KubeControllersConfiguration.Node.HostEndpoint.Templates'
  for (const template of templates as JSONObject[]) {
    const name = typeof template.generateName === 'string' ? template.generateName : ''
    if (name === '') return new ValidationError([{field, reason: 'Template name must be specified'}])
    if (new TextEncoder().encode(name).length > 253) {
      return new ValidationError([{field, reason: 'Template name must be shorter than 253 characters'}])
    }
    if (seen.has(name)) return new ValidationError([{field: `${field}.${name}`, reason: 'Template name must be unique'}])
    seen.add(name)
    const cidrs = Array.isArray(template.interfaceCIDRs) ? template.interfaceCIDRs : []
    if (cidrs.length === 0 && !template.interfacePattern) {
      return new ValidationError([{field: `${field}.${name}`, reason: 'InterfaceCIDRs or InterfacePattern must be specified'}])
    }
  }
  return undefined
}

/** workloadendpoint.go assignOrValidateName. */
function workloadEndpointNameError(res: Resource): ValidationError | undefined {
  const computed = workloadEndpointName(spec(res))
  if ('error' in computed) return new ValidationError([computed.error])
  const name = res.metadata.name ?? ''
  if (name !== '' && name !== computed.name) {
    return new ValidationError([
      {
        field: 'Name',
        value: name,
        reason: `the WorkloadEndpoint name does not match the primary identifiers assigned in the Spec: expected name ${computed.name}`,
      },
    ])
  }
  return undefined
}

/**
 * Runs clientv3's Create/Update path for `res` and returns what it would store (defaults
 * applied, Go key order). Throws ValidationError (rendered exactly as Calico's) or
 * WriteCheckError.
 */
export function prepareForWrite(res: Resource, ctx: WriteContext): Resource {
  switch (res.kind) {
    case 'IPPool': {
      const clientErrors = ipPoolClientErrors(res, {
        previous: ctx.operation === 'update' ? ctx.previous : undefined,
        existing: ctx.operation === 'create' ? ctx.existingPools : undefined,
      })
      if (clientErrors) throw clientErrors
      return validated(applyDefaults(res))
    }
    case 'BGPConfiguration': {
      const out = validated(applyDefaults(res))
      const defaultOnly = bgpDefaultOnlyErrors(res)
      if (defaultOnly) throw defaultOnly
      return out
    }
    case 'BGPPeer': {
      const filters = spec(res).filters
      if (Array.isArray(filters) && filters.length > 0) {
        const known = new Set(ctx.bgpFilterNames ?? [])
        const missing = (filters as string[]).filter((f) => !known.has(f))
        if (missing.length > 0) {
          throw new ValidationError([{field: 'BGPPeer.Spec.Filters', value: `[${missing.join(' ')}]`, reason: 'BGPFilter(s) not found'}])
        }
      }
      return validated(applyDefaults(res))
    }
    case 'KubeControllersConfiguration': {
      const templates = templateErrors(res)
      if (templates) throw templates
      const out = validated(applyDefaults(res))
      if (ctx.operation === 'create' && res.metadata.name !== 'default') {
        throw new WriteCheckError('Cannot create a Kube Controllers Configuration resource with a name other than "default"')
      }
      return out
    }
    case 'IPAMConfiguration': {
      const out = validated(applyDefaults(res))
      if (res.metadata.name !== 'default') {
        throw new WriteCheckError('Cannot create an IPAMConfiguration resource with a name other than "default"')
      }
      return out
    }
    case 'ClusterInformation': {
      const out = validated(applyDefaults(res))
      if (ctx.operation === 'create' && res.metadata.name !== 'default') {
        throw new WriteCheckError('Cannot create a Cluster Information resource with a name other than "default"')
      }
      return out
    }
    case 'WorkloadEndpoint': {
      const nameError = workloadEndpointNameError(res)
      if (nameError) throw nameError
      const named: Resource = res.metadata.name
        ? res
        : {...res, metadata: {...res.metadata, name: (workloadEndpointName(spec(res)) as {name: string}).name}}
      // Validation sees the user's labels; the storage labels are added afterwards.
      validated(named)
      return applyDefaults(named)
    }
    default:
      return validated(applyDefaults(res))
  }
}
