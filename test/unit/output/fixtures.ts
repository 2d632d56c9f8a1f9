/** Small resources for the output tests, shaped as the API layer hands them over. */

import type {Resource} from '../../../src/api/resource.js'

const V3 = 'projectcalico.org/v3'

export function res(kind: string, name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Resource {
  return {apiVersion: V3, kind, metadata: {name, ...meta}, spec}
}

/** The pool calicoctl's own system tests print (calicoctl/tests/st/utils/data.py, ippool_name1_rev1_v4). */
export const pool1 = res('IPPool', 'ippool-name1', {
  cidr: '10.0.1.0/24',
  ipipMode: 'Always',
  vxlanMode: 'Never',
  blockSize: 27,
  allowedUses: ['Workload', 'Tunnel'],
  assignmentMode: 'Automatic',
  nodeSelector: "foo == 'bar'",
})

export const pool2 = res('IPPool', 'pool-b', {cidr: 'fd00:10::/64'})
