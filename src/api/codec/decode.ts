/**
 * Strict decoding of one parsed YAML/JSON document into a kind's Go struct, reproducing what
 * calicoctl does with sigs.k8s.io/yaml.UnmarshalStrict:
 *
 *  1. YAML → JSON conversion: numbers and booleans aimed at a Go string field (not a type with
 *     its own UnmarshalJSON) become strings ("1.10" is formatted as Go's float32 %g, so 1.1);
 *     object keys end up sorted, which fixes the order errors are found in.
 *  2. encoding/json with DisallowUnknownFields: keys match a field exactly or, failing that,
 *     case-insensitively; an unknown key or a type mismatch is remembered (the first one wins)
 *     and decoding goes on; an error from a custom UnmarshalJSON stops decoding at once.
 *
 * The result is the Go value re-marshalled by encoding/json: keys in Go field order, omitempty
 * and omitzero applied, zero values of other fields written out.
 */
import {formatFloatG} from '../go/format.js'
import {goTypeName, type GoField, type GoStruct, type GoType} from '../schema/types.js'
import {customZero, CustomError, decodeCustom, GoTypeError, jsonKindName} from './custom.js'

/** The Go error text, as err.Error() would print it, of a failed decode. */
export class GoDecodeFailure extends Error {}

type JSONObject = Record<string, unknown>

function isPlainObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Go's decodeState.errorContext: the struct being filled and the JSON field names above. */
interface ErrorContext {
  struct?: GoStruct
  /** The JSON field names from the top, kept as a chain and joined only when an error needs it. */
  parent?: ErrorContext
  field?: string
}

function fieldStack(ctx: ErrorContext): string[] {
  const stack: string[] = []
  for (let c: ErrorContext | undefined = ctx; c?.field !== undefined; c = c.parent) stack.unshift(c.field)
  return stack
}

class DecodeState {
  saved: string | undefined

  /** d.saveError: keep the first error only. */
  save(message: string): void {
    this.saved ??= message
  }
}

/** d.addErrorContext applied to an UnmarshalTypeError. */
function typeErrorText(value: string, typeName: string, ctx: ErrorContext): string {
  const stack = fieldStack(ctx)
  if (ctx.struct || stack.length > 0) {
    const structName = ctx.struct?.name ?? ''
    return `json: cannot unmarshal ${value} into Go struct field ${structName}.${stack.join('.')} of type ${typeName}`
  }
  return `json: cannot unmarshal ${value} into Go value of type ${typeName}`
}

/** The type Go reports for a mismatch: pointers are dereferenced before the check. */
function reportedTypeName(type: GoType): string {
  let current = type
  while (current.kind === 'ptr') current = current.elem
  return goTypeName(current)
}

/** Step 1 of the pipeline: sigs.k8s.io/yaml's scalar-to-string coercion for string targets. */
export function coerceScalarForString(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? String(value) : formatFloatG(value, 32)
  }
  return value
}

/** Whether a type's target is a Go string kind (so YAML scalars are coerced to strings). */
export function targetsString(type: GoType): boolean {
  let current = type
  while (current.kind === 'ptr') current = current.elem
  return current.kind === 'string'
}

/** Finds a struct's field for a JSON key: exact name first, then case-insensitive (Go's fold). */
function findField(s: GoStruct, key: string): GoField | undefined {
  let index = fieldIndexes.get(s)
  if (!index) {
    index = new Map()
    for (const field of flattenFields(s)) if (!index.has(field.json)) index.set(field.json, field)
    fieldIndexes.set(s, index)
  }
  const exact = index.get(key)
  if (exact) return exact
  const folded = key.toLowerCase()
  return flattenFields(s).find((field) => field.json.toLowerCase() === folded)
}

const fieldIndexes = new WeakMap<GoStruct, Map<string, GoField>>()

const flattened = new WeakMap<GoStruct, GoField[]>()

/** The struct's JSON-visible fields, with inlined embedded structs' fields promoted. */
export function flattenFields(s: GoStruct): GoField[] {
  let cached = flattened.get(s)
  if (!cached) {
    cached = []
    for (const field of s.fields) {
      if (field.json === '' && field.type.kind === 'struct') cached.push(...flattenFields(field.type.struct()))
      else cached.push(field)
    }
    flattened.set(s, cached)
  }
  return cached
}

/**
 * Decodes `value` into a Go value of `type`. Go values are kept as JSON-like data: a struct is an
 * object holding only the fields that were set, a nil pointer/slice/map is `undefined`.
 */
function decodeValue(value: unknown, type: GoType, ctx: ErrorContext, state: DecodeState, existing: unknown): unknown {
  switch (type.kind) {
    case 'ptr':
      if (value === null) return undefined
      return decodeValue(value, type.elem, ctx, state, existing)
    case 'custom':
      try {
        return decodeCustom(type.codec, value)
      } catch (err) {
        if (err instanceof GoTypeError) throw new GoDecodeFailure(typeErrorText(err.value, err.typeName, ctx))
        if (err instanceof CustomError) throw new GoDecodeFailure(err.message)
        throw err
      }
    default:
      break
  }
  if (value === null) {
    // JSON null leaves non-pointer values as they were and clears slices and maps.
    return type.kind === 'slice' || type.kind === 'map' ? undefined : existing
  }
  const mismatch = (): unknown => {
    state.save(typeErrorText(jsonKindName(value), reportedTypeName(type), ctx))
    return existing
  }
  switch (type.kind) {
    case 'string': {
      const coerced = coerceScalarForString(value)
      return typeof coerced === 'string' ? coerced : mismatch()
    }
    case 'bool':
      return typeof value === 'boolean' ? value : mismatch()
    case 'int':
      if (typeof value !== 'number') return mismatch()
      if (!Number.isInteger(value) || value < type.min || value > type.max) {
        state.save(typeErrorText(`number ${String(value)}`, type.name, ctx))
        return existing
      }
      return value
    case 'float':
      // Go would keep -0 (and print "-0"); JSON.stringify cannot, so it is folded into 0.
      return typeof value === 'number' ? value + 0 : mismatch()
    case 'slice': {
      if (!Array.isArray(value)) return mismatch()
      const elem = type.elem
      return value.map((item) => {
        const input = targetsString(elem) ? coerceScalarForString(item) : item
        return decodeValue(input, elem, ctx, state, undefined)
      })
    }
    case 'map': {
      if (!isPlainObject(value)) return mismatch()
      const out: JSONObject = isPlainObject(existing) ? {...existing} : {}
      for (const key of Object.keys(value).sort()) {
        const input = targetsString(type.elem) ? coerceScalarForString(value[key]) : value[key]
        // A null element still creates the key, holding the element type's zero value.
        const decoded = decodeValue(input, type.elem, ctx, state, out[key])
        out[key] = decoded === undefined ? zeroJSON(type.elem) : decoded
      }
      return out
    }
    case 'struct':
      if (!isPlainObject(value)) return mismatch()
      return decodeStruct(value, type.struct(), ctx, state, isPlainObject(existing) ? existing : undefined)
  }
}

function decodeStruct(
  value: JSONObject,
  s: GoStruct,
  ctx: ErrorContext,
  state: DecodeState,
  existing: JSONObject | undefined,
): JSONObject {
  const out: JSONObject = existing ? {...existing} : {}
  for (const key of Object.keys(value).sort()) {
    const field = findField(s, key)
    if (!field) {
      state.save(`json: unknown field ${JSON.stringify(key)}`)
      continue
    }
    const inner: ErrorContext = {struct: s, parent: ctx, field: field.json}
    const input = targetsString(field.type) ? coerceScalarForString(value[key]) : value[key]
    const decoded = decodeValue(input, field.type, inner, state, out[field.json])
    if (decoded === undefined) delete out[field.json]
    else out[field.json] = decoded
  }
  return out
}

/**
 * Decodes a whole document into the given top-level struct and returns the Go value. Throws
 * GoDecodeFailure with Go's error text (without sigs.k8s.io/yaml's prefixes).
 */
export function decodeStrict(value: JSONObject, s: GoStruct): JSONObject {
  const state = new DecodeState()
  const decoded = decodeStruct(value, s, {}, state, undefined)
  if (state.saved !== undefined) throw new GoDecodeFailure(state.saved)
  return decoded
}

// ---- encoding/json marshalling of a decoded Go value ----

/** The JSON a Go zero value of this type marshals to. */
export function zeroJSON(type: GoType): unknown {
  switch (type.kind) {
    case 'string':
      return ''
    case 'bool':
      return false
    case 'int':
    case 'float':
      return 0
    case 'ptr':
    case 'slice':
    case 'map':
      return null
    case 'struct':
      return marshalStruct({}, type.struct())
    case 'custom':
      return customZero(type.codec)
  }
}

/** encoding/json's isEmptyValue (omitempty): false, 0, "", nil, empty slice or map. */
export function isEmpty(type: GoType, value: unknown): boolean {
  if (value === undefined) return type.kind !== 'struct' && !(type.kind === 'custom' && isStructLike(type.codec))
  switch (type.kind) {
    case 'string':
      return value === ''
    case 'bool':
      return value === false
    case 'int':
    case 'float':
      return value === 0
    case 'slice':
      return Array.isArray(value) && value.length === 0
    case 'map':
      return isPlainObject(value) && Object.keys(value).length === 0
    case 'custom':
      return type.codec === 'asn' && value === 0
    default:
      return false
  }
}

/** Custom types that are structs in Go (never "empty" for omitempty). */
function isStructLike(codec: string): boolean {
  return codec !== 'asn'
}

/** reflect.Value.IsZero / IsZero() for omitzero. */
function isZero(type: GoType, value: unknown): boolean {
  if (value === undefined) return true
  switch (type.kind) {
    case 'struct': {
      if (!isPlainObject(value)) return true
      return type.struct().fields.every((field) => isZero(field.type, value[field.json]))
    }
    case 'ptr':
    case 'slice':
    case 'map':
      return false
    case 'custom':
      return type.codec === 'time' ? value === null : JSON.stringify(value) === JSON.stringify(customZero(type.codec))
    default:
      return isEmpty(type, value)
  }
}

function marshalValue(type: GoType, value: unknown): unknown {
  if (value === undefined || value === null) return zeroJSON(type)
  switch (type.kind) {
    case 'ptr':
      return marshalValue(type.elem, value)
    case 'slice':
      return (value as unknown[]).map((item) => marshalValue(type.elem, item))
    case 'map': {
      const out: JSONObject = {}
      const source = value as JSONObject
      for (const key of Object.keys(source).sort()) out[key] = marshalValue(type.elem, source[key])
      return out
    }
    case 'struct':
      return marshalStruct(value as JSONObject, type.struct())
    default:
      return value
  }
}

/** json.Marshal of a struct value: Go field order, omitempty/omitzero honoured. */
export function marshalStruct(value: JSONObject, s: GoStruct): JSONObject {
  const out: JSONObject = {}
  for (const field of marshalPlan(s)) {
    // null (a marshalled nil) and absence both mean the Go zero value.
    const fieldValue = value[field.json] ?? undefined
    if (fieldValue === undefined) {
      if (!field.absentOmitted) out[field.json] = zeroJSON(field.type)
      continue
    }
    if (field.omitempty && isEmpty(field.type, fieldValue)) continue
    if (field.omitzero && isZero(field.type, fieldValue)) continue
    out[field.json] = marshalValue(field.type, fieldValue)
  }
  return out
}

/** A flattened field as marshalling sees it. */
interface MarshalField extends GoField {
  /** An unset value is left out (omitempty of an empty value, or omitzero); else it is the zero value. */
  absentOmitted: boolean
}

const marshalPlans = new WeakMap<GoStruct, MarshalField[]>()

/** Whether marshalStruct leaves an unset (nil or absent) field out: omitempty, or omitzero. */
export function omittedWhenUnset(field: GoField): boolean {
  return (field.omitempty && isEmpty(field.type, undefined)) || field.omitzero
}

function marshalPlan(s: GoStruct): MarshalField[] {
  let plan = marshalPlans.get(s)
  if (!plan) {
    plan = flattenFields(s).map((field) => ({...field, absentOmitted: omittedWhenUnset(field)}))
    marshalPlans.set(s, plan)
  }
  return plan
}

/** Struct values known to be marshalStruct output (whole subtrees in Go's form). */
const marshalledValues = new WeakSet<object>()

/** Records that `value` is marshalStruct output and nobody will change it in place. */
export function markMarshalled(value: unknown): void {
  if (typeof value === 'object' && value !== null) marshalledValues.add(value)
}

export function isMarshalled(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && marshalledValues.has(value)
}

/**
 * marshalStruct of `value`, a copy of the marshalled struct `from` with some fields replaced:
 * a field still holding `from`'s own value is reused as it is, since marshalling is idempotent;
 * replaced fields are marshalled. Same result as marshalStruct, without re-walking what did not
 * change.
 */
export function marshalStructReusing(value: JSONObject, s: GoStruct, from: JSONObject): JSONObject {
  const out: JSONObject = {}
  for (const field of marshalPlan(s)) {
    const fieldValue = value[field.json] ?? undefined
    if (fieldValue === undefined) {
      if (!field.absentOmitted) out[field.json] = zeroJSON(field.type)
      continue
    }
    if (field.omitempty && isEmpty(field.type, fieldValue)) continue
    if (field.omitzero && isZero(field.type, fieldValue)) continue
    out[field.json] = fieldValue === from[field.json] ? fieldValue : marshalValue(field.type, fieldValue)
  }
  return out
}
