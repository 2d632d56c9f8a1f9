/**
 * A re-creation of how gopkg.in/go-playground/validator.v9 walks a Calico struct, so errors come
 * out in the same order with the same field names:
 *
 *  - fields are visited in declaration order, depth first; a struct's registered struct-level
 *    validator runs after all of its fields;
 *  - a nil pointer with tags other than a leading `omitempty` fails its first tag;
 *  - struct-typed fields are always descended into (their tags are ignored);
 *  - `omitempty` stops at a zero value (but not at a non-nil pointer to one);
 *  - `dive` applies the remaining tags to each element, naming it `Field[i]` / `Field[key]`;
 *  - a failing tag reports `Reason: failed to validate Field: <F> because of Tag: <tag> `.
 *
 * Values are the decoded JSON form; a missing key is the field's Go zero value.
 */
import type {FieldError} from '../errors.js'
import {formatValue} from '../go/vformat.js'
import type {GoStruct, GoType} from '../schema/types.js'

type JSONObject = Record<string, unknown>

/** Collects errors the way ErrorValidation.ErroredFields accumulates them. */
export class Reporter {
  readonly errors: FieldError[] = []

  /** structLevel.ReportError: `value` is the %v text, undefined for a nil Value. */
  report(field: string, value: string | undefined, reason: string): void {
    this.errors.push({field, value, reason})
  }
}

/** A registered field-level validation function (validator.Func). */
export type FieldCheck = (value: unknown, type: GoType) => boolean

/** A registered struct-level validation function (validator.StructLevelFunc). */
export type StructCheck = (value: JSONObject, r: Reporter) => void

const fieldChecks = new Map<string, FieldCheck>()
const structChecks = new Map<string, StructCheck>()

/** registerFieldValidator. */
export function registerFieldCheck(tag: string, check: FieldCheck): void {
  fieldChecks.set(tag, check)
}

/**
 * registerStructValidator, keyed by the struct's qualified Go name (`v3.IPPoolSpec`) or, for the
 * numorstring/metav1 types kept in JSON form, by `custom:<codec>`.
 */
export function registerStructCheck(key: string, check: StructCheck): void {
  structChecks.set(key, check)
}

function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Custom types that are Go structs (so go-playground descends into them). */
function isStructLike(type: GoType): boolean {
  return type.kind === 'struct' || (type.kind === 'custom' && type.codec !== 'asn')
}

/** go-playground's hasValue for a non-pointer field (zero check). */
export function hasValue(value: unknown, type: GoType): boolean {
  if (value === undefined || value === null) return false
  switch (type.kind) {
    case 'slice':
    case 'map':
      return true
    case 'string':
      return value !== ''
    case 'bool':
      return value !== false
    case 'int':
    case 'float':
      return value !== 0
    case 'custom':
      return value !== 0
    default:
      return true
  }
}

function tagName(tag: string): string {
  const eq = tag.indexOf('=')
  return eq < 0 ? tag : tag.slice(0, eq)
}

function tagFailure(r: Reporter, name: string, tag: string, value: string): void {
  r.report(name, value, `Reason: failed to validate Field: ${name} because of Tag: ${tagName(tag)} `)
}

/**
 * A non-structural tag compiled once: a built-in (gte, oneof, …) or a registered check.
 * `viaPointer` says the value was reached through a non-nil pointer, which `required` accepts
 * whatever it is.
 */
type TagCheck = (value: unknown, type: GoType, viaPointer: boolean) => boolean

function sizeOf(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string') return [...value].length
  if (Array.isArray(value)) return value.length
  if (isObject(value)) return Object.keys(value).length
  return 0
}

function compileTag(tag: string): TagCheck {
  const eq = tag.indexOf('=')
  const name = eq < 0 ? tag : tag.slice(0, eq)
  const param = eq < 0 ? '' : tag.slice(eq + 1)
  const registered = fieldChecks.get(name)
  if (registered) return registered
  const bound = Number(param)
  switch (name) {
    case 'required':
      return (value, type, viaPointer) => viaPointer || hasValue(value, type)
    case 'gte':
      return (value) => sizeOf(value) >= bound
    case 'lte':
      return (value) => sizeOf(value) <= bound
    case 'gt':
      return (value) => sizeOf(value) > bound
    case 'lt':
      return (value) => sizeOf(value) < bound
    case 'oneof': {
      const options = param.split(' ')
      const numbers = options.map(Number)
      return (value) => (typeof value === 'number' ? numbers.includes(value) : options.includes(String(value ?? '')))
    }
    case 'unique':
      return (value) => {
        const items = Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : []
        return new Set(items).size === items.length
      }
    default:
      // go-playground panics on an undefined tag; every tag Calico uses is registered.
      return () => {
        throw new Error(`validation tag ${name} is not implemented`)
      }
  }
}

/**
 * traverseField for one field type and tag list, compiled: `name` is the Go field name (or
 * `Name[i]` inside a dive).
 */
type Traverse = (value: unknown, name: string, r: Reporter) => void

const NOTHING: Traverse = () => undefined

function compileTraverse(type: GoType, tags: readonly string[]): Traverse {
  if (type.kind !== 'ptr') return compileResolved(type, tags, false)
  let target: GoType = type
  while (target.kind === 'ptr') target = target.elem
  const onNil = tags.length === 0 || tags[0] === 'omitempty' ? undefined : tags[0]
  const resolved = compileResolved(target, tags, true)
  return (value, name, r) => {
    if (value === undefined || value === null) {
      if (onNil !== undefined) tagFailure(r, name, onNil, '<nil>')
      return
    }
    resolved(value, name, r)
  }
}

/** The traversal once pointers are followed (`wasPointer`: the value was reached through one). */
function compileResolved(type: GoType, tags: readonly string[], wasPointer: boolean): Traverse {
  if (type.kind === 'struct') {
    const struct = type.struct
    return (value, _name, r) => validateStruct(isObject(value) ? value : {}, struct(), r)
  }
  if (type.kind === 'custom' && isStructLike(type)) {
    const key = `custom:${type.codec}`
    return (value, _name, r) => structChecks.get(key)?.({value} as JSONObject, r)
  }
  if (tags.length === 0) return NOTHING
  // Each step says whether the walk goes on to the next tag.
  const steps: Array<(value: unknown, name: string, r: Reporter) => boolean> = []
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]
    if (tag === 'omitempty') {
      if (!wasPointer) steps.push((value) => hasValue(value, type))
      continue
    }
    if (tag === 'dive') {
      const rest = tags.slice(i + 1)
      if (type.kind === 'slice') {
        const elem = compileTraverse(type.elem, rest)
        steps.push((value, name, r) => {
          if (Array.isArray(value)) value.forEach((item, index) => elem(item, `${name}[${index}]`, r))
          return false
        })
      } else if (type.kind === 'map') {
        const elem = compileTraverse(type.elem, rest)
        steps.push((value, name, r) => {
          if (isObject(value)) for (const key of Object.keys(value).sort()) elem(value[key], `${name}[${key}]`, r)
          return false
        })
      } else {
        steps.push(() => false)
      }
      break
    }
    const check = compileTag(tag)
    steps.push((value, name, r) => {
      if (check(value, type, wasPointer)) return true
      tagFailure(r, name, tag, formatValue(value, type))
      return false
    })
  }
  if (steps.length === 1) {
    const only = steps[0]
    return (value, name, r) => void only(value, name, r)
  }
  return (value, name, r) => {
    for (const step of steps) if (!step(value, name, r)) return
  }
}

interface FieldPlan {
  /** JSON key; empty for an inlined embedded struct, which reads the parent's object. */
  json: string
  go: string
  traverse: Traverse
}

interface StructPlan {
  /** The fields validation must look at: those with tags, and those leading to a struct. */
  fields: FieldPlan[]
  check: StructCheck | undefined
}

const plans = new WeakMap<GoStruct, StructPlan>()

/** Whether a field without tags can still report anything: only by leading to a struct. */
function leadsToStruct(type: GoType): boolean {
  let current = type
  while (current.kind === 'ptr') current = current.elem
  return isStructLike(current)
}

/**
 * A struct's fields as validation walks them, compiled once per struct (after every check
 * module has registered, which importing validation/index.ts does): tags parsed, fields that
 * can report nothing left out.
 */
function planOf(s: GoStruct): StructPlan {
  let plan = plans.get(s)
  if (!plan) {
    const fields: FieldPlan[] = []
    for (const field of s.fields) {
      const tags = field.validate ? field.validate.split(',') : []
      if (tags.length > 0 || leadsToStruct(field.type)) fields.push({json: field.json, go: field.go, traverse: compileTraverse(field.type, tags)})
    }
    plan = {fields, check: structChecks.get(s.qualified)}
    plans.set(s, plan)
  }
  return plan
}

/** Validates every field of a struct value, then runs the struct's registered check. */
export function validateStruct(value: JSONObject, s: GoStruct, r: Reporter): void {
  const plan = planOf(s)
  for (const field of plan.fields) {
    // An inlined embedded struct reads its fields from the parent's JSON object.
    field.traverse(field.json === '' ? value : value[field.json], field.go, r)
  }
  plan.check?.(value, r)
}
