import assert from 'node:assert/strict'
import {test} from 'node:test'

import {kindColumns, UnknownHeadingError, resolveHeadings} from '../../../src/cli/output/columns.js'
import {OutputError} from '../../../src/cli/output/errors.js'
import {makeList} from '../../../src/cli/output/printable.js'
import {renderTables} from '../../../src/cli/output/table.js'
import {KINDS} from '../../../src/api/registry.js'
import {pool1, res} from './fixtures.js'

test('IPPool ps and wide match calicoctl system-test output', () => {
  assert.equal(
    renderTables([pool1]),
    'NAME           CIDR          SELECTOR       \n' + "ippool-name1   10.0.1.0/24   foo == 'bar'   \n" + '\n',
  )
  assert.equal(
    renderTables([pool1], {wide: true}),
    'NAME           CIDR          NAT     IPIPMODE   VXLANMODE   DISABLED   DISABLEBGPEXPORT   SELECTOR       ASSIGNMENTMODE   \n' +
      "ippool-name1   10.0.1.0/24   false   Always     Never       false      false              foo == 'bar'   Automatic        \n" +
      '\n',
  )
})

test('IPPool wide shows Never for unset modes and <nil> for an unset assignment mode', () => {
  const p = res('IPPool', 'p', {cidr: '10.9.0.0/16', natOutgoing: true, disabled: true})
  assert.equal(
    renderTables([p], {wide: true}),
    'NAME   CIDR          NAT    IPIPMODE   VXLANMODE   DISABLED   DISABLEBGPEXPORT   SELECTOR   ASSIGNMENTMODE   \n' +
      'p      10.9.0.0/16   true   Never      Never       true       false                         <nil>            \n' +
      '\n',
  )
})

test('a list prints one table; an empty list prints its heading line', () => {
  assert.equal(renderTables([makeList('IPPool', [])]), 'NAME   CIDR   SELECTOR   \n\n')
  const list = makeList('IPPool', [pool1, res('IPPool', 'p2', {cidr: '10.2.0.0/16'})], '7')
  assert.equal(
    renderTables([list]),
    'NAME           CIDR          SELECTOR       \n' +
      "ippool-name1   10.0.1.0/24   foo == 'bar'   \n" +
      'p2             10.2.0.0/16                  \n' +
      '\n',
  )
})

test('several results print one table each, each followed by a blank line', () => {
  const out = renderTables([res('Tier', 'a', {order: 100}), res('Tier', 'b', {order: 1000000})])
  assert.equal(out, 'NAME   ORDER   \na      100     \n\nNAME   ORDER   \nb      1e+06   \n\n')
})

test('BGPPeer: NODE is the node, else the selector, else (global); ASN is 0 when unset', () => {
  const list = makeList('BGPPeer', [
    res('BGPPeer', 'global-peer', {peerIP: '192.0.2.1', asNumber: 64513}),
    res('BGPPeer', 'node-peer', {peerIP: '192.0.2.2', node: 'node1', asNumber: '1.10'}),
    res('BGPPeer', 'sel-peer', {nodeSelector: "rack == 'a'"}),
  ])
  assert.equal(
    renderTables([list]),
    'NAME          PEERIP      NODE          ASN     \n' +
      'global-peer   192.0.2.1   (global)      64513   \n' +
      'node-peer     192.0.2.2   node1         65546   \n' +
      "sel-peer                  rack == 'a'   0       \n" +
      '\n',
  )
})

test('Node wide: inherited ASN in parentheses from the global AS number, asked once', () => {
  let asked = 0
  const list = makeList('Node', [
    res('Node', 'node1', {bgp: {ipv4Address: '10.0.0.1/24'}}),
    res('Node', 'node2', {bgp: {asNumber: 65001, ipv4Address: '10.0.0.2/24', ipv6Address: 'fd00::2/64'}}),
    res('Node', 'node3', {bgp: {}}),
    res('Node', 'node4', {}),
  ])
  const out = renderTables([list], {wide: true, asNumber: () => (asked++, '65000')})
  assert.equal(
    out,
    'NAME    ASN       IPV4          IPV6         \n' +
      'node1   (65000)   10.0.0.1/24                \n' +
      'node2   65001     10.0.0.2/24   fd00::2/64   \n' +
      'node3   (65000)                              \n' +
      'node4                                        \n' +
      '\n',
  )
  assert.equal(asked, 1)
  assert.match(renderTables([res('Node', 'n', {bgp: {}})], {wide: true}), /\(64512\)/)
})

test('policies: ps is NAME TIER; wide adds ORDER (float64, <nil> when unset) and SELECTOR', () => {
  const list = makeList('GlobalNetworkPolicy', [
    res('GlobalNetworkPolicy', 'default.a', {tier: 'default', order: 100, selector: 'all()'}),
    res('GlobalNetworkPolicy', 'default.b', {tier: 'default', order: 1000000.5}),
    res('GlobalNetworkPolicy', 'default.c', {tier: 'default'}),
  ])
  assert.equal(renderTables([list]), 'NAME        TIER      \ndefault.a   default   \ndefault.b   default   \ndefault.c   default   \n\n')
  assert.equal(
    renderTables([list], {wide: true}),
    'NAME        TIER      ORDER           SELECTOR   \n' +
      'default.a   default   100             all()      \n' +
      'default.b   default   1.0000005e+06              \n' +
      'default.c   default   <nil>                      \n' +
      '\n',
  )
})

test('namespaced kinds get NAMESPACE first when asked; global kinds never do', () => {
  const np = res('NetworkPolicy', 'default.allow', {tier: 'default'}, {namespace: 'prod'})
  assert.equal(
    renderTables([makeList('NetworkPolicy', [np])], {namespaceColumn: true}),
    'NAMESPACE   NAME            TIER      \nprod        default.allow   default   \n\n',
  )
  const gnp = res('GlobalNetworkPolicy', 'g', {tier: 'default'})
  assert.equal(renderTables([gnp], {namespaceColumn: true}), 'NAME   TIER      \ng      default   \n\n')
})

test('WorkloadEndpoint: WORKLOAD falls back to the pod; NATS print as Go structs', () => {
  const wep = res(
    'WorkloadEndpoint',
    'node1-k8s-pod1-eth0',
    {
      node: 'node1',
      pod: 'pod1',
      orchestrator: 'k8s',
      interfaceName: 'cali0ef24ba',
      ipNetworks: ['10.0.0.5/32', 'fd00::5/128'],
      ipNATs: [{internalIP: '10.0.0.5', externalIP: '203.0.113.5'}],
      profiles: ['kns.default', 'ksa.default.default'],
    },
    {namespace: 'default'},
  )
  assert.equal(
    renderTables([wep]),
    'WORKLOAD   NODE    NETWORKS                  INTERFACE     \n' +
      'pod1       node1   10.0.0.5/32,fd00::5/128   cali0ef24ba   \n' +
      '\n',
  )
  assert.equal(
    renderTables([wep], {wide: true, namespaceColumn: true}),
    'NAMESPACE   NAME                  WORKLOAD   NODE    NETWORKS                  INTERFACE     PROFILES                          NATS                     \n' +
      'default     node1-k8s-pod1-eth0   pod1       node1   10.0.0.5/32,fd00::5/128   cali0ef24ba   kns.default,ksa.default.default   {10.0.0.5 203.0.113.5}   \n' +
      '\n',
  )
})

test('network sets: NETS joined with "," and cut to 80 characters ending in ...', () => {
  const nets = Array.from({length: 10}, (_, i) => `10.0.${i}.0/28`)
  const out = renderTables([res('GlobalNetworkSet', 'big', {nets})], {wide: true})
  const cell = '10.0.0.0/28,10.0.1.0/28,10.0.2.0/28,10.0.3.0/28,10.0.4.0/28,10.0.5.0/28,10.0....'
  assert.equal(cell.length, 80)
  assert.equal(out, `NAME   NETS${' '.repeat(79)}\nbig    ${cell}   \n\n`)
  const small = renderTables([res('GlobalNetworkSet', 's', {nets: ['10.0.0.1', 'feed:beef::1']})], {wide: true})
  assert.equal(small, 'NAME   NETS                    \ns      10.0.0.1,feed:beef::1   \n\n')
})

test('other kinds: Profile labels, ClusterInformation pointer bool, BGPConfiguration dashes, BGPFilter counts', () => {
  assert.equal(
    renderTables([res('Profile', 'p', {labelsToApply: {zone: 'a', app: 'web', 'app.kubernetes.io/name': 'x'}})], {wide: true}),
    // Go sorts the "k=v" strings, and '.' sorts before '='.
    'NAME   LABELS                                    \np      app.kubernetes.io/name=x,app=web,zone=a   \n\n',
  )
  assert.equal(
    renderTables([res('ClusterInformation', 'default', {clusterGUID: 'abc', calicoVersion: 'v3.32.1'})]),
    'NAME      CLUSTERGUID   CLUSTERTYPE   CALICOVERSION   DATASTOREREADY   \n' +
      'default   abc                         v3.32.1         <nil>            \n\n',
  )
  assert.equal(
    renderTables([makeList('BGPConfiguration', [
      res('BGPConfiguration', 'default', {logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false, asNumber: 64512}),
      res('BGPConfiguration', 'node.x', {}),
    ])]),
    'NAME      LOGSEVERITY   MESHENABLED   ASNUMBER   \n' +
      'default   Info          false         64512      \n' +
      'node.x                  -             -          \n\n',
  )
  assert.equal(
    renderTables([res('BGPFilter', 'f', {exportV4: [{}, {}], importV6: [{}]})]),
    'NAME   NUMEXPORTV4   NUMIMPORTV4   NUMEXPORTV6   NUMIMPORTV6   \nf      2             0             0             1             \n\n',
  )
})

test('custom-columns picks and orders headings from the heading map', () => {
  assert.equal(renderTables([pool1], {columns: ['CIDR', 'NAME']}), 'CIDR          NAME           \n10.0.1.0/24   ippool-name1   \n\n')
  const wep = res('WorkloadEndpoint', 'w', {orchestrator: 'k8s'}, {namespace: 'ns1'})
  assert.equal(renderTables([wep], {columns: ['NAMESPACE', 'ORCHESTRATOR']}), 'NAMESPACE   ORCHESTRATOR   \nns1         k8s            \n\n')
})

test('an unknown heading names the first bad column and lists the valid ones', () => {
  assert.throws(
    () => renderTables([pool1], {columns: ['NAME', 'FOO', 'BAR']}),
    (e: unknown) =>
      e instanceof OutputError &&
      e.partial === '' &&
      e.message ===
        'unknown heading FOO, valid values are: NAME, CIDR, NAT, IPIPMODE, VXLANMODE, DISABLED, DISABLEBGPEXPORT, SELECTOR, ASSIGNMENTMODE',
  )
  assert.throws(() => renderTables([pool1], {columns: ['name']}), /unknown heading name, valid values are: NAME, CIDR/)
})

test('a heading only a later kind lacks fails after the earlier tables were written', () => {
  const gnp = res('GlobalNetworkPolicy', 'g', {tier: 'default'})
  assert.throws(
    () => renderTables([pool1, gnp], {columns: ['NAME', 'CIDR']}),
    (e: unknown) =>
      e instanceof OutputError &&
      e.message === 'unknown heading CIDR, valid values are: NAME, ORDER, SELECTOR, TIER' &&
      e.partial === 'NAME           CIDR          \nippool-name1   10.0.1.0/24   \n\n',
  )
})

test('every registered kind has a table, and its default headings are in its map', () => {
  for (const info of KINDS) {
    const cols = kindColumns(info.kind)
    assert.ok(cols, info.kind)
    resolveHeadings(cols, {})
    resolveHeadings(cols, {wide: true})
    assert.equal(cols.values.has('NAMESPACE'), info.namespaced, `${info.kind} NAMESPACE column`)
  }
  assert.throws(() => resolveHeadings(kindColumns('Tier')!, {custom: ['X']}), UnknownHeadingError)
})
