/**
 * The ipam commands end to end against a local store: output shapes (calicoctl's tables and
 * lines), the one-line failures of bad input that change nothing, and `release --from-report`'s
 * safety checks including a stale report.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {runCli, tempStore} from '../helpers/cli.js'

const POOLS = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool1}
spec: {cidr: 10.65.0.0/16}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool6}
spec: {cidr: 'fd00:65::/120', blockSize: 124}
---
apiVersion: projectcalico.org/v3
kind: IPReservation
metadata: {name: keep}
spec: {reservedCIDRs: [10.65.255.0/24]}
`

describe('ipam commands', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  const ipamKeys = async () => (await cli('ipam', 'check')).stdout
  before(async () => {
    store = tempStore()
    const file = join(store.dir, 'pools.yaml')
    writeFileSync(file, POOLS)
    const applied = await cli('apply', '-f', file)
    assert.equal(applied.exitCode, 0, applied.stderr)
  })
  after(() => store.cleanup())

  test('assign prints the addresses; dual-stack gives one per family', async () => {
    const r = await cli('ipam', 'assign', '--node=n1', '--handle=h1', '--num=2', '--family=dual', '--attr', 'namespace=ns1', '--attr', 'pod=p1')
    assert.equal(r.exitCode, 0, r.stderr)
    const ips = r.stdout.trim().split('\n')
    assert.equal(ips.length, 4)
    assert.match(ips[0], /^10\.65\.\d+\.\d+$/)
    assert.match(ips[3], /^fd00:65::/)
    const single = await cli('ipam', 'assign', '--node=n2', '--handle=h2', '--ip=10.65.0.2')
    assert.deepEqual([single.exitCode, single.stdout, single.stderr], [0, '10.65.0.2\n', ''])
  })

  test('bad assign input: one line, exit 1, nothing changed', async () => {
    const before = await ipamKeys()
    const cases: Array<[string[], string]> = [
      [['--ip=10.65.0.2'], 'IP address 10.65.0.2 is already assigned\n'],
      [['--ip=10.99.0.1'], 'The provided IP address 10.99.0.1 is not in a configured pool\n'],
      [['--ip=10.65.255.7'], 'IP address 10.65.255.7 is reserved by an IPReservation\n'],
      [['--pool=10.99.0.0/16'], 'the given pool (10.99.0.0/16) does not exist, or is not enabled\n'],
      [['--pool=bogus'], 'invalid pool CIDR: bogus\n'],
      [['--pool=fd00:65::/120', '--num=300'], 'Assigned 254 out of 300 requested IPv6 addresses; No IPs available in pools: [fd00:65::/120]\n'],
    ]
    for (const [extra, message] of cases) {
      const r = await cli('ipam', 'assign', '--node=n3', '--handle=bad', ...extra)
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [1, '', message], extra.join(' '))
    }
    assert.equal(await ipamKeys(), before)
  })

  test('show: pool table, blocks, one IP, configuration', async () => {
    const table = await cli('ipam', 'show')
    assert.equal(table.exitCode, 0, table.stderr)
    assert.equal(
      table.stdout,
      [
        '+----------+---------------+-----------+------------+--------------+',
        '| GROUPING |     CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |',
        '+----------+---------------+-----------+------------+--------------+',
        '| IP Pool  | 10.65.0.0/16  |     65536 | 3 (0%)     | 65533 (100%) |',
        '| IP Pool  | fd00:65::/120 |       256 | 2 (1%)     | 254 (99%)    |',
        '+----------+---------------+-----------+------------+--------------+',
        '',
      ].join('\n'),
    )
    const blocks = await cli('ipam', 'show', '--show-blocks')
    assert.match(blocks.stdout, /\| Block {4}\| 10\.65\.0\.0\/26 +\| +64 \| 1 \(2%\) +\| 63 \(98%\) +\|/)
    const ip = await cli('ipam', 'show', '--ip=10.65.0.2')
    assert.equal(ip.stdout, 'IP 10.65.0.2 is in use\nHandle ID: h2\nActive Owner Attributes:\n  node: n2\n')
    assert.equal((await cli('ipam', 'show', '--ip=10.65.9.9')).stdout, '10.65.9.9 is not assigned\n')
    const bad = await cli('ipam', 'show', '--ip=nope')
    assert.deepEqual([bad.exitCode, bad.stdout], [1, 'Error executing command: invalid IP address specified: nope\n'])
    const config = await cli('ipam', 'show', '--show-configuration')
    assert.equal(
      config.stdout,
      [
        '+------------------------------+-----------+',
        '|           PROPERTY           |   VALUE   |',
        '+------------------------------+-----------+',
        '| StrictAffinity               | false     |',
        '| AutoAllocateBlocks           | true      |',
        '| MaxBlocksPerHost             |         0 |',
        '| KubeVirtVMAddressPersistence | "Enabled" |',
        '+------------------------------+-----------+',
        '',
      ].join('\n'),
    )
  })

  test('show --show-borrowed lists an address taken from another node\'s block', async () => {
    const r = await cli('ipam', 'assign', '--node=n9', '--handle=borrow', '--ip=10.65.0.3', '--attr', 'namespace=ns', '--attr', 'pod=web')
    assert.equal(r.exitCode, 0, r.stderr)
    const borrowed = await cli('ipam', 'show', '--show-borrowed')
    assert.match(borrowed.stdout, /\| 10\.65\.0\.3 \| n9 +\| 10\.65\.0\.0\/26 \| n2 +\| pod +\| ns\/web +\|/)
    assert.equal((await cli('ipam', 'release', '--handle=borrow')).stdout, 'Successfully released IP address 10.65.0.3\n')
  })

  test('configure: strict affinity, block limit rules, messages', async () => {
    assert.equal((await cli('ipam', 'configure', '--max-blocks-per-host=3')).stderr, 'error: MaxBlocksPerHost requires StrictAffinity to be enabled\n')
    const ok = await cli('ipam', 'configure', '--strictaffinity=true', '--max-blocks-per-host=3')
    assert.deepEqual([ok.exitCode, ok.stdout], [0, 'Successfully set StrictAffinity to: true\nSuccessfully set MaxBlocksPerHost to: 3\n'])
    assert.match((await cli('ipam', 'show', '--show-configuration')).stdout, /\| StrictAffinity +\| true +\|\n.*\n\| MaxBlocksPerHost +\| +3 \|/)
    const none = await cli('ipam', 'configure')
    assert.deepEqual([none.exitCode, none.stderr], [1, 'at least one configuration option must be specified\n'])
    assert.equal((await cli('ipam', 'configure', '--strictaffinity=maybe')).stderr, 'invalid value. Use true or false to set strictaffinity\n')
    assert.equal((await cli('ipam', 'configure', '--strictaffinity=false', '--max-blocks-per-host=0')).exitCode, 0)
  })

  test('release --ip and --handle; unknown handle and unassigned IP fail', async () => {
    assert.equal((await cli('ipam', 'release', '--ip=10.65.0.2')).stdout, 'Successfully released IP address 10.65.0.2\n')
    const again = await cli('ipam', 'release', '--ip=10.65.0.2')
    assert.deepEqual([again.exitCode, again.stderr], [1, 'IP address 10.65.0.2 is not assigned\n'])
    const unknown = await cli('ipam', 'release', '--handle=nope')
    assert.deepEqual([unknown.exitCode, unknown.stdout, unknown.stderr], [1, '', 'IPAM handle nope does not exist\n'])
    const byHandle = await cli('ipam', 'release', '--handle=h1')
    assert.equal(byHandle.exitCode, 0, byHandle.stderr)
    assert.equal(byHandle.stdout.trim().split('\n').length, 4)
  })

  test('check, then release --from-report with its safety checks', async () => {
    await cli('ipam', 'assign', '--node=n1', '--handle=leak1', '--num=2')
    const report = join(store.dir, 'report.json')
    const check = await cli('ipam', 'check', '-o', report)
    assert.equal(check.exitCode, 0, check.stderr)
    assert.match(check.stdout, /^Checking IPAM for inconsistencies\.\.\.\n\nLoading all IPAM blocks\.\.\.\nFound \d+ IPAM blocks\.\n/)
    assert.match(check.stdout, /Found 2 IPs that are allocated in IPAM but not actually in use\.\n/)
    assert.match(check.stdout, /Check complete; found 2 problems\.\n$/)
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as {version: string; datastoreLocked: boolean; allocations: Record<string, unknown>}
    assert.equal(parsed.datastoreLocked, false)
    assert.equal(Object.keys(parsed.allocations).length, 2)

    const unlocked = await cli('ipam', 'release', '--from-report', report)
    assert.deepEqual([unlocked.exitCode, unlocked.stderr], [1, 'data store is not locked. Either lock the data store, or re-run with --force\n'])
    // Locking changes ClusterInformation, so the report taken before the lock is now stale.
    assert.equal((await cli('patch', 'clusterinformation', 'default', '-p', '{"spec":{"datastoreReady":false}}')).exitCode, 0)
    const stale = await cli('ipam', 'release', '--from-report', report)
    assert.deepEqual(
      [stale.exitCode, stale.stdout, stale.stderr],
      [1, '', 'the provided reports are all stale - at least one should be up-to-date. Please generate a new report while the data store is locked and try again\n'],
    )
    const fresh = join(store.dir, 'fresh.json')
    await cli('ipam', 'check', '-o', fresh)
    const other = join(store.dir, 'other.json')
    writeFileSync(other, readFileSync(fresh, 'utf8').replace(/"clusterGUID": "[^"]*"/, '"clusterGUID": "someone-else"'))
    const guid = await cli('ipam', 'release', '--from-report', other)
    assert.equal(guid.stderr, `cluster does not match the provided report (${other}): mismatched cluster GUID. Refusing to release\n`)
    const oldVersion = join(store.dir, 'old.json')
    writeFileSync(oldVersion, readFileSync(fresh, 'utf8').replace(/"version": "[^"]*"/, '"version": "v3.0.0"'))
    assert.equal(
      (await cli('ipam', 'release', '--from-report', oldVersion)).stderr,
      `the provided report (${oldVersion}) was produced using a different version (v3.0.0) of calicoctl. Refusing to release\n`,
    )
    const released = await cli('ipam', 'release', '--from-report', fresh, '--from-report', report)
    assert.equal(released.exitCode, 0, released.stderr)
    assert.equal(
      released.stdout,
      "Releasing 2 old IPs...\nReleased 2 IPs successfully\nReport didn't contain any handles to clean up.\nYou may now unlock the data store.\n",
    )
    assert.match((await cli('ipam', 'check')).stdout, /Check complete; found 0 problems\.\n$/)
  })

  test('split: needs the lock, power of two, then replaces the pool', async () => {
    const file = join(store.dir, 'split.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: big}\nspec: {cidr: 172.16.0.0/16}\n')
    assert.equal((await cli('apply', '-f', file)).exitCode, 0)
    const three = await cli('ipam', 'split', '--name=big', '3')
    assert.equal(three.stderr, 'error splitting the CIDR 172.16.0.0/16 into 3 CIDRs: number to split CIDR into is not a valid power of 2: 3\n')
    const r = await cli('ipam', 'split', '--cidr=172.16.0.0/16', '2')
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(
      r.stdout,
      'IP Pool big was successfully split into 2 smaller pools.Created split-big-0 with CIDR 172.16.0.0/17.\nCreated split-big-1 with CIDR 172.16.128.0/17.\nPlease refer to the documentation for final steps.\n',
    )
    const pools = await cli('get', 'ippools', '-o', 'custom-columns=NAME,CIDR')
    assert.match(pools.stdout, /split-big-0 +172\.16\.0\.0\/17/)
    assert.doesNotMatch(pools.stdout, /^big /m)
    assert.equal((await cli('patch', 'clusterinformation', 'default', '-p', '{"spec":{"datastoreReady":true}}')).exitCode, 0)
    const unlocked = await cli('ipam', 'split', '--name=split-big-0', '2')
    assert.equal(unlocked.stderr, 'datastore is not locked. Run the `calicoctl datastore migrate lock` command in order split the IP pools\n')
  })
})
