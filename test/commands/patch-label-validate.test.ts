import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {runCli, tempStore} from '../helpers/cli.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'resources')

describe('patch and label', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  const pool = async (name: string) => JSON.parse((await cli('get', 'ippool', name, '-o', 'json')).stdout)
  before(async () => {
    store = tempStore()
    await cli('apply', '-f', join(fixtures, 'pools.yaml'))
  })
  after(() => store.cleanup())

  test('a strategic merge patch changes only what it names', async () => {
    const result = await cli('patch', 'ippool', 'pool-a', '-p', '{"spec":{"natOutgoing":true},"metadata":{"labels":{"zone":"a"}}}')
    assert.deepEqual([result.exitCode, result.stdout], [0, "Successfully patched 1 'IPPool' resource\n"])
    const patched = await pool('pool-a')
    assert.equal(patched.spec.natOutgoing, true)
    assert.equal(patched.spec.cidr, '10.10.0.0/16')
    assert.equal(patched.metadata.labels.zone, 'a')
  })

  test('a json patch applies RFC 6902 operations', async () => {
    const result = await cli('patch', 'ippool', 'pool-a', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/labels/zone"}]')
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal((await pool('pool-a')).metadata.labels?.zone, undefined)
  })

  test('a patch that makes the resource invalid changes nothing', async () => {
    const before_ = await pool('pool-b')
    const result = await cli('patch', 'ippool', 'pool-b', '-p', '{"spec":{"ipipMode":"Sometimes"}}')
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /^hit error: /)
    assert.deepEqual(await pool('pool-b'), before_)
  })

  test('patching a missing resource', async () => {
    const result = await cli('patch', 'ippool', 'nope', '-p', '{}')
    assert.deepEqual([result.exitCode, result.stderr], [1, 'hit error: resource does not exist: IPPool(nope) with error: <nil>\n'])
  })

  test('label set, update, overwrite and remove', async () => {
    const set = await cli('label', 'ippools', 'pool-b', 'rack=r1')
    assert.equal(set.stdout, 'Successfully set label rack on ippools pool-b\n')
    const clash = await cli('label', 'ippools', 'pool-b', 'rack=r2')
    assert.deepEqual(
      [clash.exitCode, clash.stderr],
      [1, "failed to update label of ippools pool-b, key rack is already present. please use '--overwrite' to set a new value\n"],
    )
    const same = await cli('label', 'ippools', 'pool-b', 'rack=r1')
    assert.equal(same.stdout, 'Successfully updated label rack on ippools pool-b\n')
    const overwrite = await cli('label', 'ippools', 'pool-b', 'rack=r2', '--overwrite')
    assert.equal(overwrite.stdout, 'Successfully updated label rack on ippools pool-b\n')
    assert.equal((await pool('pool-b')).metadata.labels.rack, 'r2')
    const removed = await cli('label', 'ippools', 'pool-b', 'rack', '--remove')
    assert.equal(removed.stdout, 'Successfully removed label rack from ippools pool-b\n')
    const again = await cli('label', 'ippools', 'pool-b', 'rack', '--remove')
    assert.deepEqual([again.exitCode, again.stderr], [1, 'cannot remove label of ippools pool-b, key rack does not exist\n'])
  })

  test('label errors', async () => {
    const invalid = await cli('label', 'ippool', 'pool-b', 'a=b=c')
    assert.deepEqual([invalid.exitCode, invalid.stderr], [1, 'invalid label a=b=c\n'])
    const missing = await cli('label', 'ippool', 'nope', 'a=b')
    assert.deepEqual([missing.exitCode, missing.stderr], [1, 'ippool nope not found\n'])
    const badKey = await cli('label', 'ippool', 'pool-b', 'bad key=b')
    assert.deepEqual([badKey.exitCode, badKey.stderr], [1, 'failed to update ippool pool-b, label not changed\n'])
  })
})

describe('validate', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: {...store.env, CALICO_DATASTORE_DIR: '/nonexistent/never-created'}})
  before(() => {
    store = tempStore()
  })
  after(() => store.cleanup())

  test('valid input needs no datastore', async () => {
    const result = await cli('validate', '-f', join(fixtures, 'policies.yaml'))
    assert.deepEqual([result.exitCode, result.stdout, result.stderr], [0, "Successfully validated 3 'NetworkPolicy' resource(s)\n", ''])
  })

  test('invalid documents are reported with calicoctl\'s verdicts', async () => {
    const result = await cli('validate', '-f', join(fixtures, 'pools-one-bad.yaml'))
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, "Partial success: validated the first 3 out of 4 'IPPool' resources:\n")
    assert.match(result.stderr, /^hit error\(s\): \[IPPool\(bad-mask\): error with the following fields:\n[\s\S]*IP pool CIDR is not strictly masked/)
  })

  test('a directory, recursively', async () => {
    const dir = join(store.dir, 'tree')
    const sub = join(dir, 'sub')
    await import('node:fs').then((fs) => fs.mkdirSync(sub, {recursive: true}))
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t1}\nspec: {order: 1}\n')
    writeFileSync(join(sub, 'b.yml'), 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t2}\nspec: {order: 2}\n')
    writeFileSync(join(sub, 'notes.txt'), 'not a resource')
    const flat = await cli('validate', '-f', dir)
    assert.equal(flat.stdout, "Successfully validated 1 'Tier' resource(s)\n")
    const deep = await cli('validate', '-f', dir, '-R')
    assert.equal(deep.stdout, "Successfully validated 2 'Tier' resource(s)\n")
  })
})
