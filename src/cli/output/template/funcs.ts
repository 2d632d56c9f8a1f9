/**
 * The functions a calicoctl go-template can call: text/template's builtins (except call, html,
 * js and urlquery) and calicoctl's join, joinAndTruncate and config. Semantics follow Go's
 * funcs.go over the JSON value model (see ../govalue.ts), with one deliberate leniency: `len`
 * of a missing or nil value is 0, because in calicoctl such a value is a nil slice or map in a
 * typed struct, whose length Go reports as 0.
 */

import {sprint, sprintf, sprintln, formatValue} from '../gofmt.js'
import {type GoValue, goTypeName, isObject, kindOf, mapKeys, numberOf} from '../govalue.js'
import {join, joinAndTruncate} from '../join.js'

/**
 * How an argument is checked before the call, as Go's evalArg/validateType do by parameter type:
 * 'value' (reflect.Value: passed as is, missing included), 'any' (interface{}: missing → nil),
 * 'string' and 'int' (must be that type).
 */
export type ParamType = 'value' | 'any' | 'string' | 'int'

export interface TemplateFunc {
  params: readonly ParamType[]
  variadic?: ParamType
  /** Throws an Error whose message Go would report as `error calling <name>: <message>`. */
  call(args: GoValue[]): GoValue
}

export const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'call',
  'html',
  'js',
  'urlquery',
  // safetext/yamltemplate's internal helpers, present in calicoctl's function map.
  'ApplyInjectionDetection',
  'StructuralData',
  'AllowFlags',
])

/** Go's truth: false for missing/nil, false/0/"" and empty collections. */
export function truth(v: GoValue | undefined): boolean {
  switch (kindOf(v)) {
    case 'missing':
    case 'nil':
      return false
    case 'bool':
      return v === true
    case 'int':
    case 'float':
      return numberOf(v) !== 0
    case 'string':
      return (v as string).length > 0
    case 'slice':
      return (v as readonly GoValue[]).length > 0
    default:
      return mapKeys(v as Record<string, GoValue>).length > 0
  }
}

type Basic = 'bool' | 'number' | 'string' | 'invalid' | 'other'

function basic(v: GoValue): Basic {
  const k = kindOf(v)
  if (k === 'int' || k === 'float') return 'number'
  if (k === 'bool' || k === 'string') return k
  if (k === 'missing' || k === 'nil') return 'invalid'
  return 'other'
}

function eq(args: GoValue[]): boolean {
  const [a, ...rest] = args
  const ka = basic(a)
  if (ka === 'other') throw new Error(`uncomparable type ${goTypeName(a)}: ${formatValue(a)}`)
  if (rest.length === 0) throw new Error('missing argument for comparison')
  for (const b of rest) {
    const kb = basic(b)
    if (ka !== kb) {
      if (ka !== 'invalid' && kb !== 'invalid') throw new Error('incompatible types for comparison')
      continue
    }
    if (ka === 'invalid') return true
    if (ka === 'number' ? numberOf(a) === numberOf(b) : a === b) return true
  }
  return false
}

function lt(a: GoValue, b: GoValue): boolean {
  const ka = basic(a)
  const kb = basic(b)
  if (ka !== 'number' && ka !== 'string') throw new Error('invalid type for comparison')
  if (ka !== kb) {
    if (kb !== 'number' && kb !== 'string') throw new Error('invalid type for comparison')
    throw new Error('incompatible types for comparison')
  }
  if (ka === 'number') return (numberOf(a) ?? 0) < (numberOf(b) ?? 0)
  return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0
}

function length(v: GoValue): number {
  switch (kindOf(v)) {
    case 'missing':
    case 'nil':
      return 0
    case 'string':
      return Buffer.byteLength(v as string, 'utf8')
    case 'slice':
      return (v as readonly GoValue[]).length
    case 'map':
      return mapKeys(v as Record<string, GoValue>).length
    default:
      throw new Error(`len of type ${goTypeName(v)}`)
  }
}

function indexArg(i: GoValue, len: number): number {
  const k = kindOf(i)
  if (k === 'missing' || k === 'nil') throw new Error('cannot index slice/array with nil')
  if (k !== 'int') throw new Error(`cannot index slice/array with type ${goTypeName(i)}`)
  const x = i as number
  if (x < 0 || x > len) throw new Error(`index out of range: ${x}`)
  return x
}

function index(args: GoValue[]): GoValue {
  let [item] = args
  if (kindOf(item) === 'missing' || kindOf(item) === 'nil') throw new Error('index of untyped nil')
  for (const i of args.slice(1)) {
    const k = kindOf(item)
    if (k === 'slice' || k === 'string') {
      const bytes = k === 'string' ? Buffer.from(item as string, 'utf8') : undefined
      const len = bytes ? bytes.length : (item as readonly GoValue[]).length
      const x = indexArg(i, len)
      if (x === len) throw new Error(`index out of range: ${x}`)
      item = bytes ? (bytes[x] ?? 0) : ((item as readonly GoValue[])[x] ?? null)
    } else if (isObject(item)) {
      const ki = kindOf(i)
      if (ki === 'missing' || ki === 'nil') throw new Error('value is nil; should be of type string')
      if (ki !== 'string') throw new Error(`value has type ${goTypeName(i)}; should be string`)
      const m = item
      const v = m[i as string]
      // A missing key gives the element type's zero: "" for a string map (labels), nil otherwise.
      item = v !== undefined ? v : mapKeys(m).every((key) => typeof m[key] === 'string') ? '' : null
    } else if (k === 'missing' || k === 'nil') throw new Error('index of nil pointer')
    else throw new Error(`can't index item of type ${goTypeName(item)}`)
  }
  return item
}

function slice(args: GoValue[]): GoValue {
  const [item, ...idx] = args
  const k = kindOf(item)
  if (k === 'missing' || k === 'nil') throw new Error('slice of untyped nil')
  if (idx.length > 3) throw new Error(`too many slice indexes: ${idx.length}`)
  if (k !== 'string' && k !== 'slice') throw new Error(`can't slice item of type ${goTypeName(item)}`)
  if (k === 'string' && idx.length === 3) throw new Error('cannot 3-index slice a string')
  const len = k === 'string' ? Buffer.byteLength(item as string, 'utf8') : (item as readonly GoValue[]).length
  const bounds = [0, len, len]
  idx.forEach((i, n) => (bounds[n] = indexArg(i, len)))
  if (bounds[0] > bounds[1]) throw new Error(`invalid slice index: ${bounds[0]} > ${bounds[1]}`)
  if (idx.length === 3 && bounds[1] > bounds[2]) throw new Error(`invalid slice index: ${bounds[1]} > ${bounds[2]}`)
  if (k === 'string') return Buffer.from(item as string, 'utf8').subarray(bounds[0], bounds[1]).toString('utf8')
  return (item as readonly GoValue[]).slice(bounds[0], bounds[1])
}

/** The function map; `asNumber` answers `config "asnumber"` (calicoctl asks the datastore once). */
export function templateFuncs(asNumber: () => string): ReadonlyMap<string, TemplateFunc> {
  const cmp = (f: (a: GoValue, b: GoValue) => boolean): TemplateFunc => ({params: ['value', 'value'], call: ([a, b]) => f(a, b)})
  const le = (a: GoValue, b: GoValue): boolean => lt(a, b) || eq([a, b])
  return new Map<string, TemplateFunc>([
    // and/or are evaluated lazily by the executor; these entries give their arity.
    ['and', {params: ['value'], variadic: 'value', call: (a) => a[a.length - 1]}],
    ['or', {params: ['value'], variadic: 'value', call: (a) => a[a.length - 1]}],
    ['not', {params: ['value'], call: ([a]) => !truth(a)}],
    ['len', {params: ['value'], call: ([a]) => length(a)}],
    ['index', {params: ['value'], variadic: 'value', call: index}],
    ['slice', {params: ['value'], variadic: 'value', call: slice}],
    ['print', {params: [], variadic: 'any', call: (a) => sprint(a)}],
    ['printf', {params: ['string'], variadic: 'any', call: ([f, ...a]) => sprintf(f as string, a)}],
    ['println', {params: [], variadic: 'any', call: (a) => sprintln(a)}],
    ['eq', {params: ['value'], variadic: 'value', call: eq}],
    ['ne', cmp((a, b) => !eq([a, b]))],
    ['lt', cmp(lt)],
    ['le', cmp(le)],
    ['gt', cmp((a, b) => !le(a, b))],
    ['ge', cmp((a, b) => !lt(a, b))],
    ['join', {params: ['any', 'string'], call: ([items, sep]) => join(items, sep as string)}],
    [
      'joinAndTruncate',
      {params: ['any', 'string', 'int'], call: ([items, sep, max]) => joinAndTruncate(items, sep as string, max as number)},
    ],
    [
      'config',
      {
        params: ['string'],
        call: ([name]) => {
          if ((name as string).toLowerCase() === 'asnumber') return asNumber()
          throw new Error('unhandled config type')
        },
      },
    ],
  ])
}
