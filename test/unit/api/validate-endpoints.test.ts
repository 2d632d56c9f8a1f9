// HostEndpoint, WorkloadEndpoint and Node validation.
import {doc, fixture, many, one, runCases, tag, type Case} from './helpers.js'

const hep = (spec: Record<string, unknown>): Record<string, unknown> => doc('HostEndpoint', spec)
const wep = (spec: Record<string, unknown>): Record<string, unknown> =>
  doc('WorkloadEndpoint', {interfaceName: 'cali1234', ...spec})
const node = (spec: Record<string, unknown>, status?: Record<string, unknown>): Record<string, unknown> => {
  const d = doc('Node', spec)
  if (status) d.status = status
  return d
}
const WG_KEY = 'xJ0Bq8jVnfyExBPTPMmWM/lWlWvQ4jNpl5JQ0Ad0o0I='

const cases: Case[] = [
  // HostEndpoint.
  {name: 'HEP fixture', doc: fixture('hostendpoint.yaml'), want: 'valid'},
  {name: 'HEP with expected IPs only', doc: hep({node: 'n1', expectedIPs: ['10.0.0.1', 'fd00::1']}), want: 'valid'},
  {name: 'HEP on all interfaces', doc: hep({node: 'n1', interfaceName: '*'}), want: 'valid'},
  {
    name: 'HEP with neither interface nor IPs',
    doc: hep({node: 'n1'}),
    want: one('InterfaceName', '', 'no interface or expected IPs have been specified'),
  },
  {name: 'HEP without a node', doc: hep({interfaceName: 'eth0'}), want: one('InterfaceName', '', 'no node has been specified')},
  {
    name: 'empty HEP',
    doc: hep({}),
    want: many(
      ['InterfaceName', '', 'no interface or expected IPs have been specified'],
      ['InterfaceName', '', 'no node has been specified'],
    ),
  },
  {
    name: 'HEP interface name too long',
    doc: hep({node: 'n1', interfaceName: 'wibblywobblyeth0'}),
    want: one('InterfaceName', 'wibblywobblyeth0', tag('InterfaceName', 'interface')),
  },
  {name: 'HEP bad node name', doc: hep({node: 'node 2', interfaceName: 'eth0'}), want: one('Node', 'node 2', tag('Node', 'name'))},
  {
    name: 'HEP bad expected IP',
    doc: hep({node: 'n1', expectedIPs: ['10.0.0.1', '10.0.0.300']}),
    want: one('ExpectedIPs[1]', '10.0.0.300', tag('ExpectedIPs[1]', 'ip')),
  },
  {name: 'HEP bad profile name', doc: hep({node: 'n1', interfaceName: 'eth0', profiles: ['Prof']}), want: one('Profiles[0]', 'Prof', tag('Profiles[0]', 'name'))},
  {
    name: 'HEP port with ICMP',
    doc: hep({node: 'n1', interfaceName: 'eth0', ports: [{name: 'ping', protocol: 'ICMP', port: 1}]}),
    want: one('EndpointPort.Protocol', 'ICMP', 'EndpointPort protocol does not support ports.'),
  },
  {
    name: 'HEP port without a name or number',
    doc: hep({node: 'n1', interfaceName: 'eth0', ports: [{protocol: 'UDP'}]}),
    want: many(['Name', '', tag('Name', 'portName')], ['Port', '0', tag('Port', 'gt')]),
  },
  {
    name: 'HEP port protocol missing',
    doc: hep({node: 'n1', interfaceName: 'eth0', ports: [{name: 'x', port: 5}]}),
    want: many(['Protocol', '0', 'protocol number invalid'], ['EndpointPort.Protocol', '0', 'EndpointPort protocol does not support ports.']),
  },

  // WorkloadEndpoint.
  {name: 'WEP fixture', doc: fixture('workloadendpoint.yaml'), want: 'valid'},
  {name: 'WEP without an interface', doc: doc('WorkloadEndpoint', {node: 'n1'}), want: one('InterfaceName', '', tag('InterfaceName', 'interface'))},
  {
    name: 'WEP network with several addresses',
    doc: wep({ipNetworks: ['10.0.0.0/24']}),
    want: one('IPNetworks', '[10.0.0.0/24]', 'IP network contains multiple addresses'),
  },
  {
    name: 'WEP unmasked network',
    doc: wep({ipNetworks: ['10.0.0.1/24']}),
    want: many(['IPNetworks[0]', '10.0.0.1/24', tag('IPNetworks[0]', 'net')], ['IPNetworks', '[10.0.0.1/24]', 'IP network contains multiple addresses']),
  },
  {name: 'WEP bare IP networks', doc: wep({ipNetworks: ['10.0.0.1', 'fd00::1']}), want: 'valid'},
  {
    name: 'WEP IPv6 address as IPv4 gateway',
    doc: wep({ipv4Gateway: 'fd00::1'}),
    want: many(['IPv4Gateway', 'fd00::1', tag('IPv4Gateway', 'ipv4')], ['IPv4Gateway', 'fd00::1', 'invalid IPv4 gateway address specified']),
  },
  {name: 'WEP bad MAC', doc: wep({mac: 'ee:ee:ee:ee:ee'}), want: one('MAC', 'ee:ee:ee:ee:ee', tag('MAC', 'mac'))},
  {name: 'WEP dotted MAC', doc: wep({mac: '0000.5e00.5301'}), want: 'valid'},
  {name: 'WEP bad container ID', doc: wep({containerID: '-abc'}), want: one('ContainerID', '-abc', tag('ContainerID', 'containerID'))},
  {name: 'WEP NAT inside its networks', doc: wep({ipNetworks: ['10.0.0.5/32'], ipNATs: [{internalIP: '10.0.0.5', externalIP: '172.16.0.5'}]}), want: 'valid'},
  {
    name: 'WEP NAT outside its networks',
    doc: wep({ipNetworks: ['10.0.0.5/32'], ipNATs: [{internalIP: '10.0.0.6', externalIP: '172.16.0.5'}]}),
    want: one('IPNATs', '[{10.0.0.6 172.16.0.5}]', 'NAT is not in the endpoint networks'),
  },
  {
    name: 'WEP NAT mixing versions',
    doc: wep({ipNetworks: ['10.0.0.5/32'], ipNATs: [{internalIP: '10.0.0.5', externalIP: 'fd00::5'}]}),
    want: one('ExternalIP', 'fd00::5', 'mismatched IP versions'),
  },
  {
    name: 'WEP port needs a name or a host port',
    doc: wep({ports: [{protocol: 'TCP', port: 80}]}),
    want: one('WorkloadEndpointPort.Name', '', 'WorkloadEndpointPort name must not be empty if no HostPort is specified'),
  },
  {name: 'WEP host port without a name', doc: wep({ports: [{protocol: 'TCP', port: 80, hostPort: 8080}]}), want: 'valid'},
  {
    name: 'WEP port with SCTP name-less and ICMP',
    doc: wep({ports: [{name: 'p', protocol: 'ICMP', port: 80}]}),
    want: one('WorkloadEndpointPort.Protocol', 'ICMP', 'WorkloadEndpointPort protocol does not support ports.'),
  },
  {
    name: 'WEP bad spoofing prefix',
    doc: wep({allowSpoofedSourcePrefixes: ['10.abcd']}),
    want: one('AllowSpoofedSourcePrefixes[0]', '10.abcd', tag('AllowSpoofedSourcePrefixes[0]', 'cidr')),
  },
  {name: 'WEP unmasked spoofing prefix is fine', doc: wep({allowSpoofedSourcePrefixes: ['10.0.0.1/8']}), want: 'valid'},

  // Node.
  {name: 'Node fixture', doc: fixture('node.yaml'), want: 'valid'},
  {name: 'Node with empty bgp', doc: node({bgp: {}}), want: one('BGP', '&{<nil>    }', 'Spec.BGP should not be empty')},
  {name: 'Node bgp with just an AS number', doc: node({bgp: {asNumber: 64512}}), want: 'valid'},
  {
    name: 'Node IPv6 address in ipv4Address',
    doc: node({bgp: {ipv4Address: 'fd00::1/64'}}),
    want: one('IPv4Address', 'fd00::1/64', tag('IPv4Address', 'cidrv4')),
  },
  {
    name: 'Node tunnel address with a mask',
    doc: node({bgp: {ipv4Address: '10.0.0.1/24', ipv4IPIPTunnelAddr: '10.0.0.1/32'}}),
    want: one('IPv4IPIPTunnelAddr', '10.0.0.1/32', tag('IPv4IPIPTunnelAddr', 'ipv4')),
  },
  {
    name: 'Node route reflector cluster ID must be IPv4',
    doc: node({bgp: {ipv4Address: '10.0.0.1/24', routeReflectorClusterID: 'rr1'}}),
    want: one('RouteReflectorClusterID', 'rr1', tag('RouteReflectorClusterID', 'ipv4')),
  },
  {name: 'Node bad VXLAN MAC', doc: node({vxlanTunnelMACAddr: 'zz:zz'}), want: one('VXLANTunnelMACAddr', 'zz:zz', tag('VXLANTunnelMACAddr', 'mac'))},
  {name: 'Node addresses are not checked (no dive)', doc: node({addresses: [{address: 'garbage', type: 'Bogus'}]}), want: 'valid'},
  {
    name: 'Node bad wireguard interface address',
    doc: node({wireguard: {interfaceIPv6Address: '10.0.0.1'}}),
    want: one('InterfaceIPv6Address', '10.0.0.1', tag('InterfaceIPv6Address', 'ipv6')),
  },
  {name: 'Node good wireguard key', doc: node({}, {wireguardPublicKey: WG_KEY}), want: 'valid'},
  {
    name: 'Node bad wireguard key',
    doc: node({}, {wireguardPublicKeyV6: 'abc'}),
    want: one('WireguardPublicKeyV6', 'abc', tag('WireguardPublicKeyV6', 'wireguardPublicKey')),
  },
]

runCases('endpoints', cases)
