// Policy-level checks: names per kind, types, GNP preDNAT/doNotTrack/applyOnForward, global()
// placement, performance hints, staged actions, tiers and profiles.
import {doc, many, one, runCases, tag, type Case} from './helpers.js'

const SUBDOMAIN_RE = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'
const OBJECT_NAME_MSG = `name must consist of lower case alphanumeric characters, '-' or '.' (regex: ${SUBDOMAIN_RE})`
const POLICY_NAME_MSG = "name must consist of lower case alphanumeric characters or '-' (regex: [a-z0-9]([-a-z0-9]*[a-z0-9])?)"
const GLOBAL_ONLY_IN_NS = 'global() can only be used in an EntityRule namespaceSelector'
const EMPTY_ENTITY = '{[]   <nil> [] []  [] <nil>}'
const DENY_RULE = `{Deny <nil> <nil> <nil> <nil> <nil> ${EMPTY_ENTITY} ${EMPTY_ENTITY} <nil> <nil>}`

const gnp = (spec: Record<string, unknown>, meta?: Record<string, unknown>): Record<string, unknown> =>
  doc('GlobalNetworkPolicy', spec, meta)
const np = (spec: Record<string, unknown>, meta?: Record<string, unknown>): Record<string, unknown> => doc('NetworkPolicy', spec, meta)

const cases: Case[] = [
  // Names.
  {name: 'GNP name with one dot', doc: gnp({}, {name: 'security.allow-dns'}), want: 'valid'},
  {name: 'GNP name with two dots', doc: gnp({}, {name: 'a.b.c'}), want: one('Metadata.Name', 'a.b.c', POLICY_NAME_MSG)},
  {
    name: 'GNP upper-case name fails both name checks',
    doc: gnp({}, {name: 'Allow'}),
    want: many(['Metadata.Name', 'Allow', OBJECT_NAME_MSG], ['Metadata.Name', 'Allow', POLICY_NAME_MSG]),
  },
  {name: 'NP knp.default. name', doc: np({}, {name: 'knp.default.allow.all.the.things'}), want: 'valid'},
  {name: 'NP ossg.default. name', doc: np({}, {name: 'ossg.default.x'}), want: 'valid'},
  {name: 'NP name with two dots', doc: np({}, {name: 'one.two.three'}), want: one('Metadata.Name', 'one.two.three', POLICY_NAME_MSG)},
  {name: 'SNP knp.default. name', doc: doc('StagedNetworkPolicy', {}, {name: 'knp.default.x'}), want: 'valid'},
  {name: 'SGNP name with two dots', doc: doc('StagedGlobalNetworkPolicy', {}, {name: 'a.b.c'}), want: one('Metadata.Name', 'a.b.c', POLICY_NAME_MSG)},
  {
    name: 'policy labels are checked twice (ObjectMeta and policy)',
    doc: np({}, {labels: {'bad key': 'v'}}),
    want: many(
      [
        'Metadata.Labels (label)',
        'bad key',
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
      [
        'Metadata.Labels (label)',
        'bad key',
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ),
  },
  {name: 'bad tier name', doc: np({tier: 'Bad'}), want: one('Tier', 'Bad', tag('Tier', 'name'))},

  // Types.
  {name: 'both types', doc: gnp({types: ['Ingress', 'Egress']}), want: 'valid'},
  {name: 'lower-case type', doc: np({types: ['ingress']}), want: one('Types[0]', 'ingress', tag('Types[0]', 'policyType'))},
  {
    name: 'repeated type in an NP',
    doc: np({types: ['Ingress', 'Egress', 'Ingress']}),
    want: one('NetworkPolicySpec.Types', '[Ingress Egress Ingress]', "'Ingress' type specified more than once"),
  },
  {
    name: 'repeated type in a GNP',
    doc: gnp({types: ['Egress', 'Egress']}),
    want: one('GlobalNetworkPolicySpec.Types', '[Egress Egress]', "'Egress' type specified more than once"),
  },

  // Selectors.
  {name: 'bad policy selector', doc: np({selector: 'a in {'}), want: one('Selector', 'a in {', tag('Selector', 'selector'))},
  {name: 'global() as an NP selector', doc: np({selector: 'global()'}), want: one('NetworkPolicySpec.Selector', 'global()', GLOBAL_ONLY_IN_NS)},
  {
    name: 'global() in an NP serviceAccountSelector',
    doc: np({serviceAccountSelector: 'global()'}),
    want: one('NetworkPolicySpec.ServiceAccountSelector', 'global()', GLOBAL_ONLY_IN_NS),
  },
  {name: 'global() as a GNP selector', doc: gnp({selector: 'global()'}), want: one('GlobalNetworkPolicySpec.Selector', 'global()', GLOBAL_ONLY_IN_NS)},
  {
    name: 'global() in a GNP namespaceSelector (Calico shows the selector)',
    doc: gnp({selector: "app == 'x'", namespaceSelector: 'global()'}),
    want: one('GlobalNetworkPolicySpec.NamespaceSelector', "app == 'x'", GLOBAL_ONLY_IN_NS),
  },
  {
    name: 'global() in a GNP serviceAccountSelector',
    doc: gnp({serviceAccountSelector: 'global()'}),
    want: one('GlobalNetworkPolicySpec.ServiceAccountSelector', '', GLOBAL_ONLY_IN_NS),
  },

  // GNP flags.
  {name: 'doNotTrack with applyOnForward', doc: gnp({doNotTrack: true, applyOnForward: true, ingress: [{action: 'Allow'}]}), want: 'valid'},
  {
    name: 'preDNAT and doNotTrack',
    doc: gnp({preDNAT: true, doNotTrack: true, applyOnForward: true}),
    want: one('PolicySpec.PreDNAT', 'true', 'PreDNAT and DoNotTrack cannot both be true, for a given PolicySpec'),
  },
  {
    name: 'preDNAT with egress rules',
    doc: gnp({preDNAT: true, applyOnForward: true, egress: [{action: 'Deny'}]}),
    want: one('PolicySpec.Egress', `[${DENY_RULE}]`, 'PreDNAT PolicySpec cannot have any Egress rules'),
  },
  {
    name: 'preDNAT with the Egress type',
    doc: gnp({preDNAT: true, applyOnForward: true, types: ['Ingress', 'Egress']}),
    want: one('PolicySpec.Types', '[Ingress Egress]', "PreDNAT PolicySpec cannot have 'egress' Type"),
  },
  {
    name: 'doNotTrack without applyOnForward',
    doc: gnp({doNotTrack: true}),
    want: one('PolicySpec.ApplyOnForward', 'false', 'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec'),
  },
  {
    name: 'preDNAT without applyOnForward',
    doc: gnp({preDNAT: true}),
    want: one('PolicySpec.ApplyOnForward', 'false', 'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec'),
  },

  // Performance hints.
  {name: 'performance hint', doc: gnp({performanceHints: ['AssumeNeededOnEveryNode']}), want: 'valid'},
  {
    name: 'unknown performance hint',
    doc: np({performanceHints: ['Fast']}),
    want: one('PerformanceHints[0]', 'Fast', tag('PerformanceHints[0]', 'oneof')),
  },
  {
    name: 'repeated performance hint',
    doc: gnp({performanceHints: ['AssumeNeededOnEveryNode', 'AssumeNeededOnEveryNode']}),
    want: one('PerformanceHints', '[AssumeNeededOnEveryNode AssumeNeededOnEveryNode]', tag('PerformanceHints', 'unique')),
  },

  // Staged policies.
  {name: 'staged Set', doc: doc('StagedGlobalNetworkPolicy', {stagedAction: 'Set', selector: 'all()'}), want: 'valid'},
  {name: 'staged Learn and Ignore', doc: doc('StagedNetworkPolicy', {stagedAction: 'Learn'}), want: 'valid'},
  {
    name: 'unknown stagedAction',
    doc: doc('StagedNetworkPolicy', {stagedAction: 'Remove'}),
    want: one('StagedAction', 'Remove', tag('StagedAction', 'stagedAction')),
  },
  {name: 'staged Delete with only a tier', doc: doc('StagedNetworkPolicy', {stagedAction: 'Delete', tier: 'default'}), want: 'valid'},
  {
    name: 'staged Delete with a selector',
    doc: doc('StagedNetworkPolicy', {stagedAction: 'Delete', selector: "a == 'b'"}),
    want: one(
      'StagedNetworkPolicySpec',
      "{Delete  <nil> [] [] a == 'b' []  []}",
      'Spec fields, except Tier, should all be zero-value if stagedAction is Delete',
    ),
  },
  {
    name: 'staged global Delete with doNotTrack',
    doc: doc('StagedGlobalNetworkPolicy', {stagedAction: 'Delete', doNotTrack: true}),
    want: one(
      'StagedGlobalNetworkPolicySpec',
      '{Delete  <nil> [] []  [] true false false   []}',
      'Spec fields, except Tier, should all be zero-value if stagedAction is Delete',
    ),
  },
  {
    name: 'staged global policy gets the GNP checks',
    doc: doc('StagedGlobalNetworkPolicy', {doNotTrack: true}),
    want: one('PolicySpec.ApplyOnForward', 'false', 'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec'),
  },
  {
    name: 'staged policy gets the NP checks',
    doc: doc('StagedNetworkPolicy', {types: ['Ingress', 'Ingress']}),
    want: one('NetworkPolicySpec.Types', '[Ingress Ingress]', "'Ingress' type specified more than once"),
  },
  {name: 'staged Kubernetes policy Delete with nothing else', doc: doc('StagedKubernetesNetworkPolicy', {stagedAction: 'Delete'}), want: 'valid'},
  {
    name: 'staged Kubernetes policy Delete with a pod selector',
    doc: doc('StagedKubernetesNetworkPolicy', {stagedAction: 'Delete', podSelector: {matchLabels: {app: 'a'}}}),
    want: one('StagedKubernetesNetworkPolicySpec', '{Delete {map[app:a] []} [] [] []}', 'Spec fields should all be zero-value if stagedAction is Delete'),
  },
  {name: 'staged Kubernetes policy names may have dots', doc: doc('StagedKubernetesNetworkPolicy', {}, {name: 'a.b.c'}), want: 'valid'},

  // Tiers.
  {name: 'ordinary tier', doc: doc('Tier', {order: 100, defaultAction: 'Pass'}, {name: 'security'}), want: 'valid'},
  {name: 'tier without order', doc: doc('Tier', {}, {name: 'security'}), want: 'valid'},
  {
    name: 'tier name with a dot',
    doc: doc('Tier', {order: 1}, {name: 'a.b'}),
    want: one('Metadata.Name', 'a.b', POLICY_NAME_MSG),
  },
  {
    name: 'tier name longer than a label',
    doc: doc('Tier', {order: 1}, {name: 't'.repeat(64)}),
    want: one('Metadata.Name', 't'.repeat(64), 'name is too long by 1 bytes'),
  },
  {name: 'default tier at 1,000,000', doc: doc('Tier', {order: 1000000}, {name: 'default'}), want: 'valid'},
  {
    name: 'default tier without its order',
    doc: doc('Tier', {}, {name: 'default'}),
    want: one('TierSpec.Order', '<nil>', 'default tier order must be 1e+06'),
  },
  {
    name: 'default tier at the wrong order (Go prints the pointer)',
    doc: doc('Tier', {order: 5}, {name: 'default'}),
    want: one('TierSpec.Order', '0xc000010000', 'default tier order must be 1e+06'),
  },
  {name: 'kube-admin tier', doc: doc('Tier', {order: 1000, defaultAction: 'Pass'}, {name: 'kube-admin'}), want: 'valid'},
  {name: 'kube-admin tier order', doc: doc('Tier', {order: 10}, {name: 'kube-admin'}), want: one('TierSpec.Order', '0xc000010000', 'kube-admin tier order must be 1000')},
  {name: 'kube-baseline tier order', doc: doc('Tier', {}, {name: 'kube-baseline'}), want: one('TierSpec.Order', '<nil>', 'kube-baseline tier order must be 1e+07')},
  {name: 'tier defaultAction Log', doc: doc('Tier', {defaultAction: 'Log'}, {name: 'sec'}), want: one('DefaultAction', 'Log', tag('DefaultAction', 'oneof'))},

  // Profiles.
  {name: 'profile with rules and labels', doc: doc('Profile', {ingress: [{action: 'Allow'}], labelsToApply: {a: 'b'}}), want: 'valid'},
  {
    name: 'profile labelsToApply with a bad key',
    doc: doc('Profile', {labelsToApply: {'bad key': 'v'}}),
    want: one('LabelsToApply', 'map[bad key:v]', tag('LabelsToApply', 'labels')),
  },
  {
    name: 'profile rules are validated',
    doc: doc('Profile', {egress: [{action: 'Allow', destination: {ports: [22]}}]}),
    want: one('Destination.Ports', '[22]', 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP'),
  },
]

runCases('policies', cases)
