/**
 * The UnmarshalJSON methods of the Go types that have one (numorstring Port/Protocol/ASNumber/
 * DSCP, metav1 Duration/Time, intstr.IntOrString, metav1.FieldsV1), reproduced on parsed JSON
 * values. Each returns the value's JSON form as Go would marshal it back.
 *
 * Errors come in two flavours, as in Go: a GoTypeError (an *UnmarshalTypeError from an inner
 * json.Unmarshal, which the outer decoder decorates with the struct field it was decoding) and a
 * plain CustomError (any other error text, passed through unchanged).
 */
import {DurationParseError, formatGoDuration, parseGoDuration} from '../go/duration.js'
import {normaliseRFC3339, TimeParseError} from '../go/time.js'
import {parseASNumber, portFromString, PortParseError, portToJSON} from '../numorstring.js'
import type {CustomCodec} from '../schema/types.js'

/** json.UnmarshalTypeError before context: `cannot unmarshal <value> into … of type <type>`. */
export class GoTypeError extends Error {
  constructor(
    readonly value: string,
    readonly typeName: string,
  ) {
    super(`json: cannot unmarshal ${value} into Go value of type ${typeName}`)
  }
}

/** Any other error an UnmarshalJSON returns; its text is printed as is. */
export class CustomError extends Error {}

/** How encoding/json names a JSON value in a type error ("number 65536" for bad numbers). */
export function jsonKindName(value: unknown): string {
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return 'number'
  if (typeof value === 'boolean') return 'bool'
  if (Array.isArray(value)) return 'array'
  return 'object'
}

/** json.Unmarshal of a JSON value into an unsigned/signed Go integer of the given range. */
function unmarshalInt(value: unknown, typeName: string, min: number, max: number): number {
  if (value === null) return 0
  if (typeof value !== 'number') throw new GoTypeError(jsonKindName(value), typeName)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GoTypeError(`number ${String(value)}`, typeName)
  }
  return value
}

/** json.Unmarshal of a JSON value into a Go string (null leaves it empty). */
function unmarshalString(value: unknown): string {
  if (value === null) return ''
  if (typeof value !== 'string') throw new GoTypeError(jsonKindName(value), 'string')
  return value
}

function decodePort(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return portToJSON(portFromString(value))
    } catch (err) {
      if (err instanceof PortParseError) throw new CustomError(err.message)
      throw err
    }
  }
  return unmarshalInt(value, 'uint16', 0, 65535)
}

/** Uint8OrString: a numeric string becomes a number; other strings stay; else a uint8. */
function decodeUint8OrString(value: unknown): unknown {
  if (typeof value === 'string') {
    return /^\d+$/.test(value) && Number(value) <= 255 ? Number(value) : value
  }
  return unmarshalInt(value, 'uint8', 0, 255)
}

/** ASNumber: a uint32, else a string in plain or asdot form. */
function decodeASNumber(value: unknown): unknown {
  if (value === null) return 0
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value
  const s = unmarshalString(value)
  try {
    return parseASNumber(s)
  } catch (err) {
    throw new CustomError((err as Error).message)
  }
}

function decodeDuration(value: unknown): unknown {
  const s = unmarshalString(value)
  try {
    return formatGoDuration(parseGoDuration(s))
  } catch (err) {
    if (err instanceof DurationParseError) throw new CustomError(err.message)
    throw err
  }
}

function decodeTime(value: unknown): unknown {
  if (value === null) return null
  const s = unmarshalString(value)
  try {
    return normaliseRFC3339(s)
  } catch (err) {
    if (err instanceof TimeParseError) throw new CustomError(err.message)
    throw err
  }
}

function decodeIntOrString(value: unknown): unknown {
  if (typeof value === 'string') return value
  return unmarshalInt(value, 'int32', -(2 ** 31), 2 ** 31 - 1)
}

/** Decodes a value of a custom-unmarshalled type; throws GoTypeError or CustomError. */
export function decodeCustom(codec: CustomCodec, value: unknown): unknown {
  switch (codec) {
    case 'port':
      return decodePort(value)
    case 'protocol':
    case 'uint8orstring':
      return decodeUint8OrString(value)
    case 'asn':
      return decodeASNumber(value)
    case 'duration':
      return decodeDuration(value)
    case 'time':
      return decodeTime(value)
    case 'intorstring':
      return decodeIntOrString(value)
    case 'rawjson':
      return value === null ? undefined : structuredClone(value)
  }
}

/** The JSON a zero value of a custom type marshals to. */
export function customZero(codec: CustomCodec): unknown {
  switch (codec) {
    case 'port':
    case 'protocol':
    case 'uint8orstring':
    case 'asn':
    case 'intorstring':
      return 0
    case 'duration':
      return '0s'
    case 'time':
    case 'rawjson':
      return null
  }
}
