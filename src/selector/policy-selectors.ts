// Policy-level selector rewriting: the selector text Calico hands Felix for a policy or a rule, built
// exactly as libcalico-go's syncersv1/updateprocessors (networkpolicyprocessor.go,
// globalnetworkpolicyprocessor.go, rules.go, selectors.go) build it in v3.32. The output strings
// match Go's byte for byte (including its mix of quote styles and its purely textual rewrite of
// `all()` and `global()`), because the calc graph derives ipset ids from them.
import {renameLabels} from './ast.js'
import {SelectorParseError} from './errors.js'
import {parseToAst} from './parser.js'
import {printSelector} from './print.js'

/** Label Calico puts on namespaced endpoints and network sets: the namespace name. */
export const LABEL_NAMESPACE = 'projectcalico.org/namespace'
/** Label naming the orchestrator of a workload endpoint (k8s, cni, libnetwork, openstack). */
export const LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator'
/** Label Calico puts on workload endpoints: the pod's service-account name. */
export const LABEL_SERVICE_ACCOUNT = 'projectcalico.org/serviceaccount'
/** Prefix of namespace labels copied onto endpoints (conversion.NamespaceLabelPrefix). */
export const NAMESPACE_LABEL_PREFIX = 'pcns.'
/** Prefix of service-account labels copied onto endpoints (conversion.ServiceAccountLabelPrefix). */
export const SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.'
/** conversion.NameLabel: carries the namespace or service-account name among the prefixed labels. */
export const NAME_LABEL = 'projectcalico.org/name'
/** The namespace's name as an endpoint label. */
export const NAMESPACE_NAME_LABEL = `${NAMESPACE_LABEL_PREFIX}${NAME_LABEL}`
/** The service account's name as an endpoint label. */
export const SERVICE_ACCOUNT_NAME_LABEL = `${SERVICE_ACCOUNT_LABEL_PREFIX}${NAME_LABEL}`

const HAS_NAMESPACE = `has(${LABEL_NAMESPACE})`
const HAS_NO_NAMESPACE = `!has(${LABEL_NAMESPACE})`
const HAS_SERVICE_ACCOUNT = `has(${LABEL_SERVICE_ACCOUNT})`

/**
 * Canonical text of `text` with `prefix` put before every label name (parseSelectorAttachPrefix).
 * Like Go, a selector that does not parse gives '' (Go logs it); validation normally stops such
 * selectors long before this point.
 */
export function prefixSelectorLabels(text: string, prefix: string): string {
  try {
    return printSelector(renameLabels(parseToAst(text), (label) => prefix + label))
  } catch (err) {
    if (err instanceof SelectorParseError) return ''
    throw err
  }
}

/** prefixAndAppendSelector: `(<current>) && <prefixed added>`, dropping empty parts. */
function appendPrefixed(current: string, added: string, prefix: string): string {
  if (added === '') return current
  const prefixed = prefixSelectorLabels(added, prefix)
  if (prefixed === '') return current
  return current === '' ? prefixed : `(${current}) && ${prefixed}`
}

/** Go's strings.Replace(s, old, new, -1): a textual rewrite, also inside quoted values. */
function replaceAllText(text: string, search: string, replacement: string): string {
  return text.split(search).join(replacement)
}

export interface NetworkPolicySelectorFields {
  readonly selector?: string
  readonly serviceAccountSelector?: string
}

/**
 * Effective endpoint selector of a (Staged)NetworkPolicy in `namespace`
 * (ConvertNetworkPolicyV3ToV1Value): `(<selector>) && projectcalico.org/namespace == '<ns>'`, then
 * `(<that>) && <pcsa.-prefixed serviceAccountSelector>`. The policy's own selector is used as
 * written, not normalised; `all()` in the service-account selector stays `all()`.
 */
export function networkPolicySelector(spec: NetworkPolicySelectorFields, namespace: string): string {
  let selector = spec.selector ?? ''
  if (namespace !== '') {
    const inNamespace = `${LABEL_NAMESPACE} == '${namespace}'`
    selector = selector === '' ? inNamespace : `(${selector}) && ${inNamespace}`
  }
  return appendPrefixed(selector, spec.serviceAccountSelector ?? '', SERVICE_ACCOUNT_LABEL_PREFIX)
}

export interface GlobalNetworkPolicySelectorFields {
  readonly selector?: string
  readonly namespaceSelector?: string
  readonly serviceAccountSelector?: string
}

/**
 * Effective endpoint selector of a (Staged)GlobalNetworkPolicy (ConvertGlobalNetworkPolicyV3ToV1Value).
 * A namespaceSelector is `pcns.`-prefixed and ANDed in, then every `all()` in the text so far
 * becomes `has(projectcalico.org/namespace)`; a serviceAccountSelector likewise with `pcsa.` and
 * `has(projectcalico.org/serviceaccount)`. The rewrite is textual over the whole string, as in Go,
 * so it reaches `all()` in the policy's own selector too.
 */
export function globalNetworkPolicySelector(spec: GlobalNetworkPolicySelectorFields): string {
  let selector = spec.selector ?? ''
  const namespaceSelector = spec.namespaceSelector ?? ''
  if (namespaceSelector !== '') {
    selector = appendPrefixed(selector, namespaceSelector, NAMESPACE_LABEL_PREFIX)
    selector = replaceAllText(selector, 'all()', HAS_NAMESPACE)
  }
  const serviceAccountSelector = spec.serviceAccountSelector ?? ''
  if (serviceAccountSelector !== '') {
    selector = appendPrefixed(selector, serviceAccountSelector, SERVICE_ACCOUNT_LABEL_PREFIX)
    selector = replaceAllText(selector, 'all()', HAS_SERVICE_ACCOUNT)
  }
  return selector
}

export interface ServiceAccountMatchFields {
  readonly names?: readonly string[]
  readonly selector?: string
}

/**
 * Selector for an EntityRule's serviceAccounts (parseServiceAccounts): the `pcsa.`-prefixed
 * selector, ANDed with `projectcalico.org/serviceaccount in {<names>}` when names are given.
 * Go builds the names clause as text and parses it, so a name containing `'` makes the whole
 * result '' (Go logs an error); we do the same.
 */
export function serviceAccountMatchSelector(match: ServiceAccountMatchFields): string {
  const prefixed = match.selector ? prefixSelectorLabels(match.selector, SERVICE_ACCOUNT_LABEL_PREFIX) : ''
  const names = match.names ?? []
  if (names.length === 0) return prefixed
  let namesClause: string
  try {
    namesClause = printSelector(parseToAst(`${LABEL_SERVICE_ACCOUNT} in { '${names.join("', '")}' }`))
  } catch (err) {
    if (err instanceof SelectorParseError) return ''
    throw err
  }
  return prefixed === '' ? namesClause : `(${prefixed}) && (${namesClause})`
}

export interface EntityRuleSelectorFields {
  readonly selector?: string
  readonly notSelector?: string
  readonly namespaceSelector?: string
  readonly serviceAccounts?: ServiceAccountMatchFields
}

/**
 * Positive endpoint selector of a rule's source or destination (GetEntityRuleSelector), for a rule
 * in a policy in `namespace` ('' for global policies and profiles). '' means "no selector
 * constraint". The rule's notSelector is not folded in (Calico passes it on unchanged) but, like a
 * selector, namespaceSelector or non-empty serviceAccounts, it triggers the namespace restriction:
 * - namespaceSelector: `pcns.`-prefixed, then `all()` -> `has(projectcalico.org/namespace)` and
 *   `global()` -> `!has(projectcalico.org/namespace)` (textual, as in Go);
 * - otherwise, in a namespaced policy: `projectcalico.org/namespace == '<ns>'`.
 * Endpoint and service-account selectors combine as `(<sa>) && (<selector>)`, and the namespace part
 * goes in front: `(<ns part>) && (<rest>)`.
 */
export function entityRuleSelector(rule: EntityRuleSelectorFields, namespace: string): string {
  const namespaceSelector = rule.namespaceSelector ?? ''
  const notSelector = rule.notSelector ?? ''
  const serviceAccountSelector = rule.serviceAccounts ? serviceAccountMatchSelector(rule.serviceAccounts) : ''

  let namespacePart = ''
  if (namespaceSelector !== '') {
    namespacePart = prefixSelectorLabels(namespaceSelector, NAMESPACE_LABEL_PREFIX)
    namespacePart = replaceAllText(namespacePart, 'all()', HAS_NAMESPACE)
    namespacePart = replaceAllText(namespacePart, 'global()', HAS_NO_NAMESPACE)
  } else if (namespace !== '') {
    namespacePart = `${LABEL_NAMESPACE} == '${namespace}'`
  }

  const parts = [serviceAccountSelector, rule.selector ?? ''].filter((part) => part !== '')
  let selector = parts.length === 2 ? `(${parts[0]}) && (${parts[1]})` : (parts[0] ?? '')

  if (namespacePart !== '' && (selector !== '' || notSelector !== '' || namespaceSelector !== '')) {
    selector = selector === '' ? namespacePart : `(${namespacePart}) && (${selector})`
  }
  return selector
}
