// Policy rules: actions, protocols, ports, ICMP, nets, selectors, HTTP and services
// (validateRule, validateEntityRule, validatePort, validateProtocol, validateICMPFields,
// validateHTTPRule and the field tags of Rule/EntityRule).
import {doc, many, one, runCases, tag, type Case} from './helpers.js'

type Rule = Record<string, unknown>
const gnpIn = (...ingress: Rule[]): Record<string, unknown> => doc('GlobalNetworkPolicy', {ingress})
const gnpOut = (...egress: Rule[]): Record<string, unknown> => doc('GlobalNetworkPolicy', {egress})
const npOut = (...egress: Rule[]): Record<string, unknown> => doc('NetworkPolicy', {egress})

const PORTS_MSG = 'rules that specify ports must set protocol to TCP or UDP or SCTP'
const NUMERIC_PORTS_MSG = 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP'
const PORT_RANGE_MSG = 'port range invalid, port number must be between 1 and 65535'
const P = '0xc000010000'
const svc = {name: 'kubernetes', namespace: 'default'}

const cases: Case[] = [
  // Actions and IP versions.
  {name: 'all four actions', doc: gnpIn({action: 'Allow'}, {action: 'Deny'}, {action: 'Log'}, {action: 'Pass'}), want: 'valid'},
  {name: 'action is case-sensitive', doc: gnpIn({action: 'allow'}), want: one('Action', 'allow', tag('Action', 'action'))},
  {name: 'missing action', doc: gnpIn({protocol: 'TCP'}), want: one('Action', '', tag('Action', 'action'))},
  {name: 'ipVersion 5', doc: gnpIn({action: 'Allow', ipVersion: 5}), want: one('IPVersion', '5', tag('IPVersion', 'ipVersion'))},
  {name: 'ipVersion 0 (a set pointer is checked)', doc: gnpIn({action: 'Allow', ipVersion: 0}), want: one('IPVersion', '0', tag('IPVersion', 'ipVersion'))},

  // Protocols.
  {name: 'every protocol name', doc: gnpIn(...['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'].map((p) => ({action: 'Allow', protocol: p}))), want: 'valid'},
  {name: 'protocol names are case-sensitive', doc: gnpIn({action: 'Allow', protocol: 'tcp'}), want: one('Protocol', 'tcp', 'protocol name invalid')},
  {name: 'unknown protocol name', doc: gnpIn({action: 'Allow', protocol: 'GRE'}), want: one('Protocol', 'GRE', 'protocol name invalid')},
  {name: 'protocol number 0', doc: gnpIn({action: 'Allow', protocol: 0}), want: one('Protocol', '0', 'protocol number invalid')},
  {name: 'protocol "0" becomes number 0', doc: gnpIn({action: 'Allow', notProtocol: '0'}), want: one('Protocol', '0', 'protocol number invalid')},
  {name: 'protocol number 255', doc: gnpIn({action: 'Allow', protocol: 255}), want: 'valid'},
  {name: 'protocol "300" stays a (bad) name', doc: gnpIn({action: 'Allow', protocol: '300'}), want: one('Protocol', '300', 'protocol name invalid')},

  // Ports.
  {name: 'numeric ports with TCP', doc: gnpIn({action: 'Allow', protocol: 'TCP', destination: {ports: [80, '8080:8090', 'http']}}), want: 'valid'},
  {name: 'numeric ports with protocol "6"', doc: gnpIn({action: 'Allow', protocol: '6', source: {notPorts: [1024]}}), want: 'valid'},
  {name: 'ports with SCTP', doc: gnpIn({action: 'Allow', protocol: 'SCTP', destination: {ports: [9000]}}), want: 'valid'},
  {
    name: 'numeric port without a protocol',
    doc: gnpIn({action: 'Allow', destination: {ports: [80]}}),
    want: one('Destination.Ports', '[80]', NUMERIC_PORTS_MSG),
  },
  {name: 'named ports need no protocol', doc: gnpIn({action: 'Allow', destination: {ports: ['http', 'metrics']}}), want: 'valid'},
  {
    name: 'mixed named and numeric ports without a protocol',
    doc: gnpIn({action: 'Allow', source: {ports: ['http', '1:2']}}),
    want: one('Source.Ports', '[http 1:2]', NUMERIC_PORTS_MSG),
  },
  {
    name: 'ports with ICMP, in every position',
    doc: gnpIn({action: 'Allow', protocol: 'ICMP', source: {ports: [1], notPorts: ['x']}, destination: {ports: [2], notPorts: [3]}}),
    want: many(
      ['Source.Ports', '[1]', PORTS_MSG],
      ['Source.NotPorts', '[x]', PORTS_MSG],
      ['Destination.Ports', '[2]', PORTS_MSG],
      ['Destination.NotPorts', '[3]', PORTS_MSG],
    ),
  },
  {name: 'port 0', doc: gnpIn({action: 'Allow', protocol: 'TCP', destination: {ports: [0]}}), want: one('Port', '0', PORT_RANGE_MSG)},
  {name: 'port range from 0', doc: gnpIn({action: 'Allow', protocol: 'UDP', destination: {ports: ['0:10']}}), want: one('Port', '0', PORT_RANGE_MSG)},
  {
    name: 'named port must be a valid IANA name',
    doc: gnpIn({action: 'Allow', destination: {ports: ['HTTP']}}),
    want: one('PortName', 'HTTP', tag('PortName', 'portName')),
  },

  // ICMP.
  {name: 'ICMP type and code', doc: gnpIn({action: 'Allow', protocol: 'ICMP', icmp: {type: 8, code: 0}}), want: 'valid'},
  {
    name: 'ICMP fields need protocol ICMP',
    doc: gnpIn({action: 'Allow', protocol: 'TCP', icmp: {type: 8}}),
    want: one('ICMP', `&{${P} <nil>}`, 'rules that specify ICMP fields must set protocol to ICMP'),
  },
  {
    name: 'ICMP fields with no protocol',
    doc: gnpIn({action: 'Allow', icmp: {type: 8, code: 1}}),
    want: one('ICMP', `&{${P} ${P}}`, 'rules that specify ICMP fields must set protocol to ICMP'),
  },
  {
    name: 'ICMP code without a type',
    doc: gnpIn({action: 'Allow', protocol: 'ICMP', icmp: {code: 0}}),
    want: one('Code', P, 'ICMP code specified without an ICMP type'),
  },
  {name: 'ICMP type 255', doc: gnpIn({action: 'Allow', protocol: 'ICMP', icmp: {type: 255}}), want: one('Type', '255', tag('Type', 'lte'))},
  {name: 'ICMP code 256', doc: gnpIn({action: 'Allow', protocol: 'ICMPv6', notICMP: {type: 1, code: 256}}), want: one('Code', '256', tag('Code', 'lte'))},
  {
    name: 'protocol ICMP with ipVersion 6',
    doc: gnpIn({action: 'Allow', protocol: 'ICMP', ipVersion: 6}),
    want: one('IPVersion', '<nil>', "must set ipversion to '4' with protocol icmp"),
  },
  {
    name: 'notProtocol ICMPv6 with ipVersion 4',
    doc: gnpIn({action: 'Allow', notProtocol: 'ICMPv6', ipVersion: 4}),
    want: one('IPVersion', '<nil>', "must set ipversion to '6' with protocol icmpv6"),
  },
  {name: 'protocol 1 is not compared with the ICMP name', doc: gnpIn({action: 'Allow', protocol: 1, ipVersion: 6}), want: 'valid'},

  // Nets.
  {name: 'v4 nets and notNets', doc: gnpIn({action: 'Allow', ipVersion: 4, source: {nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16']}}), want: 'valid'},
  {name: 'a bare IP is not a CIDR in a rule', doc: gnpIn({action: 'Allow', source: {nets: ['10.0.0.1']}}), want: one('Source.Nets', '10.0.0.1', 'invalid CIDR')},
  {name: 'unmasked net', doc: gnpIn({action: 'Allow', destination: {nets: ['10.0.0.1/8']}}), want: one('Nets[0]', '10.0.0.1/8', tag('Nets[0]', 'net'))},
  {
    name: 'garbage net',
    doc: gnpIn({action: 'Allow', source: {nets: ['10.0.0.0/8', 'nonsense']}}),
    want: many(['Nets[1]', 'nonsense', tag('Nets[1]', 'net')], ['Source.Nets', 'nonsense', 'invalid CIDR']),
  },
  {
    name: 'catch-all v4 in notNets',
    doc: gnpIn({action: 'Allow', source: {notNets: ['0.0.0.0/0']}}),
    want: one('Source.NotNets', '0.0.0.0/0', 'catch-all CIDR in negation creates logical contradiction (matches no traffic)'),
  },
  {
    name: 'catch-all v6 in notNets, any spelling',
    doc: gnpIn({action: 'Allow', destination: {notNets: ['::0/0']}}),
    want: one('Destination.NotNets', '::0/0', 'catch-all CIDR in negation creates logical contradiction (matches no traffic)'),
  },
  {name: 'catch-all in nets is fine', doc: gnpIn({action: 'Allow', source: {nets: ['0.0.0.0/0']}}), want: 'valid'},
  {
    name: 'ipVersion 4 with v6 nets (Calico shows the source nets)',
    doc: gnpIn({action: 'Allow', ipVersion: 4, destination: {nets: ['fd00::/64']}}),
    want: one('Destination.Nets', '[]', "rule IP version doesn't match CIDR version"),
  },
  {
    name: 'v4 source with v6 destination',
    doc: gnpIn({action: 'Allow', source: {nets: ['10.0.0.0/8']}, destination: {nets: ['fd00::/64']}}),
    want: one('Destination.Nets', '[fd00::/64]', 'rule contains both IPv4 and IPv6 CIDRs'),
  },
  {
    name: 'v4 and v6 in one field',
    doc: gnpIn({action: 'Allow', source: {notNets: ['10.0.0.0/8', 'fd00::/64']}}),
    want: one('Source.NotNets', '[10.0.0.0/8 fd00::/64]', 'rule contains both IPv4 and IPv6 CIDRs'),
  },

  // Selectors.
  {name: 'entity selectors', doc: gnpIn({action: 'Allow', source: {selector: "app == 'a'", notSelector: 'has(b)', namespaceSelector: 'global()'}}), want: 'valid'},
  {name: 'unparsable selector', doc: gnpIn({action: 'Allow', source: {selector: 'app =='}}), want: one('Selector', 'app ==', tag('Selector', 'selector'))},
  {
    name: 'global() outside namespaceSelector',
    doc: gnpIn({action: 'Allow', destination: {selector: 'global()'}}),
    want: one('Selector field', 'global()', 'global() can only be used in an EntityRule namespaceSelector'),
  },
  {
    name: 'global() combined with another selector',
    doc: gnpIn({action: 'Allow', source: {namespaceSelector: "global() || team == 'a'"}}),
    want: one('NamespaceSelector field', "global() || team == 'a'", 'global() cannot be combined with other selectors'),
  },
  {name: 'global() with spaces alone', doc: gnpIn({action: 'Allow', source: {namespaceSelector: ' global() '}}), want: 'valid'},
  {
    name: 'bad service-account selector',
    doc: gnpIn({action: 'Allow', source: {serviceAccounts: {names: ['a'], selector: 'x =='}}}),
    want: one('Selector', 'x ==', tag('Selector', 'selector')),
  },

  // HTTP.
  {name: 'HTTP on an ingress Allow rule', doc: gnpIn({action: 'Allow', protocol: 'TCP', http: {methods: ['GET'], paths: [{prefix: '/a'}]}}), want: 'valid'},
  {name: 'HTTP on a Deny rule', doc: gnpIn({action: 'Deny', http: {methods: ['GET']}}), want: one('HTTP', '&{[GET] []}', 'only valid for Allow rules')},
  {
    name: 'HTTP with UDP',
    doc: gnpIn({action: 'Allow', protocol: 'UDP', http: {methods: ['GET']}}),
    want: one('Protocol', 'UDP', 'rules that specify HTTP fields must set protocol to TCP or empty'),
  },
  {
    name: 'HTTP with protocol 6 (not the name TCP)',
    doc: gnpIn({action: 'Allow', protocol: 6, http: {paths: [{exact: '/'}]}}),
    want: one('Protocol', '6', 'rules that specify HTTP fields must set protocol to TCP or empty'),
  },
  {
    name: 'duplicate HTTP methods',
    doc: gnpIn({action: 'Allow', http: {methods: ['GET', 'GET']}}),
    want: one('Methods', '[GET GET]', 'Invalid methods (duplicates): [GET GET]'),
  },
  {
    name: 'HTTP path not starting with /',
    doc: gnpIn({action: 'Allow', http: {paths: [{exact: 'api'}]}}),
    want: one('Paths', '[{api }]', 'Invalid path api. (must start with `/` and not contain `?` or `#`'),
  },
  {
    name: 'HTTP path with a query',
    doc: gnpIn({action: 'Allow', http: {paths: [{prefix: '/a?b'}]}}),
    want: one('Paths', '[{ /a?b}]', 'Invalid path /a?b. (must start with `/` and not contain `?` or `#`'),
  },
  {
    name: 'HTTP path with exact and prefix',
    doc: gnpIn({action: 'Allow', http: {paths: [{exact: '/a', prefix: '/b'}]}}),
    want: one('Paths', '[{/a /b}]', "Invalid path match. Both 'exact' and 'prefix' are set"),
  },
  {
    name: 'HTTP path with neither',
    doc: gnpIn({action: 'Allow', http: {paths: [{}]}}),
    want: one('Paths', '[{ }]', "Invalid path match. Either 'exact' or 'prefix' must be set"),
  },
  {name: 'HTTP in a GNP egress rule', doc: gnpOut({action: 'Allow', http: {methods: ['GET']}}), want: one('HTTP', '&{[GET] []}', 'not allowed in egress rules')},
  {name: 'HTTP in an NP egress rule', doc: npOut({action: 'Allow', http: {methods: ['GET']}}), want: one('HTTP', '&{[GET] []}', 'not allowed in egress rule')},

  // Services.
  {name: 'egress to a service', doc: gnpOut({action: 'Allow', protocol: 'TCP', destination: {services: svc}}), want: 'valid'},
  {name: 'ingress from a service', doc: gnpIn({action: 'Allow', source: {services: svc}}), want: 'valid'},
  {
    name: 'service with destination ports',
    doc: gnpOut({action: 'Allow', protocol: 'TCP', destination: {services: svc, ports: [443]}}),
    want: one('Destination.Ports', '[443]', 'cannot specify ports with a service selector'),
  },
  {
    name: 'service with destination notPorts',
    doc: gnpOut({action: 'Allow', protocol: 'TCP', destination: {services: svc, notPorts: [443]}}),
    want: one('Destination.NotPorts', '[443]', 'cannot specify notports with a service selector'),
  },
  {
    name: 'service with a selector',
    doc: gnpOut({action: 'Allow', destination: {services: svc, selector: "a == 'b'"}}),
    want: one('Services field', '&{kubernetes default}', 'cannot specify Selector/NotSelector and Services on the same rule'),
  },
  {
    name: 'service with nets',
    doc: gnpOut({action: 'Allow', destination: {services: svc, nets: ['10.0.0.0/8']}}),
    want: one('Services field', '&{kubernetes default}', 'cannot specify Nets/NotNets and Services on the same rule'),
  },
  {
    name: 'service with a namespaceSelector',
    doc: gnpOut({action: 'Allow', destination: {services: svc, namespaceSelector: 'all()'}}),
    want: one('Services field', '&{kubernetes default}', 'cannot specify NamespaceSelector and Services on the same rule'),
  },
  {
    name: 'service with service accounts',
    doc: gnpOut({action: 'Allow', destination: {services: svc, serviceAccounts: {names: ['x']}}}),
    want: one('Services field', '&{kubernetes default}', 'cannot specify ServiceAccounts and Services on the same rule'),
  },
  {
    name: 'service without a name',
    doc: gnpOut({action: 'Allow', destination: {services: {namespace: 'default'}}}),
    want: one('Services field', '&{ default}', 'must specify a service name'),
  },
  {
    name: 'service with a bad name',
    doc: gnpOut({action: 'Allow', destination: {services: {name: 'Bad', namespace: 'default'}}}),
    want: one('Name', 'Bad', tag('Name', 'name')),
  },
  {
    name: 'GNP service needs a namespace',
    doc: gnpOut({action: 'Allow', destination: {services: {name: 'kubernetes'}}}),
    want: one('Namespace', '', 'must specify a namespace'),
  },
  {name: 'NP service namespace defaults', doc: npOut({action: 'Allow', destination: {services: {name: 'kubernetes'}}}), want: 'valid'},
  {
    name: 'service in an ingress destination',
    doc: gnpIn({action: 'Allow', destination: {services: svc}}),
    want: one('Services', '&{kubernetes default}', 'not allowed in ingress rule destination'),
  },
  {
    name: 'service in an egress source',
    doc: npOut({action: 'Allow', source: {services: svc}}),
    want: one('Services', '&{kubernetes default}', 'not allowed in egress rule source'),
  },

  // Rule metadata.
  {
    name: 'bad rule annotation key',
    doc: gnpIn({action: 'Allow', metadata: {annotations: {'bad key': 'x'}}}),
    want: one(
      'Metadata.Annotations (key)',
      'bad key',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ),
  },
]

runCases('rules', cases)
