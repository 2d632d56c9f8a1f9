/**
 * `get -o yaml`: sigs.k8s.io/yaml.Marshal of calicoctl's result slice. One result prints bare,
 * several as a sequence, none as `null` (the slice is nil). The text ends with a newline, as
 * Marshal's does, and is valid input for create/apply.
 */

import {goShape} from './goshape.js'
import {marshalYaml} from './goyaml.js'
import type {Printable} from './printable.js'

export function renderYaml(results: readonly Printable[]): string {
  if (results.length === 0) return marshalYaml(null)
  return marshalYaml(results.length === 1 ? goShape(results[0]) : results.map(goShape))
}
