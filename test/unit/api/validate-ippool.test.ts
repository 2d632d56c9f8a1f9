// IPPool validation (validateIPPoolSpec and the IPPoolSpec field tags), exact Calico messages.
import {doc, many, one, runCases, tag, type Case} from './helpers.js'

const pool = (spec: Record<string, unknown>, meta?: Record<string, unknown>): Record<string, unknown> =>
  doc('IPPool', spec, meta)

const cases: Case[] = [
  {name: 'a full IPv4 pool is valid', doc: pool({cidr: '10.0.0.0/16', ipipMode: 'Always', natOutgoing: true, blockSize: 24}), want: 'valid'},
  {name: 'a bare IPv4 address is a /32 pool (too small)', doc: pool({cidr: '10.0.0.1'}), want: one('IPpool.CIDR', '10.0.0.1/32', 'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.')},
  {
    name: 'CIDR not strictly masked fails the net tag and the mask check',
    doc: pool({cidr: '10.0.0.1/16'}),
    want: many(['CIDR', '10.0.0.1/16', tag('CIDR', 'net')], ['IPpool.CIDR', '10.0.0.0/16', 'IP pool CIDR is not strictly masked']),
  },
  {
    name: 'pool smaller than the default block size',
    doc: pool({cidr: '192.168.0.0/27'}),
    want: one('IPpool.CIDR', '192.168.0.0/27', 'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.'),
  },
  {name: 'a disabled small pool is allowed', doc: pool({cidr: '192.168.0.0/27', disabled: true}), want: 'valid'},
  {name: 'pool equal to its block size', doc: pool({cidr: '192.168.0.0/28', blockSize: 28}), want: 'valid'},
  {
    name: 'pool smaller than an explicit block size',
    doc: pool({cidr: '192.168.0.0/29', blockSize: 28}),
    want: one('IPpool.CIDR', '192.168.0.0/29', 'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.'),
  },
  {
    name: 'unparsable CIDR',
    doc: pool({cidr: '10.0.0.0/33'}),
    want: many(['CIDR', '10.0.0.0/33', tag('CIDR', 'net')], ['IPpool.CIDR', '10.0.0.0/33', 'IPPool CIDR must be a valid subnet']),
  },
  {
    name: 'missing CIDR (Go parses "" as the nil IP and carries on)',
    doc: pool({}),
    want: many(
      ['IPpool.CIDR', '', 'IPPool CIDR must be specified'],
      ['IPpool.CIDR', '<nil>', 'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.'],
    ),
  },
  {
    name: 'IPIP on an IPv6 pool',
    doc: pool({cidr: 'fd00::/64', ipipMode: 'Always'}),
    want: one('IPpool.IPIPMode', 'Always', "IPIPMode other than 'Never' is not supported on an IPv6 IP pool"),
  },
  {
    name: 'IPv6 pool without ipipMode fails before defaulting',
    doc: pool({cidr: 'fd00::/64'}),
    want: one('IPpool.IPIPMode', '', "IPIPMode other than 'Never' is not supported on an IPv6 IP pool"),
  },
  {name: 'IPv6 pool with ipipMode Never', doc: pool({cidr: 'fd00::/64', ipipMode: 'Never', vxlanMode: 'Always'}), want: 'valid'},
  {
    name: 'IPIP and VXLAN together',
    doc: pool({cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'CrossSubnet'}),
    want: one('IPpool.IPIPMode', 'Always', 'IPIPMode and VXLANMode cannot be enabled on LoadBalancer IP pool'),
  },
  {
    name: 'bad ipipMode',
    doc: pool({cidr: '10.0.0.0/16', ipipMode: 'Sometimes'}),
    want: one('IPIPMode', 'Sometimes', tag('IPIPMode', 'ipIpMode')),
  },
  {
    name: 'vxlanMode is case-sensitive',
    doc: pool({cidr: '10.0.0.0/16', vxlanMode: 'always'}),
    want: one('VXLANMode', 'always', tag('VXLANMode', 'vxlanMode')),
  },
  {
    name: 'IPv4 link-local pool',
    doc: pool({cidr: '169.254.0.0/16'}),
    want: one('IPpool.CIDR', '169.254.0.0/16', 'IP pool range overlaps with IPv4 Link Local range 169.254.0.0/16'),
  },
  {
    name: 'pool containing the IPv4 link-local range',
    doc: pool({cidr: '169.0.0.0/8'}),
    want: one('IPpool.CIDR', '169.0.0.0/8', 'IP pool range overlaps with IPv4 Link Local range 169.254.0.0/16'),
  },
  {
    name: 'IPv6 link-local pool',
    doc: pool({cidr: 'fe80::/64', ipipMode: 'Never'}),
    want: one('IPpool.CIDR', 'fe80::/64', 'IP pool range overlaps with IPv6 Link Local range fe80::/10'),
  },
  {name: 'LoadBalancer pool', doc: pool({cidr: '10.200.0.0/24', allowedUses: ['LoadBalancer'], nodeSelector: 'all()'}), want: 'valid'},
  {
    name: 'LoadBalancer with Workload',
    doc: pool({cidr: '10.200.0.0/24', allowedUses: ['LoadBalancer', 'Workload'], nodeSelector: 'all()'}),
    want: one('IPpool.AllowedUses', '[LoadBalancer Workload]', 'LoadBalancer cannot be used at the same time as: Workload'),
  },
  {
    name: 'unknown allowed use',
    doc: pool({cidr: '10.0.0.0/16', allowedUses: ['Workload', 'Foo']}),
    want: one('IPpool.AllowedUses', '[Workload Foo]', 'unknown use: Foo'),
  },
  {
    name: 'LoadBalancer with VXLAN',
    doc: pool({cidr: '10.200.0.0/24', allowedUses: ['LoadBalancer'], nodeSelector: 'all()', vxlanMode: 'Always'}),
    want: one('IPpool.IPIPMode', '', 'Neither IPIPMode nor VXLANMode can be enabled on AllowedUses LoadBalancer IP pool'),
  },
  {
    name: 'LoadBalancer with disableBGPExport',
    doc: pool({cidr: '10.200.0.0/24', allowedUses: ['LoadBalancer'], nodeSelector: 'all()', disableBGPExport: true}),
    want: one('IPpool.DisableBGPExport', '10.200.0.0/24', 'IP Pool with AllowedUse LoadBalancer must have DisableBGPExport set to true'),
  },
  {
    name: 'LoadBalancer needs nodeSelector all()',
    doc: pool({cidr: '10.200.0.0/24', allowedUses: ['LoadBalancer'], nodeSelector: "zone == 'a'"}),
    want: one('IPpool.NodeSelector', '10.200.0.0/24', 'IP Pool with AllowedUse LoadBalancer must have node selector set to all()'),
  },
  {
    name: 'Tunnel use with a namespaceSelector',
    doc: pool({cidr: '10.0.0.0/16', allowedUses: ['Tunnel'], namespaceSelector: "team == 'a'"}),
    want: one(
      'IPpool.NamespaceSelector',
      "team == 'a'",
      'IP Pool with AllowedUse Tunnel cannot have namespaceSelector specified - tunnel IPs are not namespaced resources',
    ),
  },
  {name: 'Workload use with a namespaceSelector', doc: pool({cidr: '10.0.0.0/16', allowedUses: ['Workload'], namespaceSelector: "team == 'a'"}), want: 'valid'},
  {
    name: 'global() in nodeSelector',
    doc: pool({cidr: '10.0.0.0/16', nodeSelector: 'global()'}),
    want: one('IPpool.NodeSelector', 'global()', 'global() selector is not valid for IPPool nodeSelector - use all() instead'),
  },
  {
    name: 'global() in namespaceSelector',
    doc: pool({cidr: '10.0.0.0/16', allowedUses: ['Workload'], namespaceSelector: 'global()'}),
    want: one('IPpool.NamespaceSelector', 'global()', 'global() selector is not valid for IPPool namespaceSelector - use all() instead'),
  },
  {
    name: 'unparsable nodeSelector',
    doc: pool({cidr: '10.0.0.0/16', nodeSelector: 'a = b'}),
    want: one('NodeSelector', 'a = b', tag('NodeSelector', 'selector')),
  },
  {
    name: 'bad assignmentMode',
    doc: pool({cidr: '10.0.0.0/16', assignmentMode: 'Auto'}),
    want: one('AssignmentMode', 'Auto', tag('AssignmentMode', 'assignmentMode')),
  },
  {
    name: 'upper-case name',
    doc: pool({cidr: '10.0.0.0/16'}, {name: 'Pool1'}),
    want: one(
      'Metadata.Name',
      'Pool1',
      "name must consist of lower case alphanumeric characters, '-' or '.' (regex: [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)",
    ),
  },
]

runCases('IPPool', cases)
