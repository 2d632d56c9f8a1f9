/**
 * The declarative schema every kind is described with: Go struct name, field order, Go field
 * names, JSON names, omitempty/omitzero and go-playground `validate` tags, mirroring the Go
 * structs of projectcalico.org/v3 (api/pkg/apis/projectcalico/v3, libcalico-go internalapi) and
 * the Kubernetes types they embed. Strict decoding, Go key order, Go type names in decode errors,
 * Go field names for templates and the tag-driven half of validation are all derived from it.
 */

/** A scalar or composite Go type. `name` is Go's reflect Type.String(), used in decode errors. */
export type GoType =
  | {readonly kind: 'string'; readonly name: string}
  | {readonly kind: 'bool'; readonly name: string}
  | {readonly kind: 'int'; readonly name: string; readonly min: number; readonly max: number}
  | {readonly kind: 'float'; readonly name: string}
  | {readonly kind: 'ptr'; readonly elem: GoType}
  | {readonly kind: 'slice'; readonly elem: GoType; readonly name?: string}
  | {readonly kind: 'map'; readonly elem: GoType}
  | {readonly kind: 'struct'; readonly struct: () => GoStruct}
  | {readonly kind: 'custom'; readonly codec: CustomCodec; readonly name: string}

/**
 * Types with their own UnmarshalJSON/MarshalJSON in Go. Their JSON form is what is kept:
 * port → number | "a:b" | "name"; protocol/uint8orstring → number | string; asn → number;
 * duration → Go duration text; time → RFC 3339 UTC; intorstring → number | string;
 * rawjson → any JSON (metav1.FieldsV1).
 */
export type CustomCodec = 'port' | 'protocol' | 'uint8orstring' | 'asn' | 'duration' | 'time' | 'intorstring' | 'rawjson'

export interface GoField {
  /**
   * Go field name (what go-templates such as `.Spec.CIDR` and validation messages use). A field
   * with an empty `json` is an embedded struct inlined into its parent's JSON object.
   */
  readonly go: string
  /** JSON key; empty for an inlined embedded struct (`json:",inline"`). */
  readonly json: string
  readonly type: GoType
  readonly omitempty: boolean
  readonly omitzero: boolean
  /** The go-playground `validate:"…"` tag text, if any. */
  readonly validate?: string
}

export interface GoStruct {
  /** Go type name without package (UnmarshalTypeError's Struct), e.g. `IPPoolSpec`. */
  readonly name: string
  /** Package-qualified name (Type.String()), e.g. `v3.IPPoolSpec`. */
  readonly qualified: string
  readonly fields: readonly GoField[]
}

/** reflect.Type.String() for a schema type. */
export function goTypeName(t: GoType): string {
  switch (t.kind) {
    case 'ptr':
      return `*${goTypeName(t.elem)}`
    case 'slice':
      return t.name ?? `[]${goTypeName(t.elem)}`
    case 'map':
      return `map[string]${goTypeName(t.elem)}`
    case 'struct':
      return t.struct().qualified
    default:
      return t.name
  }
}

// ---- constructors, so schema files read like the Go structs they mirror ----

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int: [-(2 ** 63), 2 ** 63 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, 2 ** 64 - 1],
}

export const t = {
  string: (name = 'string'): GoType => ({kind: 'string', name}),
  bool: (name = 'bool'): GoType => ({kind: 'bool', name}),
  /** `base` is the underlying Go integer type; `name` the declared type when it differs. */
  int: (base: keyof typeof INT_RANGES, name: string = base): GoType => {
    const [min, max] = INT_RANGES[base]
    return {kind: 'int', name, min, max}
  },
  float: (): GoType => ({kind: 'float', name: 'float64'}),
  ptr: (elem: GoType): GoType => ({kind: 'ptr', elem}),
  /** `name` for a declared slice type such as v3.RouteTableRanges. */
  slice: (elem: GoType, name?: string): GoType => ({kind: 'slice', elem, name}),
  map: (elem: GoType = {kind: 'string', name: 'string'}): GoType => ({kind: 'map', elem}),
  struct: (get: () => GoStruct): GoType => ({kind: 'struct', struct: get}),
  custom: (codec: CustomCodec, name: string): GoType => ({kind: 'custom', codec, name}),
}

/** Shared custom types. */
export const PORT = t.custom('port', 'numorstring.Port')
export const PROTOCOL = t.custom('protocol', 'numorstring.Protocol')
export const DSCP = t.custom('uint8orstring', 'numorstring.DSCP')
export const ASN = t.custom('asn', 'numorstring.ASNumber')
export const DURATION = t.custom('duration', 'v1.Duration')
export const TIME = t.custom('time', 'v1.Time')
export const INT_OR_STRING = t.custom('intorstring', 'intstr.IntOrString')

/**
 * One field, written like the Go line it mirrors: `f('CIDR', 'cidr', t.string(), 'net')`.
 * The JSON tag options go in `json` after a comma, e.g. 'vxlanMode,omitempty'.
 */
export function f(go: string, json: string, type: GoType, validate?: string): GoField {
  const [name, ...options] = json.split(',')
  return {
    go,
    json: name,
    type,
    omitempty: options.includes('omitempty'),
    omitzero: options.includes('omitzero'),
    validate,
  }
}

/** A struct schema. `pkg` is the Go package name used in Type.String() (v3, internalapi, v1…). */
export function struct(pkg: string, name: string, fields: GoField[]): GoStruct {
  return {name, qualified: `${pkg}.${name}`, fields}
}
