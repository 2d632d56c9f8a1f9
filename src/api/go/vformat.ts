/**
 * Go's fmt %v for the values Calico puts into validation errors, driven by the schema type so
 * pointers, Stringers and struct layouts print as Go prints them. Go would print a real memory
 * address for a non-nil pointer inside a value (and for a pointer to a scalar); that cannot be
 * reproduced, so FAKE_POINTER stands in for it.
 */
import {goTimeString} from './time.js'
import {formatFloatG} from './format.js'
import type {GoStruct, GoType} from '../schema/types.js'

/** Placeholder for the heap address Go prints for a pointer. */
export const FAKE_POINTER = '0xc000010000'

type JSONObject = Record<string, unknown>

function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The fields of a struct as Go's %v lists them (embedded structs print as nested {…}). */
function formatStruct(value: unknown, s: GoStruct): string {
  const obj = isObject(value) ? value : {}
  const parts = s.fields.map((field) => {
    // An inlined embedded struct shares its parent's JSON object.
    const fieldValue = field.json === '' ? obj : obj[field.json]
    return formatValue(fieldValue, field.type, 1)
  })
  return `{${parts.join(' ')}}`
}

/** Custom types that implement fmt.Stringer with a value receiver, and their String(). */
function stringerText(type: GoType, value: unknown): string | undefined {
  if (type.kind !== 'custom') return undefined
  switch (type.codec) {
    case 'port':
    case 'protocol':
    case 'uint8orstring':
    case 'asn':
      return String(value ?? 0)
    case 'duration':
      return typeof value === 'string' ? value : '0s'
    case 'time':
      return goTimeString(typeof value === 'string' ? value : undefined)
    case 'intorstring':
    case 'rawjson':
      return undefined
  }
}

/**
 * %v of `value` (JSON form; undefined = Go zero value) of Go type `type`, at nesting `depth`
 * (0 = the value handed to fmt itself).
 */
export function formatValue(value: unknown, type: GoType, depth = 0): string {
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? value : ''
    case 'bool':
      return value === true ? 'true' : 'false'
    case 'int':
      return String(typeof value === 'number' ? value : 0)
    case 'float':
      return formatFloatG(typeof value === 'number' ? value : 0)
    case 'ptr': {
      if (value === undefined || value === null) return '<nil>'
      // fmt calls String() through a pointer at any depth (only bare pointers print addresses).
      const stringer = stringerText(type.elem, value)
      if (stringer !== undefined) return stringer
      const elem = type.elem
      if (depth === 0 && (elem.kind === 'struct' || elem.kind === 'slice' || elem.kind === 'map')) {
        return `&${formatValue(value, elem, depth + 1)}`
      }
      return FAKE_POINTER
    }
    case 'slice': {
      const items = Array.isArray(value) ? value : []
      return `[${items.map((item) => formatValue(item, type.elem, depth + 1)).join(' ')}]`
    }
    case 'map': {
      const obj = isObject(value) ? value : {}
      const entries = Object.keys(obj)
        .sort()
        .map((key) => `${key}:${formatValue(obj[key], type.elem, depth + 1)}`)
      return `map[${entries.join(' ')}]`
    }
    case 'struct':
      return formatStruct(value, type.struct())
    case 'custom': {
      const stringer = stringerText(type, value)
      if (stringer !== undefined) return stringer
      if (type.codec === 'intorstring') {
        return typeof value === 'string' ? `{1 0 ${value}}` : `{0 ${typeof value === 'number' ? value : 0} }`
      }
      return `{[${value === undefined || value === null ? '' : '…'}]}`
    }
  }
}
