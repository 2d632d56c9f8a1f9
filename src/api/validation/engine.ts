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

/** The value/type after following a non-nil pointer. */
function deref(value: unknown, type: GoType): {value: unknown; type: GoType; nilPointer: boolean; wasPointer: boolean} {
  let wasPointer = false
  let current = type
  while (current.kind === 'ptr') {
    if (value === undefined || value === null) return {value, type: current, nilPointer: true, wasPointer: true}
    wasPointer = true
    current = current.elem
  }
  return {value, type: current, nilPointer: false, wasPointer}
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
 * Runs one non-structural tag: a built-in (gte, oneof, …) or a registered check. `viaPointer`
 * says the value was reached through a non-nil pointer, which `required` accepts whatever it is.
 */
function runTag(tag: string, value: unknown, type: GoType, viaPointer: boolean): boolean {
  const eq = tag.indexOf('=')
  const name = eq < 0 ? tag : tag.slice(0, eq)
  const param = eq < 0 ? '' : tag.slice(eq + 1)
  const registered = fieldChecks.get(name)
  if (registered) return registered(value, type)
  const size = (): number => {
    if (typeof value === 'number') return value
    if (typeof value === 'string') return [...value].length
    if (Array.isArray(value)) return value.length
    if (isObject(value)) return Object.keys(value).length
    return 0
  }
  switch (name) {
    case 'required':
      return viaPointer || hasValue(value, type)
    case 'gte':
      return size() >= Number(param)
    case 'lte':
      return size() <= Number(param)
    case 'gt':
      return size() > Number(param)
    case 'lt':
      return size() < Number(param)
    case 'oneof': {
      const options = param.split(' ')
      if (typeof value === 'number') return options.some((o) => Number(o) === value)
      return options.includes(String(value ?? ''))
    }
    case 'unique': {
      const items = Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : []
      return new Set(items).size === items.length
    }
    default:
      // go-playground panics on an undefined tag; every tag Calico uses is registered.
      throw new Error(`validation tag ${name} is not implemented`)
  }
}

/** traverseField. `name` is the Go field name (or `Name[i]` inside a dive). */
function traverseField(value: unknown, type: GoType, tags: readonly string[], name: string, r: Reporter): void {
  // The common case, no pointer, without deref's allocation.
  const d = type.kind === 'ptr' ? deref(value, type) : {value, type, nilPointer: false, wasPointer: false}
  if (d.nilPointer) {
    if (tags.length === 0 || tags[0] === 'omitempty') return
    tagFailure(r, name, tags[0], '<nil>')
    return
  }
  if (isStructLike(d.type)) {
    validateValue(d.value, d.type, r)
    return
  }
  if (tags.length === 0) return
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]
    if (tag === 'omitempty') {
      if (!d.wasPointer && !hasValue(d.value, d.type)) return
      continue
    }
    if (tag === 'dive') {
      const rest = tags.slice(i + 1)
      if (d.type.kind === 'slice' && Array.isArray(d.value)) {
        const elem = d.type.elem
        d.value.forEach((item, index) => traverseField(item, elem, rest, `${name}[${index}]`, r))
      } else if (d.type.kind === 'map' && isObject(d.value)) {
        const map = d.value
        const elem = d.type.elem
        for (const key of Object.keys(map).sort()) traverseField(map[key], elem, rest, `${name}[${key}]`, r)
      }
      return
    }
    if (!runTag(tag, d.value, d.type, d.wasPointer)) {
      tagFailure(r, name, tag, formatValue(d.value, d.type))
      return
    }
  }
}

/** validateStruct for a struct-like value, then its struct-level check. */
function validateValue(value: unknown, type: GoType, r: Reporter): void {
  if (type.kind === 'struct') {
    validateStruct(isObject(value) ? value : {}, type.struct(), r)
    return
  }
  if (type.kind === 'custom') structChecks.get(`custom:${type.codec}`)?.({value} as JSONObject, r)
}

interface FieldPlan {
  field: GoStruct['fields'][number]
  tags: readonly string[]
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
 * A struct's fields as validation walks them, worked out once per struct (after every check
 * module has registered, which importing validation/index.ts does): tag lists split, fields that
 * can report nothing left out.
 */
function planOf(s: GoStruct): StructPlan {
  let plan = plans.get(s)
  if (!plan) {
    const fields: FieldPlan[] = []
    for (const field of s.fields) {
      const tags = field.validate ? field.validate.split(',') : []
      if (tags.length > 0 || leadsToStruct(field.type)) fields.push({field, tags})
    }
    plan = {fields, check: structChecks.get(s.qualified)}
    plans.set(s, plan)
  }
  return plan
}

/** Validates every field of a struct value, then runs the struct's registered check. */
export function validateStruct(value: JSONObject, s: GoStruct, r: Reporter): void {
  const plan = planOf(s)
  for (const {field, tags} of plan.fields) {
    // An inlined embedded struct reads its fields from the parent's JSON object.
    const fieldValue = field.json === '' ? value : value[field.json]
    traverseField(fieldValue, field.type, tags, field.go, r)
  }
  plan.check?.(value, r)
}
