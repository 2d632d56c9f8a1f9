/**
 * decodeResource: one parsed document → a typed resource, the way calicoctl's resourcemgr does it
 * (createResourcesFromBytes → newResource → yaml.UnmarshalStrict).
 */
import {DecodeError} from '../errors.js'
import type {Resource} from '../resource.js'
import {kindSchema} from '../schema/index.js'
import type {GoStruct} from '../schema/types.js'
import {jsonKindName} from './custom.js'
import {decodeStrict, flattenFields, GoDecodeFailure, isMarshalled, markMarshalled, marshalStruct, marshalStructReusing} from './decode.js'
import {decodeMarshalled} from './fused.js'

const YAML_PREFIX = 'error unmarshaling JSON: while decoding JSON: '

/** schema.ParseGroupVersion(...).String() for the apiVersion text, as the unknown-kind error shows it. */
function groupVersionString(apiVersion: string): string {
  if (apiVersion === '' || apiVersion === '/') return ''
  const parts = apiVersion.split('/')
  if (parts.length === 1) return apiVersion
  if (parts.length === 2) return parts[0] === '' ? parts[1] : apiVersion
  return ''
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Decodes one parsed YAML/JSON object (not a list, not a `*List` kind) into a resource, strictly:
 * unknown fields anywhere and wrong JSON types are errors, values are normalised as Go's types
 * do it (protocol "6" → 6, ASN "1.10" → 65546, port "80" → 80, port "80:80" → 80, durations
 * re-printed, YAML numbers in string fields turned into strings), and the result has Go's key
 * order and omitempty behaviour, so JSON.stringify matches Go's encoding/json output.
 * @throws DecodeError
 */
export function decodeResource(obj: unknown): Resource {
  if (!isPlainObject(obj) || typeof obj.kind !== 'string' || obj.kind === '') {
    // Unstructured decoding needs a kind; calicoctl then retries the document as a list and
    // reports that failure.
    const what = jsonKindName(obj)
    throw new DecodeError(`${YAML_PREFIX}json: cannot unmarshal ${what} into Go value of type []unstructured.Unstructured`)
  }
  const kind = obj.kind
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : ''
  const schema = apiVersion === 'projectcalico.org/v3' ? kindSchema(kind) : undefined
  if (!schema) {
    throw new DecodeError(`unknown resource type (${kind}) and/or version (${groupVersionString(apiVersion)})`)
  }
  // kind and apiVersion decode to themselves here (non-empty strings), which newResource's GVK
  // would have set anyway.
  const resource = (decodeMarshalled(obj, schema) ?? decodeGeneric(obj, schema, kind, apiVersion)) as unknown as Resource
  // Defaulting re-marshals the resource; what it leaves of this spec need not be walked again.
  markMarshalled(resource.spec)
  return resource
}

/** decodeStrict then marshalStruct: finds and words the first error in Go's order. */
function decodeGeneric(obj: Record<string, unknown>, schema: GoStruct, kind: string, apiVersion: string): Record<string, unknown> {
  let decoded: Record<string, unknown>
  try {
    decoded = decodeStrict(obj, schema)
  } catch (err) {
    if (err instanceof GoDecodeFailure) throw new DecodeError(`${YAML_PREFIX}${err.message}`)
    throw err
  }
  // newResource fills kind and apiVersion from the document's GVK before unmarshalling.
  decoded.kind = kind
  decoded.apiVersion = apiVersion
  return marshalStruct(decoded, schema)
}

/**
 * Re-marshals an already decoded (or programmatically built) resource of a known kind into Go's
 * key order with omitempty applied, without strict checks. Unknown kinds come back unchanged.
 */
export function normaliseResource(res: Resource): Resource {
  const schema = kindSchema(res.kind)
  if (!schema) return res
  return marshalStruct(structuredClone(res) as unknown as Record<string, unknown>, schema) as unknown as Resource
}

/**
 * As normaliseResource, for a resource the caller owns and will not use again: no defensive copy
 * (the result may share values with it). `specFrom`: a spec from decodeResource that res.spec is
 * a shallow copy of (some fields replaced); its unchanged fields are reused, not re-marshalled.
 */
export function normaliseOwnedResource(res: Resource, specFrom?: unknown): Resource {
  const schema = kindSchema(res.kind)
  if (!schema) return res
  const value = res as unknown as Record<string, unknown>
  const specType = flattenFields(schema).find((field) => field.json === 'spec')?.type
  if (!isMarshalled(specFrom) || specType?.kind !== 'struct' || typeof value.spec !== 'object' || value.spec === null) {
    return marshalStruct(value, schema) as unknown as Resource
  }
  // `specFrom` is a decoded spec that res.spec was copied from: reuse its untouched subtrees.
  const spec = marshalStructReusing(value.spec as Record<string, unknown>, specType.struct(), specFrom)
  return marshalStructReusing({...value, spec}, schema, {spec}) as unknown as Resource
}
