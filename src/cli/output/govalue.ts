/**
 * The value model the Go-flavoured printers work on: JSON values as decoded from a resource, plus
 * the few distinctions Go makes that JSON loses.
 *
 * - A JS number that is an integer stands for a Go int; any other number, or a `GoFloat`, stands
 *   for a float64 (Go prints `1e+06` for a float64 million but `1000000` for an int).
 * - `MISSING` is Go's invalid reflect.Value: what a template gets for a key the object lacks. It
 *   prints as `<no value>`; JSON `null` is a nil and prints as `<nil>`.
 */

export const MISSING: unique symbol = Symbol('<no value>')
export type Missing = typeof MISSING

/** A float64 whose value happens to be integral (a template literal `1.0`, a policy `order`). */
export class GoFloat {
  constructor(readonly value: number) {}
}

export type GoValue = null | boolean | number | string | GoFloat | Missing | readonly GoValue[] | GoObject
export interface GoObject {
  readonly [key: string]: GoValue | undefined
}

export type GoKind = 'missing' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map'

export function kindOf(v: GoValue | undefined): GoKind {
  if (v === MISSING) return 'missing'
  if (v === null || v === undefined) return 'nil'
  if (v instanceof GoFloat) return 'float'
  if (Array.isArray(v)) return 'slice'
  switch (typeof v) {
    case 'boolean':
      return 'bool'
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int' : 'float'
    case 'string':
      return 'string'
    default:
      return 'map'
  }
}

/** The numeric value of an int or float, else undefined. */
export function numberOf(v: GoValue | undefined): number | undefined {
  if (v instanceof GoFloat) return v.value
  return typeof v === 'number' ? v : undefined
}

export function isObject(v: GoValue | undefined): v is GoObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat)
}

/** Present keys of a map (JS `undefined` values are absent), in Go's order: sorted by code point. */
export function mapKeys(m: GoObject): string[] {
  return Object.keys(m)
    .filter((k) => m[k] !== undefined)
    .sort(compareGoStrings)
}

/** Go's string `<`: byte-wise UTF-8 order, which is code-point order. */
export function compareGoStrings(a: string, b: string): number {
  const ca = [...a]
  const cb = [...b]
  for (let i = 0; i < ca.length && i < cb.length; i++) {
    const x = ca[i].codePointAt(0) ?? 0
    const y = cb[i].codePointAt(0) ?? 0
    if (x !== y) return x < y ? -1 : 1
  }
  return ca.length - cb.length
}

/** Go's type name for a value, as fmt's `%T` and error messages show it. */
export function goTypeName(v: GoValue | undefined): string {
  switch (kindOf(v)) {
    case 'missing':
    case 'nil':
      return '<nil>'
    case 'bool':
      return 'bool'
    case 'int':
      return 'int'
    case 'float':
      return 'float64'
    case 'string':
      return 'string'
    case 'slice':
      return '[]interface {}'
    default:
      return 'map[string]interface {}'
  }
}
