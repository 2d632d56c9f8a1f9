import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {parseAllDocuments} from 'yaml'

import {runCli, tempStore} from '../helpers/cli.js'
import {
  ALL_KINDS_FIXTURE,
  EXPORT_ORDER,
  IPAM_SEED,
  localConfig,
  MIRRORED_POLICY_KEY,
  MIRRORED_POLICY_VALUE,
  readRaw,
  sections,
  seedRaw,
  snapshot,
} from '../fixtures/migrate/support.js'

type Store = ReturnType<typeof tempStore>

const NOT_LOCKED = 'datastore is not locked. Run the `calicoctl datastore migrate lock` command in order to begin migration\n'
const IMPORT_DONE = 'Datastore information successfully imported. Please refer to the datastore migration documentation for next steps.\n'
const CLUSTER_INFO_KEY = '/calico/resources/v3/projectcalico.org/clusterinformations/default'

const stores: Store[] = []
function newStore(): Store {
  const store = tempStore()
  stores.push(store)
  return store
}
after(() => stores.forEach((s) => s.cleanup()))

function cli(store: Store, ...args: string[]) {
  return runCli(args, {env: store.env})
}

async function clusterInformation(store: Store): Promise<{clusterGUID?: string; calicoVersion?: string; datastoreReady?: boolean}> {
  const got = await cli(store, 'get', 'clusterinformation', 'default', '-o', 'json')
  assert.equal(got.exitCode, 0, got.stderr)
  return (JSON.parse(got.stdout) as {spec: Record<string, never>}).spec
}

/** A store with every kind, the raw IPAM keys and a mirrored policy, locked. */
async function seededStore(): Promise<Store> {
  const store = newStore()
  const applied = await cli(store, 'apply', '-f', ALL_KINDS_FIXTURE)
  assert.equal(applied.exitCode, 0, applied.stderr)
  await seedRaw(localConfig(store.env), {...IPAM_SEED, [MIRRORED_POLICY_KEY]: MIRRORED_POLICY_VALUE})
  assert.equal((await cli(store, 'datastore', 'migrate', 'lock')).stdout, 'Datastore locked.\n')
  return store
}

async function exportOf(store: Store): Promise<string> {
  const got = await cli(store, 'datastore', 'migrate', 'export')
  assert.equal(got.stderr, '')
  assert.equal(got.exitCode, 0)
  return got.stdout
}

function writeFile(store: Store, name: string, text: string): string {
  const path = join(store.dir, name)
  writeFileSync(path, text)
  return path
}

describe('datastore migrate lock / unlock', () => {
  test('lock initialises an empty store and sets datastoreReady=false; unlock sets it back', async () => {
    const store = newStore()
    const locked = await cli(store, 'datastore', 'migrate', 'lock')
    assert.deepEqual(locked, {stdout: 'Datastore locked.\n', stderr: '', exitCode: 0})
    assert.equal((await clusterInformation(store)).datastoreReady, false)
    const tiers = await cli(store, 'get', 'tiers', '-o', 'custom-columns=NAME')
    assert.match(tiers.stdout, /default[\s\S]*kube-admin[\s\S]*kube-baseline/, 'lock runs EnsureInitialized, as calicoctl')
    const again = await cli(store, 'datastore', 'migrate', 'lock')
    assert.equal(again.stdout, 'Datastore locked.\n')

    const unlocked = await cli(store, 'datastore', 'migrate', 'unlock')
    assert.deepEqual(unlocked, {stdout: 'Datastore unlocked.\n', stderr: '', exitCode: 0})
    assert.equal((await clusterInformation(store)).datastoreReady, true)
  })

  test('unlock needs ClusterInformation to exist, as in calicoctl', async () => {
    const got = await cli(newStore(), 'datastore', 'migrate', 'unlock')
    assert.equal(got.exitCode, 1)
    assert.equal(got.stdout, '')
    assert.equal(
      got.stderr,
      'error retrieving ClusterInformation for unlocking: resource does not exist: ClusterInformation(default) with error: <nil>\n',
    )
  })

  test('lock, unlock and export check the client and cluster versions first', async () => {
    const store = newStore()
    const info = {
      kind: 'ClusterInformation',
      apiVersion: 'projectcalico.org/v3',
      metadata: {name: 'default'},
      spec: {clusterGUID: 'abc', calicoVersion: 'v3.1.0', datastoreReady: true},
    }
    await seedRaw(localConfig(store.env), {[CLUSTER_INFO_KEY]: JSON.stringify(info)})
    for (const sub of ['lock', 'unlock', 'export']) {
      const got = await cli(store, 'datastore', 'migrate', sub)
      assert.equal(got.exitCode, 1, sub)
      assert.match(got.stderr, /^version mismatch\.\nClient Version: {3}v3\.32\.1\nCluster Version: {2}3\.1\.0\nUse --allow-version-mismatch to override\n$/)
    }
    const forced = await cli(store, 'datastore', 'migrate', 'lock', '--allow-version-mismatch')
    assert.equal(forced.stdout, 'Datastore locked.\n')
  })
})

describe('datastore migrate export', () => {
  let store: Store
  let exported: string
  before(async () => {
    store = await seededStore()
    exported = await exportOf(store)
  })

  test('is refused while the datastore is unlocked', async () => {
    const unlockedStore = newStore()
    await cli(unlockedStore, 'apply', '-f', ALL_KINDS_FIXTURE)
    const got = await cli(unlockedStore, 'datastore', 'migrate', 'export')
    assert.deepEqual(got, {stdout: '', stderr: NOT_LOCKED, exitCode: 1})
  })

  test('is refused when there is no ClusterInformation at all', async () => {
    const got = await cli(newStore(), 'datastore', 'migrate', 'export')
    assert.equal(got.exitCode, 1)
    assert.equal(got.stdout, '')
    assert.equal(
      got.stderr,
      'error while checking if datastore was locked: error retrieving ClusterInformation: resource does not exist: ClusterInformation(default) with error: <nil>\n',
    )
  })

  test('prints one <Kind>List per kind in calicoctl order, then the extra kinds, each followed by ---', () => {
    const [yaml] = sections(exported)
    assert.ok(yaml.endsWith('---\n'))
    const lists = yaml.split(/^---\n/m).slice(0, -1)
    assert.equal(lists.length, EXPORT_ORDER.length)
    const kinds = lists.map((text) => (parseAllDocuments(text)[0].toJSON() as {kind: string}).kind)
    assert.deepEqual(kinds, EXPORT_ORDER.map((k) => `${k}List`))
  })

  test('items keep name, namespace, labels and annotations but no uid, resourceVersion or creationTimestamp', () => {
    const [yaml] = sections(exported)
    let count = 0
    for (const doc of parseAllDocuments(yaml)) {
      const list = doc.toJSON() as {items: Array<{kind: string; metadata: Record<string, unknown>}>} | null
      for (const item of list?.items ?? []) {
        count++
        assert.deepEqual(
          Object.keys(item.metadata).filter((k) => !['name', 'namespace', 'labels', 'annotations'].includes(k)),
          [],
          `${item.kind} ${String(item.metadata.name)}`,
        )
      }
    }
    assert.equal(count, 32, 'the 29 applied resources and the 3 built-in tiers')
    assert.match(yaml, /name: frontend\.allow-backend\n {4}namespace: shop/)
    assert.match(yaml, /name: staging-ranges\n {4}namespace: staging/, 'namespaced kinds are exported from every namespace')
    assert.doesNotMatch(yaml, /knp\.default\./, 'mirrored Kubernetes policies are left out')
  })

  test('then ClusterInformation as indented JSON, locked', () => {
    const info = JSON.parse(sections(exported)[1]) as {kind: string; spec: {datastoreReady: boolean; clusterGUID: string}}
    assert.equal(info.kind, 'ClusterInformation')
    assert.equal(info.spec.datastoreReady, false)
    assert.match(info.spec.clusterGUID, /^[0-9a-f]{32}$/)
    assert.match(sections(exported)[1], /^\{\n {2}"kind": "ClusterInformation",\n {2}"apiVersion": "projectcalico.org\/v3",\n/)
  })

  test('then the IPAM keys in calicoctl migrateIPAM JSON, values verbatim', () => {
    const ipam = sections(exported)[2]
    const parsed = JSON.parse(ipam) as Record<string, Array<{Key: string; TTL: number}> | {Key: string}>
    assert.deepEqual(Object.keys(parsed), ['block_affinities', 'blocks', 'handles', 'config'])
    const keys = Object.values(parsed).flatMap((group) => (Array.isArray(group) ? group.map((p) => p.Key) : [group.Key]))
    assert.deepEqual(keys.sort(), Object.keys(IPAM_SEED).sort())
    const expectedStart = [
      '{',
      '  "block_affinities": [',
      '    {',
      '      "Key": "/calico/ipam/v2/host/node1/ipv4/block/192.168.0.0-26",',
      '      "Value": {',
      '        "state": "confirmed",',
      '        "deleted": false',
      '      },',
      '      "TTL": 0',
      '    },',
    ].join('\n')
    assert.ok(ipam.startsWith(expectedStart), ipam.slice(0, 400))
    assert.ok(ipam.endsWith('  "config": {\n    "Key": "/calico/ipam/v2/config",\n    "Value": {\n      "strict_affinity": true,\n      "auto_allocate_blocks": true,\n      "maxBlocksPerHost": 4\n    },\n    "TTL": 0\n  }\n}\n'))
    assert.match(ipam, /"sequenceNumber": 1732368000123456789,/, 'large integers are printed as stored')
    assert.match(ipam, /"note": "a\\u003cb"/, 'escapes are printed as stored')
    assert.match(ipam, /"allocations": \[\n {10}null,\n {10}null,/)
    assert.match(ipam, /"attributes": \[\],/, 'empty arrays stay [] as Go prints them')
  })
})

describe('datastore migrate import', () => {
  let source: Store
  let exportFile: string
  before(async () => {
    source = await seededStore()
    exportFile = writeFile(source, 'export.txt', await exportOf(source))
  })

  test('into an empty store: applies, writes IPAM, adopts the cluster GUID and stays locked', async () => {
    const target = newStore()
    const got = await cli(target, 'datastore', 'migrate', 'import', '--filename', exportFile)
    assert.equal(got.stderr, '')
    assert.equal(got.stdout, `Successfully applied 32 resource(s)\nImporting IPAM resources\nSuccessfully applied 7 IPAM resource(s)\n${IMPORT_DONE}`)
    assert.equal(got.exitCode, 0)
    const info = await clusterInformation(target)
    assert.equal(info.datastoreReady, false, 'the operator unlocks the target')
    assert.equal(info.clusterGUID, (await clusterInformation(source)).clusterGUID)
    assert.deepEqual(await readRaw(localConfig(target.env), '/calico/ipam/v2/'), IPAM_SEED)
    const {[MIRRORED_POLICY_KEY]: mirrored} = await readRaw(localConfig(target.env), MIRRORED_POLICY_KEY)
    assert.equal(mirrored, undefined)
  })

  test('reads stdin with --filename=-', async () => {
    const target = newStore()
    const {runBin} = await import('../helpers/cli.js')
    const got = runBin(['datastore', 'migrate', 'import', '--filename=-'], {env: target.env, input: readFileSync(exportFile, 'utf8')})
    assert.equal(got.stderr, '')
    assert.match(got.stdout, /Successfully applied 7 IPAM resource\(s\)\n/)
    assert.equal(got.exitCode, 0)
  })

  test('refuses a store that already has Calico resources, changing nothing', async () => {
    const target = newStore()
    await cli(target, 'apply', '-f', join(import.meta.dirname, '..', 'fixtures', 'resources', 'pools.yaml'))
    const unchanged = await snapshot(target.env)
    const got = await cli(target, 'datastore', 'migrate', 'import', '-f', exportFile)
    assert.equal(got.exitCode, 1)
    assert.equal(got.stdout, '')
    assert.equal(
      got.stderr,
      'datastore already has Calico resources: found existing Calico IPPool resource. Clear out all Calico resources, or use --allow-non-empty to import on top of them\n',
    )
    assert.deepEqual(await snapshot(target.env), unchanged)
    assert.notEqual((await clusterInformation(target)).datastoreReady, false, 'not locked either')
  })

  test('refuses a store that has only IPAM data', async () => {
    const target = newStore()
    await seedRaw(localConfig(target.env), {'/calico/ipam/v2/handle/leftover': '{"block":{},"deleted":false}'})
    const got = await cli(target, 'datastore', 'migrate', 'import', '-f', exportFile)
    assert.equal(got.exitCode, 1)
    assert.match(got.stderr, /^datastore already has Calico resources: found existing IPAM resources\. /)
  })

  test('a locked store with only the built-in tiers counts as empty', async () => {
    const target = newStore()
    await cli(target, 'datastore', 'migrate', 'lock')
    const got = await cli(target, 'datastore', 'migrate', 'import', '-f', exportFile)
    assert.equal(got.exitCode, 0, got.stderr)
  })

  test('--allow-non-empty imports on top, and re-running it is harmless', async () => {
    const target = newStore()
    await cli(target, 'apply', '-f', join(import.meta.dirname, '..', 'fixtures', 'resources', 'policies.yaml'))
    for (let run = 0; run < 2; run++) {
      const got = await cli(target, 'datastore', 'migrate', 'import', '-f', exportFile, '--allow-non-empty')
      assert.equal(got.stderr, '')
      assert.equal(got.exitCode, 0)
      assert.match(got.stdout, /Successfully applied 7 IPAM resource\(s\)/)
    }
    const policies = await cli(target, 'get', 'networkpolicy', '-A', '-o', 'custom-columns=NAME')
    assert.match(policies.stdout, /allow-web/, 'existing resources are kept')
    assert.match(policies.stdout, /frontend\.allow-backend/)
  })

  test('an existing IPAM key with a different value is an error and is left alone', async () => {
    const target = newStore()
    const key = '/calico/ipam/v2/handle/ipip-tunnel-addr-node1'
    const other = '{"block":{"192.168.0.0/26":2},"deleted":false}'
    await seedRaw(localConfig(target.env), {[key]: other})
    const got = await cli(target, 'datastore', 'migrate', 'import', '-f', exportFile, '--allow-non-empty')
    assert.equal(got.exitCode, 1)
    assert.match(got.stdout, /Importing IPAM resources\nPartial success: applied the first 6 out of 7 resources:\n$/)
    assert.equal(got.stderr, `hit error(s): [error trying to create IPAM handle ${key}: key already exists: ${key}]\n`)
    assert.equal((await readRaw(localConfig(target.env), key))[key], other)
  })
})

describe('datastore migrate import: bad input is one line and writes nothing', () => {
  let valid: string
  let scratch: Store
  before(async () => {
    scratch = newStore()
    valid = await exportOf(await seededStore())
  })

  const cases: Array<{name: string; text: (valid: string) => string; stderr: RegExp}> = [
    {
      name: 'a file without the === sections',
      text: (v) => sections(v)[0],
      stderr: /^error while reading migration file: imported file: \S+ is improperly formatted\. Try recreating with 'calicoctl export'\n$/,
    },
    {
      name: 'a file with an extra section',
      text: (v) => `${v}===\n{}\n`,
      stderr: /^error while reading migration file: imported file: \S+ is improperly formatted\./,
    },
    {
      name: 'an invalid resource among valid ones (a multi-line reason is folded onto the line)',
      text: (v) => v.replace('cidr: 10.200.0.0/24', 'cidr: 10.200.0.1/24'),
      stderr:
        /^failed to import v3 resources: the file has invalid resources, nothing was imported: \[IPPool\(loadbalancer-ipv4\): error with the following fields: - {2}CIDR = '10\.200\.0\.1\/24' \(Reason: failed to validate Field: CIDR because of Tag: net \) - {2}IPpool\.CIDR = '10\.200\.0\.0\/24' \(IP pool CIDR is not strictly masked\)\]\n$/,
    },
    {
      name: 'an unknown field',
      text: (v) => v.replace('  spec:\n    allowedUses:', '  spec:\n    colour: blue\n    allowedUses:'),
      stderr: /^failed to import v3 resources: the file has invalid resources, nothing was imported: \[IPPool\(default-ipv4-ippool\): field in document is not recognized or is in the wrong location: colour\]\n$/,
    },
    {
      name: 'a read-only ClusterInformation among the resources',
      text: (v) => `apiVersion: projectcalico.org/v3\nkind: ClusterInformation\nmetadata:\n  name: default\nspec: {}\n---\n${v}`,
      stderr: /^failed to import v3 resources: the file has invalid resources, nothing was imported: \[operation apply is not supported on ClusterInformation: resource is readonly\]\n$/,
    },
    {
      name: 'cluster information that is not JSON',
      text: (v) => v.replace(/^===\n\{\n {2}"kind"/m, '===\n{\n  kind'),
      stderr: /^failed to update cluster information: error reading exported cluster info for migration: /,
    },
    {
      name: 'IPAM that is not JSON',
      text: (v) => v.replace(/\}\n$/, ''),
      stderr: /^failed to read IPAM resources: /,
    },
    {
      name: 'an IPAM key in the wrong group',
      text: (v) => v.replace('"Key": "/calico/ipam/v2/handle/ipip-tunnel-addr-node1"', '"Key": "/calico/resources/v3/projectcalico.org/ippools/evil"'),
      stderr: /^failed to read IPAM resources: "handles"\[0\]: \/calico\/resources\/v3\/projectcalico\.org\/ippools\/evil does not belong in "handles"\n$/,
    },
    {
      name: 'an unknown IPAM group',
      text: (v) => v.replace('"blocks": [', '"blokcs": ['),
      stderr: /^failed to read IPAM resources: unknown IPAM group "blokcs"/,
    },
  ]

  for (const c of cases) {
    test(c.name, async () => {
      const target = newStore()
      const file = writeFile(scratch, `bad-${cases.indexOf(c)}.txt`, c.text(valid))
      const got = await cli(target, 'datastore', 'migrate', 'import', '-f', file)
      assert.equal(got.exitCode, 1)
      assert.equal(got.stdout, '')
      assert.match(got.stderr, c.stderr)
      assert.equal(got.stderr.split('\n').length, 2, 'one line')
      assert.deepEqual(await readRaw(localConfig(target.env), '/calico/'), {}, 'nothing written, not even the lock')
    })
  }

  test('a missing file', async () => {
    const got = await cli(newStore(), 'datastore', 'migrate', 'import', '-f', '/nonexistent/export.txt')
    assert.deepEqual(got, {stdout: '', stderr: 'error while reading migration file: open /nonexistent/export.txt: no such file or directory\n', exitCode: 1})
  })

  test('--filename is required', async () => {
    const got = await cli(newStore(), 'datastore', 'migrate', 'import')
    assert.equal(got.exitCode, 1)
    assert.match(got.stderr, /^invalid option: 'calicoctl datastore migrate import'/)
  })
})

describe('datastore migrate: local → local → local round trip', () => {
  test('every resource and every IPAM key survives two migrations', async () => {
    const source = await seededStore()
    const middle = newStore()
    const last = newStore()
    const first = writeFile(source, 'first.txt', await exportOf(source))
    assert.equal((await cli(middle, 'datastore', 'migrate', 'import', '-f', first)).exitCode, 0)
    const second = writeFile(middle, 'second.txt', await exportOf(middle))
    assert.equal((await cli(last, 'datastore', 'migrate', 'import', '-f', second)).exitCode, 0)

    const expected = await snapshot(source.env)
    const items = expected.NetworkPolicy.split(/(?=^- apiVersion)/m)
    assert.ok(items.some((item) => item.includes('name: knp.default.allow-all')), 'the source has a mirrored policy')
    expected.NetworkPolicy = items.filter((item) => !item.includes('name: knp.default.')).join('')
    assert.doesNotMatch(expected.NetworkPolicy, /knp\.default/)
    assert.deepEqual(await snapshot(last.env), expected)
    assert.deepEqual(await readRaw(localConfig(last.env), '/calico/ipam/v2/'), IPAM_SEED)
    const [a, b] = [await clusterInformation(source), await clusterInformation(last)]
    assert.deepEqual([b.clusterGUID, b.datastoreReady], [a.clusterGUID, false])
  })
})
