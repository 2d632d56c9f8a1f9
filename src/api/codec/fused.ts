/**
 * The fast path of decodeResource: strict decoding and encoding/json marshalling fused into one
 * walk, with each struct's field plan worked out once. For a document the generic path decodes
 * without error it gives exactly marshalStruct(decodeStrict(value, s), s); it never reports an
 * error itself. Whatever it does not handle — an unknown or case-folded key, a type mismatch, a
 * custom type's error, a struct with two fields of one JSON name — makes it give up (undefined),
 * and the caller runs the generic decoder, which finds the first error in Go's order and words it.
 *
 * Why: a bulk apply decodes every document, and the generic decoder walks the schema twice per
 * document (decode, then marshal), looking up each field and building an error context for it.
 */
import type {GoStruct, GoType} from '../schema/types.js'
import {customZero, decodeCustom} from './custom.js'
import {coerceScalarForString, flattenFields, isEmpty, omittedWhenUnset, targetsString, zeroJSON} from './decode.js'

type JSONObject = Record<string, unknown>

/** Thrown inside the walk when the generic decoder must take over. */
const GIVE_UP = Symbol('give up')

/**
 * A type's decoder: a JSON value in, its marshalled Go value out; `undefined` for a decoded nil
 * (or a key that stays unset), which the container marshals as the type's zero value.
 */
type Decoder = (value: unknown) => unknown

interface FieldPlan {
  json: string
  type: GoType
  omitempty: boolean
  omitzero: boolean
  decode: Decoder
  /** isZero of the decoded value, for omitzero fields and for the struct's own zero-ness. */
  zero: (decoded: unknown) => boolean
  /** Promoted from an inlined embedded struct: Go's isZero of the outer struct does not see it. */
  promoted: boolean
  /** marshalStruct leaves the field out when it is unset (omitempty of an empty value, or omitzero). */
  absentOmitted: boolean
}

interface StructPlan {
  fields: FieldPlan[]
  /** False when two fields share a JSON name (none do in the schema): the generic path decodes it. */
  fusable: boolean
}

/** Set by a struct decoder just before it returns: whether the decoded struct is Go's zero value. */
let lastStructZero = false

const structPlans = new WeakMap<GoStruct, StructPlan>()

function structPlan(s: GoStruct): StructPlan {
  let plan = structPlans.get(s)
  if (!plan) {
    const fields: FieldPlan[] = []
    const names = new Set<string>()
    const own = new Set(s.fields)
    for (const field of flattenFields(s)) {
      names.add(field.json)
      fields.push({
        json: field.json,
        type: field.type,
        omitempty: field.omitempty,
        omitzero: field.omitzero,
        decode: decoderFor(field.type, targetsString(field.type)),
        zero: zeroCheckFor(field.type),
        promoted: !own.has(field),
        absentOmitted: omittedWhenUnset(field),
      })
    }
    plan = {fields, fusable: names.size === fields.length}
    structPlans.set(s, plan)
  }
  return plan
}

/** isZero (decode.ts) of a decoded value of `type`; a struct's answer comes from lastStructZero. */
function zeroCheckFor(type: GoType): (decoded: unknown) => boolean {
  switch (type.kind) {
    case 'struct':
      return (decoded) => decoded === undefined || lastStructZero
    case 'ptr':
    case 'slice':
    case 'map':
      return (decoded) => decoded === undefined
    case 'custom': {
      if (type.codec === 'time') return (decoded) => decoded === undefined || decoded === null
      const zero = JSON.stringify(customZero(type.codec))
      return (decoded) => decoded === undefined || JSON.stringify(decoded) === zero
    }
    default:
      return (decoded) => decoded === undefined || isEmpty(type, decoded)
  }
}

/** `coerce`: the value is aimed at a Go string (through pointers), so YAML scalars become strings. */
function decoderFor(type: GoType, coerce: boolean): Decoder {
  const inner = typeDecoder(type)
  return coerce ? (value) => inner(coerceScalarForString(value)) : inner
}

/**
 * A JSON null leaves a fresh Go value nil or zero (the generic decoder keeps the "earlier" value,
 * and there is none here: every key is decoded once), so every decoder but a custom type's
 * turns null into undefined. Custom types decide for themselves, as their UnmarshalJSON does.
 */
function typeDecoder(type: GoType): Decoder {
  switch (type.kind) {
    case 'ptr': {
      const elem = typeDecoder(type.elem)
      return (value) => (value === null ? undefined : elem(value))
    }
    case 'custom': {
      const codec = type.codec
      return (value) => {
        try {
          return decodeCustom(codec, value)
        } catch {
          throw GIVE_UP
        }
      }
    }
    case 'string':
      return (value) => (typeof value === 'string' ? value : value === null ? undefined : giveUp())
    case 'bool':
      return (value) => (typeof value === 'boolean' ? value : value === null ? undefined : giveUp())
    case 'int': {
      const {min, max} = type
      return (value) => {
        if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value
        return value === null ? undefined : giveUp()
      }
    }
    case 'float':
      return (value) => (typeof value === 'number' ? value + 0 : value === null ? undefined : giveUp())
    case 'slice': {
      const elemType = type.elem
      const elem = decoderFor(elemType, targetsString(elemType))
      return (value) => {
        if (!Array.isArray(value)) return value === null ? undefined : giveUp()
        const out = new Array<unknown>(value.length)
        for (let i = 0; i < value.length; i++) out[i] = elem(value[i]) ?? zeroJSON(elemType)
        return out
      }
    }
    case 'map': {
      const elemType = type.elem
      const elem = decoderFor(elemType, targetsString(elemType))
      return (value) => {
        if (!isPlainObject(value)) return value === null ? undefined : giveUp()
        const out: JSONObject = {}
        for (const key of Object.keys(value).sort()) out[key] = elem(value[key]) ?? zeroJSON(elemType)
        return out
      }
    }
    case 'struct': {
      let plan: StructPlan | undefined
      const struct = type.struct
      return (value) => {
        if (!isPlainObject(value)) return value === null ? undefined : giveUp()
        plan ??= structPlan(struct())
        return decodeStructPlan(value, plan)
      }
    }
  }
}

function giveUp(): never {
  throw GIVE_UP
}

function isPlainObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * One struct, in Go field order: each field's key is read, decoded and emitted as marshalStruct
 * does. Keys the struct does not know (or knows only case-insensitively) are found by counting:
 * if fewer keys were used than the object has, the generic path takes over.
 */
function decodeStructPlan(value: JSONObject, plan: StructPlan): JSONObject {
  const {fields} = plan
  if (!plan.fusable) throw GIVE_UP
  const out: JSONObject = {}
  let used = 0
  let allZero = true
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]
    const input = value[field.json]
    // A decoded null (a nil custom value) is marshalled as absent, as marshalStruct's `?? undefined`.
    const d = input === undefined ? undefined : field.decode(input) ?? undefined
    if (input !== undefined) used++
    if (d === undefined) {
      // Absent, or decoded to nil: Go's zero value, which is "zero" for omitzero and allZero.
      if (!field.absentOmitted) out[field.json] = zeroJSON(field.type)
      continue
    }
    // Read right after the field's own decode: lastStructZero is its answer for a struct.
    const zero = field.zero(d)
    if (!zero && !field.promoted) allZero = false
    if (field.omitempty && isEmpty(field.type, d)) continue
    if (field.omitzero && zero) continue
    out[field.json] = d
  }
  if (used !== keyCount(value)) throw GIVE_UP
  lastStructZero = allZero
  return out
}

function keyCount(value: JSONObject): number {
  let count = 0
  for (const key in value) if (Object.hasOwn(value, key)) count++
  return count
}

/**
 * marshalStruct(decodeStrict(value, s), s) for a document the generic path accepts; undefined
 * when the generic path must run (it may still succeed, or word the error).
 */
export function decodeMarshalled(value: JSONObject, s: GoStruct): JSONObject | undefined {
  try {
    return decodeStructPlan(value, structPlan(s))
  } catch (error) {
    if (error === GIVE_UP) return undefined
    throw error
  }
}
