import assert from 'node:assert/strict'
import {symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {API_VERSION} from '../../src/api/resource.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {resourceKey} from '../../src/datastore/resources.js'
import {runBin, runCli, tempStore} from '../helpers/cli.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'resources')

describe('version, options and configuration', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  before(() => {
    store = tempStore()
  })
  after(() => store.cleanup())

  test('version --client prints the client lines only', async () => {
    const result = await cli('version', '--client')
    assert.equal(result.exitCode, 0)
    assert.match(result.stdout, /^Client Version: {4}v\d+\.\d+\.\d+\nGit commit: {8}\S+\n$/)
  })

  test('version reads the cluster lines from ClusterInformation', async () => {
    const before_ = await cli('version')
    assert.match(before_.stdout, /Cluster Version: {3}unknown\nCluster Type: {6}unknown\n$/)
    await cli('apply', '-f', join(fixtures, 'pools.yaml'))
    const datastore = await createDatastore({datastoreType: 'local', localDir: store.env.CALICO_DATASTORE_DIR})
    try {
      const key = resourceKey('ClusterInformation', 'default')
      const kv = await datastore.get(key)
      assert.ok(kv, 'apply initialised ClusterInformation')
      const info = JSON.parse(kv.value)
      info.spec.calicoVersion = 'v3.32.1'
      info.spec.clusterType = 'bgp,typha'
      await datastore.update(key, JSON.stringify(info), kv.modRevision)
    } finally {
      await datastore.close()
    }
    const after_ = await cli('version')
    assert.match(after_.stdout, /Cluster Version: {3}v3\.32\.1\nCluster Type: {6}bgp,typha\n$/)
  })

  test('a cluster on another version stops resource commands unless allowed', async () => {
    const datastore = await createDatastore({datastoreType: 'local', localDir: store.env.CALICO_DATASTORE_DIR})
    try {
      const key = resourceKey('ClusterInformation', 'default')
      const kv = (await datastore.get(key))!
      const info = JSON.parse(kv.value)
      info.spec.calicoVersion = 'v3.31.0'
      await datastore.update(key, JSON.stringify(info), kv.modRevision)
    } finally {
      await datastore.close()
    }
    const refused = await cli('get', 'ippools')
    assert.equal(refused.exitCode, 1)
    assert.match(
      refused.stderr,
      /^failed to get resources: version mismatch\.\nClient Version: {3}v\S+\nCluster Version: {2}3\.31\.0\nUse --allow-version-mismatch to override\n$/,
    )
    const allowed = await cli('get', 'ippools', '--allow-version-mismatch')
    assert.equal(allowed.exitCode, 0, allowed.stderr)
    const globalForm = await cli('--allow-version-mismatch', 'get', 'ippools')
    assert.equal(globalForm.exitCode, 0, 'global options are accepted before the command')
    const validate = await cli('validate', '-f', join(fixtures, 'policies.yaml'))
    assert.equal(validate.exitCode, 0, 'validate never runs the version check')
  })

  test('errors are red only on a terminal, and never with NO_COLOR', async () => {
    const red = '\x1b[31m'
    const tty = await runCli(['get', 'widgets', '--allow-version-mismatch'], {env: {...store.env, NO_COLOR: undefined}, tty: true})
    assert.ok(tty.stderr.startsWith(red), JSON.stringify(tty.stderr))
    const noColor = await runCli(['get', 'widgets', '--allow-version-mismatch'], {env: {...store.env, NO_COLOR: '1'}, tty: true})
    assert.equal(noColor.stderr, "failed to get resources: resource type 'widgets' is not supported\n")
    const pipe = await runCli(['get', 'widgets', '--allow-version-mismatch'], {env: {...store.env, NO_COLOR: undefined}})
    assert.equal(pipe.stderr, "failed to get resources: resource type 'widgets' is not supported\n")
  })

  test('an unknown option is calicoctl\'s "invalid option"', async () => {
    const result = await cli('apply', '--bogus')
    assert.deepEqual(
      [result.exitCode, result.stderr],
      [1, "invalid option: 'calicoctl apply --bogus'. Use flag '--help' to read about a specific subcommand\n"],
    )
  })

  test('an unknown command names it and exits 1', async () => {
    const result = await cli('frobnicate')
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /^unknown command: "frobnicate"\n/)
  })

  test('a bad log level is refused', async () => {
    const result = await cli('-l', 'loud', 'get', 'ippools')
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, /^Unknown log level: loud, expected one of:\npanic, fatal, error, warn, info, debug\.\n$/)
  })

  test('a -c path that does not exist is reported on stdout', async () => {
    const result = await cli('get', 'ippools', '-c', '/nonexistent/calicoctl.cfg')
    assert.deepEqual([result.exitCode, result.stdout], [1, 'Error reading config file: /nonexistent/calicoctl.cfg\n'])
  })

  test('a config file is used alone, ignoring the environment', async () => {
    const other = join(store.dir, 'other-store')
    const cfg = join(store.dir, 'calicoctl.cfg')
    writeFileSync(cfg, `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n  datastoreType: local\n  datastoreDir: ${other}\n`)
    const result = await cli('get', 'ippools', '-c', cfg, '-o', 'custom-columns=NAME')
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(result.stdout.trim(), 'NAME', 'the file chose an empty store, not CALICO_DATASTORE_DIR')
  })

  test('a config file of the wrong kind is refused', async () => {
    const cfg = join(store.dir, 'wrong.cfg')
    writeFileSync(cfg, `apiVersion: projectcalico.org/v3\nkind: IPPool\nspec: {}\n`)
    const result = await cli('get', 'ippools', '-c', cfg)
    assert.equal(result.exitCode, 1)
    assert.equal(result.stdout, "Failed to create Calico API client: invalid config file: expected kind 'CalicoAPIConfig', got 'IPPool'\n")
  })

  test('CALICO_-prefixed variables win over the plain ones', async () => {
    const other = join(store.dir, 'prefixed-store')
    const result = await runCli(['get', 'ippools', '-o', 'custom-columns=NAME'], {
      env: {...store.env, CALICO_DATASTORE_DIR: other, DATASTORE_DIR: store.env.CALICO_DATASTORE_DIR},
    })
    assert.equal(result.stdout.trim(), 'NAME')
  })

  test('stdin input through the installed entry point', () => {
    const text = `apiVersion: ${API_VERSION}\nkind: GlobalNetworkSet\nmetadata: {name: from-stdin}\nspec: {nets: [192.0.2.0/24]}\n`
    const result = runBin(['apply', '-f', '-', '--allow-version-mismatch'], {env: store.env, input: text})
    assert.deepEqual([result.exitCode, result.stdout, result.stderr], [0, "Successfully applied 1 'GlobalNetworkSet' resource(s)\n", ''])
  })

  test('run as kubectl-calico, help names the plugin', () => {
    const link = join(store.dir, 'kubectl-calico')
    symlinkSync(join(import.meta.dirname, '..', '..', 'bin', 'run.js'), link)
    const result = runBin(['apply', '--help'], {env: store.env, bin: link})
    assert.equal(result.exitCode, 0)
    assert.match(result.stdout, /\$ kubectl-calico apply/)
    assert.doesNotMatch(result.stdout, /\$ calicoctl /)
    const root = runBin(['--help'], {env: store.env, bin: link})
    assert.match(root.stdout, /The calico kubectl plugin is used to manage Calico network and security policy/)
  })
})
