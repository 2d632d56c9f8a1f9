/**
 * Resource-level checks for policies, tiers and network sets: validateNetworkPolicy(+Spec),
 * validateGlobalNetworkPolicy(+Spec), the staged variants, validateTier, validateNetworkSet and
 * validateGlobalNetworkSet (libcalico-go/lib/validator/v3/validator.go).
 */
import {formatFloatG} from '../go/format.js'
import {formatValue} from '../go/vformat.js'
import {
  Rule,
  ServiceMatch,
  StagedGlobalNetworkPolicySpec,
  StagedKubernetesNetworkPolicySpec,
  StagedNetworkPolicySpec,
} from '../schema/policy.js'
import {t, type GoStruct} from '../schema/types.js'
import {NAME_LABEL_FMT} from './checks.js'
import {registerStructCheck, type Reporter} from './engine.js'
import {DNS1123_LABEL_MAX_LENGTH} from './k8s.js'
import {checkAnnotations, checkLabels, checkNameLength} from './meta.js'
import {appLayerPolicy, GLOBAL_SELECTOR_ENTITY_RULE} from './rules.js'

type JSONObject = Record<string, unknown>

const NETWORK_POLICY_NAME_RE = new RegExp(
  `^((${NAME_LABEL_FMT})(\\.${NAME_LABEL_FMT})?|((?:knp|ossg)\\.default\\.(${NAME_LABEL_FMT}(\\.${NAME_LABEL_FMT})*)))$`,
)
const GLOBAL_NETWORK_POLICY_NAME_RE = new RegExp(`^(${NAME_LABEL_FMT}\\.)?${NAME_LABEL_FMT}$`)
const TIER_NAME_RE = new RegExp(`^${NAME_LABEL_FMT}$`)
const POLICY_NAME_MSG = `name must consist of lower case alphanumeric characters or '-' (regex: ${NAME_LABEL_FMT})`

const TYPES = t.slice(t.string('v3.PolicyType'))
const RULES = t.slice(t.struct(() => Rule))
const SERVICES_PTR = t.ptr(t.struct(() => ServiceMatch))

/** Reserved tiers and the order each must have (names/policy.go, tier.go). */
export const RESERVED_TIER_ORDERS: Readonly<Record<string, number>> = {
  default: 1_000_000,
  'kube-admin': 1_000,
  'kube-baseline': 10_000_000,
}

function obj(value: unknown): JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JSONObject) : {}
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function rules(value: unknown): JSONObject[] {
  return Array.isArray(value) ? value.map(obj) : []
}

function metaOf(res: JSONObject): {name: string; meta: JSONObject} {
  const meta = obj(res.metadata)
  return {name: str(meta.name), meta}
}

/** Each repeat of a type is reported (the value is the whole list). */
function checkTypes(spec: JSONObject, field: string, r: Reporter): void {
  const seen = new Set<string>()
  for (const type of Array.isArray(spec.types) ? (spec.types as string[]) : []) {
    if (seen.has(type)) r.report(field, formatValue(spec.types, TYPES), `'${type}' type specified more than once`)
    else seen.add(type)
  }
}

/** validateNetworkPolicySpec. */
function checkNetworkPolicySpec(spec: JSONObject, r: Reporter): void {
  checkTypes(spec, 'NetworkPolicySpec.Types', r)
  for (const rule of rules(spec.egress)) {
    const source = obj(rule.source)
    if (source.services !== undefined) {
      r.report('Services', formatValue(source.services, SERVICES_PTR), 'not allowed in egress rule source')
    }
    const alp = appLayerPolicy(rule)
    if (alp) r.report(alp.field, alp.value, 'not allowed in egress rule')
  }
  for (const rule of rules(spec.ingress)) {
    const destination = obj(rule.destination)
    if (destination.services !== undefined) {
      r.report('Services', formatValue(destination.services, SERVICES_PTR), 'not allowed in ingress rule destination')
    }
  }
  if (str(spec.selector).includes('global()')) {
    r.report('NetworkPolicySpec.Selector', str(spec.selector), GLOBAL_SELECTOR_ENTITY_RULE)
  }
  if (str(spec.serviceAccountSelector).includes('global()')) {
    r.report('NetworkPolicySpec.ServiceAccountSelector', str(spec.serviceAccountSelector), GLOBAL_SELECTOR_ENTITY_RULE)
  }
}

/** validateGlobalNetworkPolicySpec. */
function checkGlobalNetworkPolicySpec(spec: JSONObject, r: Reporter): void {
  const doNotTrack = spec.doNotTrack === true
  const preDNAT = spec.preDNAT === true
  const egress = rules(spec.egress)
  const ingress = rules(spec.ingress)
  if (doNotTrack && preDNAT) {
    r.report('PolicySpec.PreDNAT', 'true', 'PreDNAT and DoNotTrack cannot both be true, for a given PolicySpec')
  }
  if (preDNAT && egress.length > 0) {
    r.report('PolicySpec.Egress', formatValue(spec.egress, RULES), 'PreDNAT PolicySpec cannot have any Egress rules')
  }
  if (preDNAT) {
    for (const type of Array.isArray(spec.types) ? (spec.types as string[]) : []) {
      if (type === 'Egress') {
        r.report('PolicySpec.Types', formatValue(spec.types, TYPES), "PreDNAT PolicySpec cannot have 'egress' Type")
      }
    }
  }
  if (spec.applyOnForward !== true && (doNotTrack || preDNAT)) {
    r.report(
      'PolicySpec.ApplyOnForward',
      'false',
      'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec',
    )
  }
  checkTypes(spec, 'GlobalNetworkPolicySpec.Types', r)
  for (const rule of egress) {
    const source = obj(rule.source)
    if (source.services !== undefined) {
      r.report('Services', formatValue(source.services, SERVICES_PTR), 'not allowed in egress rule source')
    }
    const alp = appLayerPolicy(rule)
    if (alp) r.report(alp.field, alp.value, 'not allowed in egress rules')
  }
  for (const rule of ingress) {
    const destination = obj(rule.destination)
    if (destination.services !== undefined) {
      r.report('Services', formatValue(destination.services, SERVICES_PTR), 'not allowed in ingress rule destination')
    }
  }
  for (const rule of egress) {
    const services = obj(rule.destination).services
    if (services !== undefined && str(obj(services).namespace) === '') r.report('Namespace', '', 'must specify a namespace')
  }
  for (const rule of ingress) {
    const services = obj(rule.source).services
    if (services !== undefined && str(obj(services).namespace) === '') r.report('Namespace', '', 'must specify a namespace')
  }
  const selector = str(spec.selector)
  if (selector.includes('global()')) {
    r.report('GlobalNetworkPolicySpec.Selector', selector, GLOBAL_SELECTOR_ENTITY_RULE)
  }
  // Calico reports the main selector as the value for the next two (sic).
  if (str(spec.serviceAccountSelector).includes('global()')) {
    r.report('GlobalNetworkPolicySpec.ServiceAccountSelector', selector, GLOBAL_SELECTOR_ENTITY_RULE)
  }
  if (str(spec.namespaceSelector).includes('global()')) {
    r.report('GlobalNetworkPolicySpec.NamespaceSelector', selector, GLOBAL_SELECTOR_ENTITY_RULE)
  }
}

/** Name, annotations and labels, as every policy validator starts. */
function checkPolicyMeta(res: JSONObject, nameRe: RegExp | undefined, r: Reporter): void {
  const {name, meta} = metaOf(res)
  checkNameLength(r, name)
  if (nameRe && !nameRe.test(name)) r.report('Metadata.Name', name, POLICY_NAME_MSG)
  checkAnnotations(r, meta.annotations)
  checkLabels(r, meta.labels)
}

/** For stagedAction Delete: whether every field but stagedAction and tier is zero. */
function onlyTierSet(spec: JSONObject): boolean {
  return Object.keys(spec).every((key) => key === 'stagedAction' || key === 'tier')
}

function checkStagedDelete(res: JSONObject, specStruct: GoStruct, field: string, r: Reporter): boolean {
  const spec = obj(res.spec)
  if (spec.stagedAction !== 'Delete') return false
  if (!onlyTierSet(spec)) {
    r.report(field, formatValue(spec, t.struct(() => specStruct)), 'Spec fields, except Tier, should all be zero-value if stagedAction is Delete')
  }
  return true
}

registerStructCheck('v3.NetworkPolicy', (res, r) => {
  checkPolicyMeta(res, NETWORK_POLICY_NAME_RE, r)
  checkNetworkPolicySpec(obj(res.spec), r)
})

registerStructCheck('v3.StagedNetworkPolicy', (res, r) => {
  checkPolicyMeta(res, NETWORK_POLICY_NAME_RE, r)
  if (!checkStagedDelete(res, StagedNetworkPolicySpec, 'StagedNetworkPolicySpec', r)) {
    checkNetworkPolicySpec(obj(res.spec), r)
  }
})

registerStructCheck('v3.GlobalNetworkPolicy', (res, r) => {
  checkPolicyMeta(res, GLOBAL_NETWORK_POLICY_NAME_RE, r)
  checkGlobalNetworkPolicySpec(obj(res.spec), r)
})

registerStructCheck('v3.StagedGlobalNetworkPolicy', (res, r) => {
  checkPolicyMeta(res, GLOBAL_NETWORK_POLICY_NAME_RE, r)
  if (!checkStagedDelete(res, StagedGlobalNetworkPolicySpec, 'StagedGlobalNetworkPolicySpec', r)) {
    checkGlobalNetworkPolicySpec(obj(res.spec), r)
  }
})

/**
 * validateStagedKubernetesNetworkPolicy. Outside Delete, Calico converts the policy to a Calico
 * NetworkPolicy and validates that; the conversion de-duplicates types and creates no services or
 * HTTP clauses, so nothing in validateNetworkPolicySpec can fire for it.
 */
registerStructCheck('v3.StagedKubernetesNetworkPolicy', (res, r) => {
  checkPolicyMeta(res, undefined, r)
  const spec = obj(res.spec)
  if (spec.stagedAction === 'Delete') {
    const podSelector = obj(spec.podSelector)
    const otherFields = Object.keys(spec).filter((key) => key !== 'stagedAction' && key !== 'podSelector')
    if (otherFields.length > 0 || Object.keys(podSelector).length > 0) {
      r.report(
        'StagedKubernetesNetworkPolicySpec',
        formatValue(spec, t.struct(() => StagedKubernetesNetworkPolicySpec)),
        'Spec fields should all be zero-value if stagedAction is Delete',
      )
    }
  }
})

registerStructCheck('v3.Tier', (res, r) => {
  const {name, meta} = metaOf(res)
  checkNameLength(r, name, DNS1123_LABEL_MAX_LENGTH)
  if (!TIER_NAME_RE.test(name)) {
    r.report('Metadata.Name', name, `name must consist of lower case alphanumeric characters or '-' (regex: ${NAME_LABEL_FMT})`)
  }
  const required = Object.prototype.hasOwnProperty.call(RESERVED_TIER_ORDERS, name) ? RESERVED_TIER_ORDERS[name] : undefined
  const order = obj(res.spec).order
  if (required !== undefined && order !== required) {
    r.report('TierSpec.Order', formatValue(order, t.ptr(t.float())), `${name} tier order must be ${formatFloatG(required)}`)
  }
  checkAnnotations(r, meta.annotations)
  checkLabels(r, meta.labels)
})

function checkNamespaceLabel(res: JSONObject, r: Reporter): void {
  const labels = obj(metaOf(res).meta.labels)
  if (Object.prototype.hasOwnProperty.call(labels, 'projectcalico.org/namespace')) {
    r.report('Metadata.Labels (label)', 'projectcalico.org/namespace', 'projectcalico.org/namespace is not a valid label name')
  }
}

registerStructCheck('v3.NetworkSet', checkNamespaceLabel)
registerStructCheck('v3.GlobalNetworkSet', checkNamespaceLabel)

