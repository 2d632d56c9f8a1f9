/** The top-level shape of every kind: inlined TypeMeta, ObjectMeta, Spec and sometimes Status. */
import {ObjectMeta, TypeMeta} from './meta.js'
import {f, struct, t, type GoField, type GoStruct} from './types.js'

/**
 * `Kind{TypeMeta inline; ObjectMeta "metadata"; Spec "spec"; [Status]}`. Node and
 * WorkloadEndpoint tag metadata and spec `omitempty`, which changes nothing for a struct.
 */
export function resourceStruct(pkg: string, name: string, spec: GoStruct, status?: GoField, specJSON = 'spec'): GoStruct {
  const fields: GoField[] = [
    f('TypeMeta', '', t.struct(() => TypeMeta)),
    f('ObjectMeta', 'metadata', t.struct(() => ObjectMeta)),
    f('Spec', specJSON, t.struct(() => spec)),
  ]
  if (status) fields.push(status)
  return struct(pkg, name, fields)
}
