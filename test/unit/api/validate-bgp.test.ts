// BGPPeer, BGPConfiguration and BGPFilter validation.
import {doc, fixture, many, one, runCases, tag, type Case} from './helpers.js'

const P = '0xc000010000'
const peer = (spec: Record<string, unknown>): Record<string, unknown> => doc('BGPPeer', spec)
const config = (spec: Record<string, unknown>): Record<string, unknown> => doc('BGPConfiguration', spec, {name: 'default'})
const filter = (spec: Record<string, unknown>): Record<string, unknown> => doc('BGPFilter', spec)
const v4 = (rule: Record<string, unknown>): Record<string, unknown> => filter({exportV4: [{action: 'Accept', ...rule}]})

const cases: Case[] = [
  // BGPPeer.
  {name: 'peer fixture', doc: fixture('bgppeer.yaml'), want: 'valid'},
  {name: 'global peer with IPv6 and port', doc: peer({peerIP: '[fd00::1]:1179', asNumber: 65001}), want: 'valid'},
  {name: 'peer selector without AS', doc: peer({peerSelector: "route-reflector == 'true'"}), want: 'valid'},
  {name: 'node and nodeSelector', doc: peer({node: 'n1', nodeSelector: 'all()'}), want: one('Node', 'n1', 'Node field must be empty when NodeSelector is specified')},
  {
    name: 'peerIP and peerSelector',
    doc: peer({peerIP: '10.0.0.1', peerSelector: 'all()'}),
    want: one('PeerIP', '10.0.0.1', 'PeerIP field must be empty when PeerSelector is specified'),
  },
  {
    name: 'asNumber with peerSelector',
    doc: peer({asNumber: 64512, peerSelector: 'all()'}),
    want: one('ASNumber', '64512', 'ASNumber field must be empty when PeerSelector is specified'),
  },
  {
    name: 'localWorkloadSelector needs an AS number',
    doc: peer({localWorkloadSelector: "app == 'bgp'"}),
    want: one('ASNumber', '0', 'ASNumber field must NOT be empty when LocalWorkloadSelector is specified'),
  },
  {name: 'localWorkloadSelector with AS', doc: peer({localWorkloadSelector: "app == 'bgp'", asNumber: 65010}), want: 'valid'},
  {
    name: 'localWorkloadSelector with peerIP',
    doc: peer({localWorkloadSelector: 'all()', asNumber: 65010, peerIP: '10.0.0.1'}),
    want: one('PeerIP', '10.0.0.1', 'PeerIP field must be empty when LocalWorkloadSelector is specified'),
  },
  {
    name: 'localWorkloadSelector with peerSelector',
    doc: peer({localWorkloadSelector: 'all()', peerSelector: 'all()'}),
    want: many(
      ['ASNumber', '0', 'ASNumber field must NOT be empty when LocalWorkloadSelector is specified'],
      ['PeerSelector', '', 'PeerSelector field must be empty when LocalWorkloadSelector is specified'],
    ),
  },
  {name: 'invalid peer IP', doc: peer({peerIP: '192.168.0.256', asNumber: 64513}), want: one('PeerIP', '192.168.0.256', tag('PeerIP', 'IP:port'))},
  {name: 'peer port 0', doc: peer({peerIP: '10.0.0.1:0'}), want: one('PeerIP', '10.0.0.1:0', tag('PeerIP', 'IP:port'))},
  {name: 'reachableBy', doc: peer({peerIP: '10.0.0.1', reachableBy: '10.0.0.254'}), want: 'valid'},
  {
    name: 'reachableBy without peerIP',
    doc: peer({reachableBy: '10.0.0.254'}),
    want: one('ReachableBy', '10.0.0.254', 'ReachablyBy field must be empty when PeerIP is empty'),
  },
  {
    name: 'reachableBy not an address',
    doc: peer({peerIP: '10.0.0.1', reachableBy: 'gw'}),
    want: many(['ReachableBy', 'gw', tag('ReachableBy', 'reachableBy')], ['ReachableBy', 'gw', 'ReachableBy is invalid address']),
  },
  {
    name: 'reachableBy family mismatch',
    doc: peer({peerIP: '10.0.0.1:179', reachableBy: 'fd00::1'}),
    want: one('ReachableBy', 'fd00::1', 'ReachableBy and PeerIP address family mismatched'),
  },
  {
    name: 'keepOriginalNextHop with nextHopMode',
    doc: peer({peerIP: '10.0.0.1', keepOriginalNextHop: true, nextHopMode: 'Keep'}),
    want: one(
      'KeepOriginalNextHop',
      '10.0.0.1',
      'The KeepOriginalNextHop field is deprecated. It must not be set to true when NextHopMode is configured.',
    ),
  },
  {name: 'bad sourceAddress', doc: peer({sourceAddress: 'NodeIP'}), want: one('SourceAddress', 'NodeIP', tag('SourceAddress', 'sourceAddress'))},
  {name: 'bad filter name', doc: peer({filters: ['ok', 'Not_OK']}), want: one('Filters[1]', 'Not_OK', tag('Filters[1]', 'name'))},

  // BGPConfiguration.
  {name: 'config fixture', doc: fixture('bgpconfiguration.yaml'), want: 'valid'},
  {name: 'log level is case-sensitive', doc: config({logSeverityScreen: 'info'}), want: one('LogSeverityScreen', 'info', tag('LogSeverityScreen', 'logLevel'))},
  {
    name: 'community with a bad value',
    doc: config({communities: [{name: 'c1', value: 'abc'}], prefixAdvertisements: [{cidr: '10.0.0.0/8', communities: ['c1']}]}),
    want: one('Spec.Communities[].Value', 'abc', 'invalid community value or format used.'),
  },
  {
    name: 'standard community over 16 bits',
    doc: config({communities: [{name: 'c1', value: '70000:1'}], prefixAdvertisements: [{cidr: '10.0.0.0/8', communities: ['c1']}]}),
    want: one('Spec.Communities[].Value', '70000:1', 'invalid community value, expected 16 bit value'),
  },
  {
    name: 'communities not used',
    doc: config({communities: [{name: 'c1', value: '100:200'}]}),
    want: one('Spec.Communities[]', '[{c1 100:200}]', 'communities are defined but not used in Spec.PrefixAdvertisement[].'),
  },
  {
    name: 'community without a name',
    doc: config({communities: [{value: '100:200'}], prefixAdvertisements: [{cidr: '10.0.0.0/8', communities: ['100:200']}]}),
    want: one('Name', '', tag('Name', 'required')),
  },
  {
    name: 'prefix advertisement with a bad CIDR and no communities',
    doc: config({prefixAdvertisements: [{cidr: 'nope'}]}),
    want: many(
      ['CIDR', 'nope', tag('CIDR', 'net')],
      ['Communities', '[]', tag('Communities', 'required')],
      ['Spec.PrefixAdvertisement[].CIDR', 'nope', 'invalid CIDR value.'],
    ),
  },
  {
    name: 'prefix advertisement with an undefined community',
    doc: config({prefixAdvertisements: [{cidr: '10.0.0.0/8', communities: ['missing']}]}),
    want: one('Spec.PrefixAdvertisement[].Communities[]', 'missing', 'community used is invalid or not defined.'),
  },
  {
    name: 'large community literal over 32 bits',
    doc: config({prefixAdvertisements: [{cidr: '10.0.0.0/8', communities: ['1:2:4294967296']}]}),
    want: one('Spec.PrefixAdvertisement[].Communities[]', '1:2:4294967296', 'invalid community value, expected 32 bit value'),
  },
  {
    name: 'mesh password with the mesh disabled',
    doc: config({nodeToNodeMeshEnabled: false, nodeMeshPassword: {secretKeyRef: {name: 's', key: 'k'}}}),
    want: one(
      'Spec.NodeMeshPassword',
      `{ ${P} <nil> [] [] [] <nil> [] [] 0 ${P} <nil> <nil> []   <nil> <nil> <nil>}`,
      'spec.NodeMeshPassword cannot be set if spec.NodeToNodeMesh is disabled',
    ),
  },
  {
    name: 'mesh restart time with the mesh disabled',
    doc: config({nodeToNodeMeshEnabled: false, nodeMeshMaxRestartTime: '120s'}),
    want: one(
      'Spec.NodeMeshMaxRestartTime',
      `{ ${P} <nil> [] [] [] <nil> [] [] 0 <nil> 2m0s <nil> []   <nil> <nil> <nil>}`,
      'spec.NodeMeshMaxRestartTime cannot be set if spec.NodeToNodeMesh is disabled',
    ),
  },
  {name: 'wildcard ignored interface', doc: config({ignoredInterfaces: ['docker*', 'kube-ipvs0']}), want: 'valid'},
  {name: 'ignored interface "*"', doc: config({ignoredInterfaces: ['*']}), want: one('IgnoredInterfaces[0]', '*', tag('IgnoredInterfaces[0]', 'ignoredInterface'))},
  {
    name: 'IPv6 local workload peering address in the IPv4 field',
    doc: config({localWorkloadPeeringIPV4: 'fd00::1'}),
    want: one('LocalWorkloadPeeringIPV4', 'fd00::1', tag('LocalWorkloadPeeringIPV4', 'ipv4')),
  },
  {
    name: 'route priority 0',
    doc: config({ipv4NormalRoutePriority: 0}),
    want: one('IPv4NormalRoutePriority', '0', tag('IPv4NormalRoutePriority', 'gte')),
  },
  {
    name: 'unmasked service cluster IP range',
    doc: config({serviceClusterIPs: [{cidr: '10.96.0.1/12'}]}),
    want: one('CIDR', '10.96.0.1/12', tag('CIDR', 'net')),
  },

  // BGPFilter.
  {name: 'filter fixture', doc: fixture('bgpfilter.yaml'), want: 'valid'},
  {name: 'cidr without matchOperator', doc: v4({cidr: '10.0.0.0/8'}), want: one('CIDR', '10.0.0.0/8', 'MatchOperator cannot be empty when CIDR is not')},
  {name: 'matchOperator without cidr', doc: v4({matchOperator: 'In'}), want: one('MatchOperator', 'In', 'CIDR cannot be empty when MatchOperator is not')},
  {
    name: 'prefixLength without cidr',
    doc: v4({prefixLength: {min: 24}}),
    want: one('PrefixLength', `{${P} <nil>}`, 'CIDR cannot be empty when PrefixLength is not'),
  },
  {
    name: 'prefix length over 32',
    doc: v4({cidr: '10.0.0.0/8', matchOperator: 'In', prefixLength: {max: 33}}),
    want: one('Max', '33', tag('Max', 'bgpFilterPrefixLengthV4')),
  },
  {
    name: 'v6 prefix length 128 is fine',
    doc: filter({importV6: [{action: 'Reject', cidr: 'fd00::/64', matchOperator: 'Equal', prefixLength: {min: 64, max: 128}}]}),
    want: 'valid',
  },
  {name: 'IPv6 CIDR in a v4 rule', doc: v4({cidr: 'fd00::/64', matchOperator: 'In'}), want: one('CIDR', 'fd00::/64', tag('CIDR', 'netv4'))},
  {name: 'missing action', doc: filter({importV4: [{interface: 'eth0'}]}), want: one('Action', '', tag('Action', 'required'))},
  {name: 'unknown action', doc: filter({importV4: [{action: 'Allow'}]}), want: one('Action', 'Allow', tag('Action', 'filterAction'))},
  {name: 'bad match operator', doc: v4({cidr: '10.0.0.0/8', matchOperator: 'Contains'}), want: one('MatchOperator', 'Contains', tag('MatchOperator', 'matchOperator'))},
  {name: 'bad peer type', doc: v4({peerType: 'ebgp'}), want: one('PeerType', 'ebgp', tag('PeerType', 'oneof'))},
  {name: 'bad source', doc: v4({source: 'Peers'}), want: one('Source', 'Peers', tag('Source', 'oneof'))},
  {name: 'interface too long', doc: v4({interface: 'this-is-too-long0'}), want: one('Interface', 'this-is-too-long0', tag('Interface', 'bgpFilterInterface'))},
  {name: 'priority 0', doc: v4({priority: 0}), want: one('Priority', '0', tag('Priority', 'gte'))},
  {name: 'communities without values', doc: v4({communities: {}}), want: one('Values', '[]', tag('Values', 'required'))},
  {
    name: 'two operations in one entry',
    doc: v4({operations: [{addCommunity: {value: '65000:100'}, setPriority: {value: 10}}]}),
    want: one('BGPFilterOperation', `{${P} <nil> ${P}}`, 'exactly one operation must be set'),
  },
  {name: 'empty operation', doc: v4({operations: [{}]}), want: one('BGPFilterOperation', '{<nil> <nil> <nil>}', 'exactly one operation must be set')},
  {name: 'addCommunity without a value', doc: v4({operations: [{addCommunity: {}}]}), want: one('Value', '<nil>', tag('Value', 'required'))},
  {name: 'setPriority 0', doc: v4({operations: [{setPriority: {value: 0}}]}), want: one('Value', '0', tag('Value', 'gte'))},
]

runCases('bgp', cases)
