/**
 * WorkloadEndpoint names are derived from their spec (libcalico-go/lib/names/workloadendpoint.go):
 *   k8s:        <node>-k8s-<pod>-<endpoint>
 *   cni:        <node>-cni-<containerID>-<endpoint>
 *   libnetwork: <node>-libnetwork-libnetwork-<endpoint>
 *   other:      <node>-<orchestrator>-<workload>-<endpoint>
 * with each dash inside a segment doubled.
 */
import type {FieldError} from './errors.js'

export interface WorkloadEndpointIds {
  node?: string
  orchestrator?: string
  workload?: string
  pod?: string
  containerID?: string
  endpoint?: string
}

/** The expected name, or the ErroredField Calico reports when it cannot be built. */
export function workloadEndpointName(spec: WorkloadEndpointIds): {name: string} | {error: FieldError} {
  const node = spec.node ?? ''
  if (node === '') return {error: {field: 'node', reason: 'field should be assigned'}}
  const orchestrator = spec.orchestrator ?? ''
  const seg = (field: string, value: string | undefined): {field: string; value: string} => ({field, value: value ?? ''})
  const nodeSeg = seg('node', node)
  const orchSeg = seg('orchestrator', orchestrator)
  const endpointSeg = seg('endpoint', spec.endpoint)
  let segments
  switch (orchestrator) {
    case 'k8s':
      segments = [nodeSeg, orchSeg, seg('pod', spec.pod), endpointSeg]
      break
    case 'cni':
      segments = [nodeSeg, orchSeg, seg('containerID', spec.containerID), endpointSeg]
      break
    case 'libnetwork':
      segments = [nodeSeg, orchSeg, orchSeg, endpointSeg]
      break
    default:
      segments = [nodeSeg, orchSeg, seg('workload', spec.workload), endpointSeg]
  }
  const parts: string[] = []
  for (const s of segments) {
    if (s.value === '') return {error: {field: s.field, value: '', reason: 'field should be assigned'}}
    if (s.value.startsWith('-')) return {error: {field: s.field, value: s.value, reason: "field must not begin with a '-'"}}
    if (s.value.endsWith('-')) return {error: {field: s.field, value: s.value, reason: "field must not end with a '-'"}}
    parts.push(s.value.replaceAll('-', '--'))
  }
  return {name: parts.join('-')}
}
