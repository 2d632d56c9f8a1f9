// Expected strings come from libcalico-go v3.32 updateprocessors tests (rules_test.go,
// networkpolicyprocessor_test.go, globalnetworkpolicyprocessor_test.go) and parser_test.go's
// PrefixVisitor table, plus cases worked out from the Go code for its quirks.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {
  type EntityRuleSelectorFields,
  type GlobalNetworkPolicySelectorFields,
  LABEL_NAMESPACE,
  LABEL_ORCHESTRATOR,
  LABEL_SERVICE_ACCOUNT,
  NAMESPACE_LABEL_PREFIX,
  NAMESPACE_NAME_LABEL,
  NAME_LABEL,
  type NetworkPolicySelectorFields,
  SERVICE_ACCOUNT_LABEL_PREFIX,
  SERVICE_ACCOUNT_NAME_LABEL,
  entityRuleSelector,
  globalNetworkPolicySelector,
  networkPolicySelector,
  parseSelector,
  prefixSelectorLabels,
  serviceAccountMatchSelector,
} from '../../../src/selector/index.js'

test('label constants', () => {
  assert.equal(LABEL_NAMESPACE, 'projectcalico.org/namespace')
  assert.equal(LABEL_ORCHESTRATOR, 'projectcalico.org/orchestrator')
  assert.equal(LABEL_SERVICE_ACCOUNT, 'projectcalico.org/serviceaccount')
  assert.equal(NAMESPACE_LABEL_PREFIX, 'pcns.')
  assert.equal(SERVICE_ACCOUNT_LABEL_PREFIX, 'pcsa.')
  assert.equal(NAME_LABEL, 'projectcalico.org/name')
  assert.equal(NAMESPACE_NAME_LABEL, 'pcns.projectcalico.org/name')
  assert.equal(SERVICE_ACCOUNT_NAME_LABEL, 'pcsa.projectcalico.org/name')
})

describe('prefixSelectorLabels (PrefixVisitor)', () => {
  const visitorTable: ReadonlyArray<readonly [string, string]> = [
    [`k == 'v'`, `visited/k == "v"`],
    [`k != 'v'`, `visited/k != "v"`],
    [`k contains 'v'`, `visited/k contains "v"`],
    [`k starts with 'v'`, `visited/k starts with "v"`],
    [`k ends with 'v'`, `visited/k ends with "v"`],
    [`k == 'v' && x == 'y'`, `(visited/k == "v" && visited/x == "y")`],
    [`k == 'v' || has(x)`, `(visited/k == "v" || has(visited/x))`],
    [`!(k == 'v')`, `!visited/k == "v"`],
    [`k in {'v'}`, `visited/k in {"v"}`],
    [`k not in {'v'}`, `visited/k not in {"v"}`],
    [
      `!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))`,
      `!(!((visited/k == "v" && has(visited/t)) || all()) && visited/a in {"b", "c"})`,
    ],
    [``, `all()`],
    [`global()`, `global()`],
  ]
  for (const [input, expected] of visitorTable) {
    test(JSON.stringify(input), () => assert.equal(prefixSelectorLabels(input, 'visited/'), expected))
  }

  test('an unparseable selector gives "" as in Go', () => {
    assert.equal(prefixSelectorLabels(`role 'development'`, 'pcsa.'), '')
  })
})

describe('networkPolicySelector', () => {
  const cases: ReadonlyArray<readonly [NetworkPolicySelectorFields, string, string]> = [
    [{selector: `mylabel == 'selectme'`}, 'namespace2', `(mylabel == 'selectme') && projectcalico.org/namespace == 'namespace2'`],
    [
      {selector: `mylabel == 'selectme'`, serviceAccountSelector: `role == 'development'`},
      'namespace2',
      `((mylabel == 'selectme') && projectcalico.org/namespace == 'namespace2') && pcsa.role == "development"`,
    ],
    [
      {selector: `mylabel == 'selectme'`, serviceAccountSelector: `role 'development'`},
      'namespace2',
      `(mylabel == 'selectme') && projectcalico.org/namespace == 'namespace2'`,
    ],
    [
      {selector: `mylabel == 'selectme'`, serviceAccountSelector: 'all()'},
      'namespace2',
      `((mylabel == 'selectme') && projectcalico.org/namespace == 'namespace2') && all()`,
    ],
    [{}, 'namespace1', `projectcalico.org/namespace == 'namespace1'`],
    [{selector: ''}, 'namespace1', `projectcalico.org/namespace == 'namespace1'`],
    [
      {selector: `projectcalico.org/orchestrator == 'k8s'`},
      'default',
      `(projectcalico.org/orchestrator == 'k8s') && projectcalico.org/namespace == 'default'`,
    ],
    [{serviceAccountSelector: `role == 'db'`}, 'ns', `(projectcalico.org/namespace == 'ns') && pcsa.role == "db"`],
  ]
  for (const [spec, ns, expected] of cases) {
    test(`${JSON.stringify(spec)} in ${ns}`, () => {
      const out = networkPolicySelector(spec, ns)
      assert.equal(out, expected)
      parseSelector(out)
    })
  }

  test('the namespace restriction is applied on evaluation', () => {
    const sel = parseSelector(networkPolicySelector({selector: `app == 'web'`}, 'prod'))
    assert.equal(sel.evaluate({app: 'web', [LABEL_NAMESPACE]: 'prod'}), true)
    assert.equal(sel.evaluate({app: 'web', [LABEL_NAMESPACE]: 'dev'}), false)
    assert.equal(sel.evaluate({app: 'web'}), false)
  })
})

describe('globalNetworkPolicySelector', () => {
  const sel = `mylabel == 'selectme'`
  const cases: ReadonlyArray<readonly [GlobalNetworkPolicySelectorFields, string]> = [
    [{selector: sel}, `mylabel == 'selectme'`],
    [{selector: sel, serviceAccountSelector: `role == 'development'`}, `(mylabel == 'selectme') && pcsa.role == "development"`],
    [{selector: sel, serviceAccountSelector: `role 'development'`}, `mylabel == 'selectme'`],
    [{selector: sel, serviceAccountSelector: 'all()'}, `(mylabel == 'selectme') && has(projectcalico.org/serviceaccount)`],
    [{selector: sel, namespaceSelector: `name == 'testing'`}, `(mylabel == 'selectme') && pcns.name == "testing"`],
    [{selector: sel, namespaceSelector: `name 'testing'`}, `mylabel == 'selectme'`],
    [{selector: sel, namespaceSelector: 'all()'}, `(mylabel == 'selectme') && has(projectcalico.org/namespace)`],
    [
      {selector: sel, serviceAccountSelector: `role == 'development'`, namespaceSelector: `name == 'testing'`},
      `((mylabel == 'selectme') && pcns.name == "testing") && pcsa.role == "development"`,
    ],
    [{selector: '', serviceAccountSelector: `role == 'development'`}, `pcsa.role == "development"`],
    [{selector: '', namespaceSelector: `name == 'testing'`}, `pcns.name == "testing"`],
    [
      {selector: '', serviceAccountSelector: `role == 'development'`, namespaceSelector: `name == 'testing'`},
      `(pcns.name == "testing") && pcsa.role == "development"`,
    ],
    [
      {selector: `projectcalico.org/orchestrator == 'k8s'`, namespaceSelector: 'all()'},
      `(projectcalico.org/orchestrator == 'k8s') && has(projectcalico.org/namespace)`,
    ],
    [{}, ''],
    // Go rewrites all() textually over the whole string, the policy's own selector included...
    [{selector: 'all()', namespaceSelector: 'all()'}, `(has(projectcalico.org/namespace)) && has(projectcalico.org/namespace)`],
    [
      {selector: 'all()', namespaceSelector: 'has(team)', serviceAccountSelector: 'all()'},
      `((has(projectcalico.org/namespace)) && has(pcns.team)) && has(projectcalico.org/serviceaccount)`,
    ],
    // ...and inside quoted values.
    [{selector: `a == "all()"`, namespaceSelector: 'has(x)'}, `(a == "has(projectcalico.org/namespace)") && has(pcns.x)`],
  ]
  for (const [spec, expected] of cases) {
    test(JSON.stringify(spec), () => assert.equal(globalNetworkPolicySelector(spec), expected))
  }
})

describe('serviceAccountMatchSelector', () => {
  test('names become a projectcalico.org/serviceaccount set, sorted and de-duplicated', () => {
    assert.equal(serviceAccountMatchSelector({names: ['sa2', 'sa1', 'sa1']}), `projectcalico.org/serviceaccount in {"sa1", "sa2"}`)
  })

  test('selector only: pcsa.-prefixed canonical text', () => {
    assert.equal(serviceAccountMatchSelector({selector: `role == 'db'`}), `pcsa.role == "db"`)
  })

  test('both: selector first, then names', () => {
    assert.equal(
      serviceAccountMatchSelector({names: ['sa1'], selector: `role == 'db'`}),
      `(pcsa.role == "db") && (projectcalico.org/serviceaccount in {"sa1"})`,
    )
  })

  test('empty match gives ""', () => {
    assert.equal(serviceAccountMatchSelector({}), '')
    assert.equal(serviceAccountMatchSelector({names: [], selector: ''}), '')
  })

  test(`a name containing ' breaks Go's generated selector, so the result is ""`, () => {
    assert.equal(serviceAccountMatchSelector({names: ["it's"], selector: 'has(a)'}), '')
  })

  test('a name containing " is quoted with single quotes', () => {
    assert.equal(serviceAccountMatchSelector({names: ['a"b']}), `projectcalico.org/serviceaccount in {'a"b'}`)
  })
})

describe('entityRuleSelector', () => {
  const cases: ReadonlyArray<readonly [string, EntityRuleSelectorFields, string, string]> = [
    [
      'selector in a namespaced policy (not parsed, as in Go)',
      {selector: 'mylabel = value1', notSelector: 'has(label1)'},
      'namespace2',
      `(projectcalico.org/namespace == 'namespace2') && (mylabel = value1)`,
    ],
    ['notSelector alone triggers the namespace restriction', {notSelector: 'has(label2)'}, 'namespace2', `projectcalico.org/namespace == 'namespace2'`],
    [
      'namespaceSelector replaces the own-namespace restriction',
      {namespaceSelector: `namespacelabel1 == 'value1'`, notSelector: 'has(label2)'},
      'namespace1',
      `pcns.namespacelabel1 == "value1"`,
    ],
    ['global policy selector passes through', {selector: 'has(foo)'}, '', 'has(foo)'],
    ['no selector fields', {}, '', ''],
    ['no selector fields in a namespaced policy (nets-only rule)', {}, 'ns1', ''],
    [
      'selector and namespaceSelector',
      {selector: `projectcalico.org/orchestrator == 'k8s'`, namespaceSelector: `key == 'value'`},
      'namespace',
      `(pcns.key == "value") && (projectcalico.org/orchestrator == 'k8s')`,
    ],
    [
      'complex namespaceSelector',
      {namespaceSelector: `!has(key) || (has(key) && !key in {'value'})`},
      'namespace',
      `(!has(pcns.key) || (has(pcns.key) && !pcns.key in {"value"}))`,
    ],
    [
      'serviceAccounts in a namespaced policy',
      {serviceAccounts: {names: ['sa1', 'sa2'], selector: `key == 'value1'`}},
      'namespace',
      `(projectcalico.org/namespace == 'namespace') && ((pcsa.key == "value1") && (projectcalico.org/serviceaccount in {"sa1", "sa2"}))`,
    ],
    [
      'serviceAccounts with a namespaceSelector',
      {namespaceSelector: `nskey == 'nsvalue'`, serviceAccounts: {names: ['sa3'], selector: `key == 'value2'`}},
      'namespace',
      `(pcns.nskey == "nsvalue") && ((pcsa.key == "value2") && (projectcalico.org/serviceaccount in {"sa3"}))`,
    ],
    [
      'serviceAccounts in a global policy',
      {serviceAccounts: {names: ['sa1', 'sa2'], selector: `key == 'value1'`}},
      '',
      `(pcsa.key == "value1") && (projectcalico.org/serviceaccount in {"sa1", "sa2"})`,
    ],
    ['empty serviceAccounts, global', {serviceAccounts: {}}, '', ''],
    ['empty serviceAccounts do not trigger the namespace restriction', {serviceAccounts: {}}, 'ns', ''],
    ['namespaceSelector all()', {namespaceSelector: 'all()'}, 'default', 'has(projectcalico.org/namespace)'],
    ['namespaceSelector global()', {namespaceSelector: 'global()'}, 'default', '!has(projectcalico.org/namespace)'],
    ['namespaceSelector global() in a global policy', {namespaceSelector: 'global()', selector: 'has(a)'}, '', '(!has(projectcalico.org/namespace)) && (has(a))'],
    [
      'namespaceSelector all() with a selector',
      {namespaceSelector: 'all()', selector: `projectcalico.org/orchestrator == 'k8s'`},
      'default',
      `(has(projectcalico.org/namespace)) && (projectcalico.org/orchestrator == 'k8s')`,
    ],
    [
      'serviceAccount selector and endpoint selector: SA part first',
      {selector: `app == 'web'`, serviceAccounts: {selector: `role == 'db'`}},
      '',
      `(pcsa.role == "db") && (app == 'web')`,
    ],
    [
      'serviceAccount selector only, namespaced',
      {serviceAccounts: {selector: `role == 'db'`}},
      'x',
      `(projectcalico.org/namespace == 'x') && (pcsa.role == "db")`,
    ],
    [
      "a service-account name with ' drops the SA part, as in Go",
      {selector: 'has(a)', serviceAccounts: {names: ["it's"]}},
      'x',
      `(projectcalico.org/namespace == 'x') && (has(a))`,
    ],
    [
      'an unparseable namespaceSelector loses the namespace restriction, as in Go',
      {namespaceSelector: 'a ==', selector: 'has(b)'},
      'x',
      'has(b)',
    ],
    ['namespace name set', {namespaceSelector: `projectcalico.org/name in {"b", "a"}`}, '', `pcns.projectcalico.org/name in {"a", "b"}`],
    ['notSelector alone in a global policy', {notSelector: 'has(a)'}, '', ''],
  ]
  for (const [name, rule, ns, expected] of cases) {
    test(name, () => assert.equal(entityRuleSelector(rule, ns), expected))
  }

  test('namespace semantics on evaluation', () => {
    const anyNamespace = parseSelector(entityRuleSelector({namespaceSelector: 'all()'}, 'x'))
    const noNamespace = parseSelector(entityRuleSelector({namespaceSelector: 'global()'}, 'x'))
    const hostEndpoint = {'host-label': 'x'}
    const pod = {[LABEL_NAMESPACE]: 'y', [NAMESPACE_NAME_LABEL]: 'y'}
    assert.equal(anyNamespace.evaluate(pod), true)
    assert.equal(anyNamespace.evaluate(hostEndpoint), false)
    assert.equal(noNamespace.evaluate(pod), false)
    assert.equal(noNamespace.evaluate(hostEndpoint), true)
  })
})
