/**
 * Object metadata checks: validateObjectMeta (every kind's embedded ObjectMeta) and the
 * annotation/label helpers the per-kind validators reuse. Go iterates maps in random order;
 * here keys are visited sorted so the output is stable.
 */
import {formatValue} from '../go/vformat.js'
import {t} from '../schema/types.js'
import {NAME_RE, NAME_SUBDOMAIN_FMT} from './checks.js'
import {registerStructCheck, type Reporter} from './engine.js'
import {byteLength, DNS1123_SUBDOMAIN_MAX_LENGTH, isQualifiedName, isValidLabelValue} from './k8s.js'

const ANNOTATION_LIMIT = 256 * 1024

type StringMap = Record<string, string>

function asMap(value: unknown): StringMap {
  return typeof value === 'object' && value !== null ? (value as StringMap) : {}
}

/** validateObjectMetaAnnotations: keys are lower-cased before the qualified-name check. */
export function checkAnnotations(r: Reporter, annotations: unknown): void {
  const map = asMap(annotations)
  let total = 0
  for (const key of Object.keys(map).sort()) {
    for (const msg of isQualifiedName(key.toLowerCase())) r.report('Metadata.Annotations (key)', key, msg)
    total += byteLength(key) + byteLength(map[key] ?? '')
  }
  if (total > ANNOTATION_LIMIT) {
    r.report(
      'Metadata.Annotations (key)',
      formatValue(map, t.map()),
      `total size of annotations is too large by ${total - ANNOTATION_LIMIT} bytes`,
    )
  }
}

/** validateObjectMetaLabels. */
export function checkLabels(r: Reporter, labels: unknown): void {
  const map = asMap(labels)
  for (const key of Object.keys(map).sort()) {
    for (const msg of isQualifiedName(key)) r.report('Metadata.Labels (label)', key, msg)
    for (const msg of isValidLabelValue(map[key] ?? '')) r.report('Metadata.Labels (value)', map[key] ?? '', msg)
  }
}

/** The name-too-long check the per-kind validators share. */
export function checkNameLength(r: Reporter, name: string, max = DNS1123_SUBDOMAIN_MAX_LENGTH): void {
  const length = byteLength(name)
  if (length > max) r.report('Metadata.Name', name, `name is too long by ${length - max} bytes`)
}

registerStructCheck('v1.ObjectMeta', (meta, r) => {
  const name = typeof meta.name === 'string' ? meta.name : ''
  checkNameLength(r, name)
  if (!NAME_RE.test(name)) {
    r.report(
      'Metadata.Name',
      name,
      `name must consist of lower case alphanumeric characters, '-' or '.' (regex: ${NAME_SUBDOMAIN_FMT})`,
    )
  }
  checkAnnotations(r, meta.annotations)
  checkLabels(r, meta.labels)
})
