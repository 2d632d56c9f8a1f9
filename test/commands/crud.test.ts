import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {runCli, tempStore} from '../helpers/cli.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'resources')
const fixture = (name: string) => join(fixtures, name)

describe('create, apply, replace', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  before(() => {
    store = tempStore()
  })
  after(() => store.cleanup())

  test('apply of a single-kind file reports the kind and count', async () => {
    const result = await cli('apply', '-f', fixture('pools.yaml'))
    assert.equal(result.stderr, '')
    assert.equal(result.stdout, "Successfully applied 3 'IPPool' resource(s)\n")
    assert.equal(result.exitCode, 0)
  })

  test('create of existing resources fails for each, naming them', async () => {
    const result = await cli('create', '-f', fixture('pools.yaml'))
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      "failed to create any 'IPPool' resources: [resource already exists: IPPool(pool-a) resource already exists: IPPool(pool-b) resource already exists: IPPool(pool-v6)]\n",
    )
  })

  test('create --skip-exists treats existing resources as success', async () => {
    const result = await cli('create', '-f', fixture('pools.yaml'), '--skip-exists')
    assert.deepEqual([result.exitCode, result.stdout], [0, "Successfully created 3 'IPPool' resource(s)\n"])
  })

  test('defaults are filled in and read back', async () => {
    const result = await cli('get', 'ippool', 'pool-a', '-o', 'json')
    assert.equal(result.exitCode, 0, result.stderr)
    const pool = JSON.parse(result.stdout)
    assert.equal(pool.spec.blockSize, 26)
    assert.equal(pool.spec.ipipMode, 'Never')
    assert.equal(pool.spec.vxlanMode, 'Never')
    assert.equal(pool.spec.nodeSelector, 'all()')
    assert.match(pool.metadata.resourceVersion, /^\d+$/)
    assert.match(pool.metadata.uid, /^[0-9a-f-]{36}$/)
    const v6 = JSON.parse((await cli('get', 'ippool', 'pool-v6', '-o', 'json')).stdout)
    assert.equal(v6.spec.blockSize, 122)
  })

  test('partial success: valid documents are applied and the bad one is reported', async () => {
    const result = await cli('apply', '-f', fixture('pools-one-bad.yaml'))
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, "Partial success: applied the first 3 out of 4 'IPPool' resources:\n")
    assert.equal(
      result.stderr,
      "hit error(s): [IPPool(bad-mask): error with field IPPool.Spec.CIDR = '10.34.0.0/16' (IPPool CIDR is not strictly masked)]\n",
    )
    const listed = await cli('get', 'ippools', '-o', 'custom-columns=NAME')
    assert.match(listed.stdout, /good-1/)
    assert.doesNotMatch(listed.stdout, /bad-mask/)
  })

  test('overlapping pools are refused with clientv3 wording', async () => {
    const file = join(store.dir, 'overlap.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: inner}\nspec: {cidr: 10.10.8.0/24}\n')
    const result = await cli('create', '-f', file)
    assert.equal(result.exitCode, 1)
    assert.equal(
      result.stderr,
      "failed to create 'IPPool' resource: [IPPool(inner): error with field IPPool.Spec.CIDR = '10.10.8.0/24' (IPPool(inner) CIDR overlaps with IPPool(pool-a) CIDR 10.10.0.0/16)]\n",
    )
  })

  test('an immutable field cannot change on apply', async () => {
    const file = join(store.dir, 'immutable.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool-b}\nspec: {cidr: 10.21.0.0/16}\n')
    const result = await cli('apply', '-f', file)
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /IPPool CIDR cannot be modified/)
    const pool = JSON.parse((await cli('get', 'ippool', 'pool-b', '-o', 'json')).stdout)
    assert.equal(pool.spec.cidr, '10.20.0.0/16', 'the failed write left the store as it was')
  })

  test('replace of a missing resource reproduces calicoctl\'s partial-success quirk', async () => {
    const file = join(store.dir, 'missing.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: nope}\nspec: {cidr: 10.99.0.0/16}\n')
    const result = await cli('replace', '-f', file)
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, "Partial success: replaced the first 1 out of 1 'IPPool' resources:\n")
    assert.equal(result.stderr, 'hit error: resource does not exist: IPPool(nope) with error: <nil>\n')
  })

  test('replace with a stale resourceVersion is an update conflict', async () => {
    const current = JSON.parse((await cli('get', 'ippool', 'pool-a', '-o', 'json')).stdout)
    const stale = Number(current.metadata.resourceVersion) - 1
    const file = join(store.dir, 'stale.yaml')
    writeFileSync(
      file,
      `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool-a, resourceVersion: "${stale}"}\nspec: {cidr: 10.10.0.0/16, natOutgoing: true}\n`,
    )
    const result = await cli('replace', '-f', file)
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /^hit error: update conflict: IPPool\(pool-a\)\n$/)
    const ok = await cli('replace', '-f', fixture('pools.yaml'))
    assert.deepEqual([ok.exitCode, ok.stdout], [0, "Successfully replaced 3 'IPPool' resource(s)\n"])
  })

  test('a document with an unknown field fails alone, naming kind, name and field', async () => {
    const result = await cli('apply', '-f', fixture('unknown-field.yaml'))
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, '')
    assert.match(
      result.stderr,
      /^hit error\(s\): \[GlobalNetworkSet\(typo-set\): field in document is not recognized or is in the wrong location: .*netz.*\]\n$/,
    )
    const good = await cli('get', 'globalnetworkset', 'good-set', '-o', 'yaml')
    assert.equal(good.exitCode, 0, 'the valid document of the same file was applied')
  })

  test('a <Kind>List is expanded into its items', async () => {
    const result = await cli('apply', '-f', fixture('mixed-list.json'))
    assert.deepEqual([result.exitCode, result.stdout], [0, "Successfully applied 2 'GlobalNetworkSet' resource(s)\n"])
  })

  test('a policy in a tier that does not exist is refused', async () => {
    const file = join(store.dir, 'tiered.yaml')
    writeFileSync(
      file,
      'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p1}\nspec: {tier: missing, selector: all()}\n',
    )
    const result = await cli('create', '-f', file)
    assert.equal(result.exitCode, 1)
    assert.equal(
      result.stderr,
      "failed to create 'GlobalNetworkPolicy' resource: [resource does not exist: Tier(missing) with error: <nil>]\n",
    )
  })

  test('namespaced policies default to the "default" namespace and honour -n', async () => {
    const applied = await cli('apply', '-f', fixture('policies.yaml'))
    assert.deepEqual([applied.exitCode, applied.stdout], [0, "Successfully applied 3 'NetworkPolicy' resource(s)\n"])
    const mismatch = await cli('apply', '-f', fixture('policies.yaml'), '-n', 'staging')
    assert.equal(mismatch.exitCode, 1)
    assert.match(mismatch.stderr, /resource namespace does not match client namespace\. prod != staging/)
  })

  test('a namespace on a cluster-scoped kind is refused', async () => {
    const file = join(store.dir, 'ns.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t1, namespace: x}\nspec: {order: 10}\n')
    const result = await cli('apply', '-f', file)
    assert.equal(
      result.stderr,
      "failed to apply 'Tier' resource: [namespace should not be specified for a non-namespaced resource. Tier is not a namespaced resource]\n",
    )
  })

  test('ClusterInformation is read-only', async () => {
    const file = join(store.dir, 'ci.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: ClusterInformation\nmetadata: {name: default}\nspec: {}\n')
    const result = await cli('apply', '-f', file)
    assert.equal(
      result.stderr,
      "failed to apply 'ClusterInformation' resource: [operation apply is not supported on ClusterInformation: resource is readonly]\n",
    )
  })

  test('knp.default. policies are refused', async () => {
    const file = join(store.dir, 'knp.yaml')
    writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: knp.default.web}\nspec: {}\n')
    const result = await cli('apply', '-f', file)
    assert.match(result.stderr, /kubernetes network policies must be managed through the kubernetes API/)
  })

  test('empty input is an error unless --skip-empty', async () => {
    const file = join(store.dir, 'empty.yaml')
    writeFileSync(file, '# nothing here\n')
    const failed = await cli('apply', '-f', file)
    assert.deepEqual([failed.exitCode, failed.stderr], [1, `no resources specified in file ${file}\n`])
    const skipped = await cli('apply', '-f', file, '--skip-empty')
    assert.deepEqual([skipped.exitCode, skipped.stdout], [0, 'No resources specified\n'])
  })

  test('a missing file is one clear line', async () => {
    const result = await cli('apply', '-f', '/nonexistent/file.yaml')
    assert.deepEqual([result.exitCode, result.stderr], [1, 'failed to execute command: open /nonexistent/file.yaml: no such file or directory\n'])
  })
})

describe('bulk writes', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  const policies = (count: number, port: (i: number) => number) =>
    Array.from(
      {length: count},
      (_, i) =>
        `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p-${i}, namespace: ns-${i % 3}, labels: {gen: "${port(i)}"}}\n` +
        `spec:\n  selector: all()\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination: {ports: [${port(i)}]}\n`,
    ).join('---\n')
  before(() => {
    store = tempStore()
  })
  after(() => store.cleanup())

  test('re-applying more than a batch, half changed and some new, matches one-at-a-time semantics', async () => {
    const first = join(store.dir, 'first.yaml')
    writeFileSync(first, policies(1200, () => 80))
    assert.equal((await cli('apply', '-f', first)).stdout, "Successfully applied 1200 'NetworkPolicy' resource(s)\n")
    const before_ = JSON.parse((await cli('get', 'networkpolicy', 'p-7', '-n', 'ns-1', '-o', 'json')).stdout)
    const second = join(store.dir, 'second.yaml')
    writeFileSync(second, policies(1500, (i) => (i % 2 ? 81 : 80)))
    const result = await cli('apply', '-f', second)
    assert.deepEqual([result.exitCode, result.stdout, result.stderr], [0, "Successfully applied 1500 'NetworkPolicy' resource(s)\n", ''])
    const all = JSON.parse((await cli('get', 'networkpolicy', '-A', '-o', 'json')).stdout)
    assert.equal(all.items.length, 1500)
    for (const item of all.items) {
      const i = Number(item.metadata.name.slice(2))
      assert.equal(item.spec.ingress[0].destination.ports[0], i % 2 ? 81 : 80, item.metadata.name)
      assert.equal(item.metadata.labels.gen, String(i % 2 ? 81 : 80))
    }
    const after_ = JSON.parse((await cli('get', 'networkpolicy', 'p-7', '-n', 'ns-1', '-o', 'json')).stdout)
    assert.equal(after_.metadata.uid, before_.metadata.uid, 'an update keeps the stored uid')
    assert.equal(after_.metadata.creationTimestamp, before_.metadata.creationTimestamp)
    assert.notEqual(after_.metadata.resourceVersion, before_.metadata.resourceVersion)
    const removed = await cli('delete', '-f', second)
    assert.equal(removed.stdout, "Successfully deleted 1500 'NetworkPolicy' resource(s)\n")
    const none = JSON.parse((await cli('get', 'networkpolicy', '-A', '-o', 'json')).stdout)
    assert.equal(none.items.length, 0)
  })

  test('batches written while later ones are prepared keep input order across batches', async () => {
    // p-0 again 1,100 documents later (a later batch) must win; the tier, written alone in the
    // middle, must exist before the policy that names it is checked.
    const docs = policies(1200, () => 80).split('---\n')
    docs.splice(600, 0, 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t1}\nspec: {order: 10}\n')
    docs.splice(1100, 0, docs[0].replace('ports: [80]', 'ports: [99]'))
    docs.push('apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: t1.late, namespace: ns-0}\nspec: {tier: t1, selector: all()}\n')
    const file = join(store.dir, 'ordered.yaml')
    writeFileSync(file, docs.join('---\n'))
    const result = await cli('apply', '-f', file)
    assert.deepEqual([result.exitCode, result.stdout, result.stderr], [0, 'Successfully applied 1203 resource(s)\n', ''])
    const p0 = JSON.parse((await cli('get', 'networkpolicy', 'p-0', '-n', 'ns-0', '-o', 'json')).stdout)
    assert.equal(p0.spec.ingress[0].destination.ports[0], 99)
    const late = await cli('get', 'networkpolicy', 't1.late', '-n', 'ns-0', '-o', 'json')
    assert.equal(JSON.parse(late.stdout).spec.tier, 't1')
  })
})

describe('delete', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  before(async () => {
    store = tempStore()
    await cli('apply', '-f', fixture('pools.yaml'))
  })
  after(() => store.cleanup())

  test('by kind and names', async () => {
    const result = await cli('delete', 'pool', 'pool-a', 'pool-b')
    assert.deepEqual([result.exitCode, result.stdout], [0, "Successfully deleted 2 'IPPool' resource(s)\n"])
  })

  test('a missing resource fails unless --skip-not-exists', async () => {
    const failed = await cli('delete', 'ippool', 'pool-a', 'pool-v6')
    assert.equal(failed.exitCode, 1)
    assert.equal(failed.stdout, "Successfully deleted 1 'IPPool' resource(s)\n")
    assert.match(failed.stderr, /^Failed to delete 'IPPool' resource: resource does not exist: IPPool\(pool-a\) with error: <nil>\n/)
    const skipped = await cli('delete', 'ippool', 'pool-a', '--skip-not-exists')
    assert.deepEqual([skipped.exitCode, skipped.stdout], [0, "Successfully deleted 1 'IPPool' resource(s)\n"])
  })

  test('the default tier cannot be deleted', async () => {
    await cli('apply', '-f', fixture('pools.yaml'))
    const result = await cli('delete', 'tier', 'default')
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /operation Delete is not supported on default: Cannot delete default tier/)
  })

  test('an unknown kind is refused', async () => {
    const result = await cli('delete', 'widgets', 'a')
    assert.deepEqual([result.exitCode, result.stderr], [1, "resource type 'widgets' is not supported\n"])
  })
})
