import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {parse} from 'yaml'

import {renderGetOutput} from '../../src/cli/output/index.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {runCli, tempStore} from '../helpers/cli.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'resources')

describe('get', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  before(async () => {
    store = tempStore()
    assert.equal((await cli('apply', '-f', join(fixtures, 'pools.yaml'))).exitCode, 0)
    assert.equal((await cli('apply', '-f', join(fixtures, 'policies.yaml'))).exitCode, 0)
  })
  after(() => store.cleanup())

  test('ps lists a kind as a table', async () => {
    const result = await cli('get', 'ippools')
    assert.equal(result.exitCode, 0, result.stderr)
    const lines = result.stdout.split('\n')
    assert.match(lines[0], /^NAME\s+CIDR\s+SELECTOR\s*$/)
    assert.ok(lines.some((line) => /^pool-a\s+10\.10\.0\.0\/16\s+all\(\)/.test(line)))
    assert.equal(lines.at(-1), '')
  })

  test('namespaced kinds list the default namespace unless -n or -A', async () => {
    const none = await cli('get', 'networkpolicy')
    assert.doesNotMatch(none.stdout, /allow-web/)
    const prod = await cli('get', 'networkpolicy', '-n', 'prod')
    assert.match(prod.stdout, /^NAMESPACE\s+NAME\s+TIER/)
    assert.match(prod.stdout, /prod\s+allow-web\s+default/)
    const all = await cli('get', 'policies', '-A', '-o', 'wide')
    assert.match(all.stdout, /dev\s+default-deny\s+default/)
    assert.match(all.stdout, /ORDER\s+SELECTOR/)
  })

  test('a list prints as one <Kind>List in yaml and json', async () => {
    const yaml = parse((await cli('get', 'ippool', '-o', 'yaml')).stdout)
    assert.equal(yaml.kind, 'IPPoolList')
    assert.equal(yaml.apiVersion, 'projectcalico.org/v3')
    assert.equal(yaml.items.length, 3)
    assert.match(yaml.metadata.resourceVersion, /^\d+$/)
    const json = JSON.parse((await cli('get', 'ippool', '-o', 'json')).stdout)
    assert.deepEqual(
      json.items.map((p: {metadata: {name: string}}) => p.metadata.name),
      ['pool-a', 'pool-b', 'pool-v6'],
    )
  })

  test('one name prints a bare object; several print a sequence', async () => {
    const one = parse((await cli('get', 'ippool', 'pool-a', '-o', 'yaml')).stdout)
    assert.equal(one.kind, 'IPPool')
    const two = parse((await cli('get', 'ippool', 'pool-a', 'pool-b', '-o', 'yaml')).stdout)
    assert.ok(Array.isArray(two))
    assert.equal(two.length, 2)
  })

  test('policies read back with their tier and tier label', async () => {
    const policy = JSON.parse((await cli('get', 'networkpolicy', 'allow-db', '-n', 'prod', '-o', 'json')).stdout)
    assert.equal(policy.spec.tier, 'default')
    assert.equal(policy.metadata.labels['projectcalico.org/tier'], 'default')
    assert.deepEqual(policy.spec.types, ['Ingress', 'Egress'], 'types inferred from the rules')
  })

  test('--export strips cluster-specific metadata of named gets', async () => {
    const result = parse((await cli('get', 'ippool', 'pool-a', '-o', 'yaml', '--export')).stdout)
    assert.equal(result.metadata.resourceVersion, undefined)
    assert.equal(result.metadata.uid, undefined)
    assert.equal(result.metadata.creationTimestamp ?? undefined, undefined)
  })

  test('get -o yaml output is valid input for apply', async () => {
    const out = await cli('get', 'networkpolicy', '-A', '-o', 'yaml')
    const file = join(store.dir, 'roundtrip.yaml')
    writeFileSync(file, out.stdout)
    const applied = await cli('apply', '-f', file)
    assert.deepEqual([applied.exitCode, applied.stdout], [0, "Successfully applied 3 'NetworkPolicy' resource(s)\n"])
  })

  test('a missing name prints the found ones and reports the missing one', async () => {
    const result = await cli('get', 'ippool', 'pool-a', 'nope', '-o', 'custom-columns=NAME,CIDR')
    assert.equal(result.exitCode, 1)
    assert.match(result.stdout, /pool-a\s+10\.10\.0\.0\/16/)
    assert.equal(result.stderr, 'resource does not exist: IPPool(nope) with error: <nil>\n')
  })

  test('an unknown kind and bad output formats are single clear lines', async () => {
    const kind = await cli('get', 'widgets')
    assert.deepEqual([kind.exitCode, kind.stderr], [1, "failed to get resources: resource type 'widgets' is not supported\n"])
    const format = await cli('get', 'ippools', '-o', 'xml')
    assert.deepEqual([format.exitCode, format.stderr], [1, "unrecognized output format 'xml'\n"])
    const column = await cli('get', 'ippools', '-o', 'custom-columns=NAME,BOGUS')
    assert.equal(column.exitCode, 1)
    assert.match(column.stderr, /unknown heading BOGUS, valid values are:/)
  })

  test('-A with a single namespaced name is refused', async () => {
    const result = await cli('get', 'networkpolicy', 'allow-web', '-A')
    assert.deepEqual([result.exitCode, result.stderr], [1, 'cannot use --all-namespace flag for getting a single resource\n'])
  })

  test('-n on a cluster-scoped kind is refused', async () => {
    const result = await cli('get', 'ippools', '-n', 'prod')
    assert.deepEqual([result.exitCode, result.stderr], [1, 'IPPool is not namespaced\n'])
  })

  test('go-template runs over the results with Go field names', async () => {
    const result = await cli('get', 'ippool', '-o', 'go-template={{range .}}{{range .Items}}{{.ObjectMeta.Name}}={{.Spec.CIDR}};{{end}}{{end}}')
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(result.stdout, 'pool-a=10.10.0.0/16;pool-b=10.20.0.0/16;pool-v6=fd00:10::/48;')
    const asn = await cli('get', 'ippool', 'pool-a', '-o', 'go-template={{config "asnumber"}}')
    assert.equal(asn.stdout, '64512')
  })

  test('get -f reads names from a file', async () => {
    const result = await cli('get', '-f', join(fixtures, 'pools.yaml'), '-o', 'custom-columns=NAME')
    assert.equal(result.exitCode, 0, result.stderr)
    // calicoctl prints one table per result object.
    assert.deepEqual(result.stdout.trim().split(/\s*\n+/), ['NAME', 'pool-a', 'NAME', 'pool-b', 'NAME', 'pool-v6'])
  })
})

describe('get of a list larger than one page', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})
  const COUNT = 1200
  before(async () => {
    store = tempStore()
    const docs: string[] = []
    for (let i = 0; i < COUNT; i++) {
      // Names and namespaces whose key order differs from creation order and from number order.
      docs.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: p-${(i * 7919) % COUNT}
  namespace: ns-${i % 3}
  labels: {team: "t-${i % 5}"}
  annotations: {note: "a<${i % 5}>&c"}
spec:
  order: ${i}
  selector: app == "a-${i % 11}"
  ingress:
  - action: Allow
    source:
      selector: role == "r"
`)
    }
    const file = join(store.dir, 'many.yaml')
    writeFileSync(file, docs.join('---\n'))
    const result = await cli('apply', '-f', file)
    assert.equal(result.exitCode, 0, result.stderr)
  })
  after(() => store.cleanup())

  // The reference: the whole list read at once and rendered at once (the non-streaming path).
  async function wholeList(format: 'yaml' | 'json' | 'ps' | 'wide', namespace?: string): Promise<string> {
    const datastore = await createDatastore({datastoreType: 'local', localDir: store.env.CALICO_DATASTORE_DIR})
    try {
      const list = await new ResourceClient(datastore).list('NetworkPolicy', namespace)
      return renderGetOutput({
        format: {kind: format},
        results: list.items,
        isList: true,
        listKind: 'NetworkPolicy',
        listResourceVersion: String(list.revision),
        namespaceColumn: namespace === undefined,
      })
    } finally {
      await datastore.close()
    }
  }

  for (const format of ['yaml', 'json', 'ps', 'wide'] as const) {
    test(`-o ${format} prints exactly what the whole list renders to`, async () => {
      const all = await cli('get', 'networkpolicy', '-A', '-o', format)
      assert.equal(all.exitCode, 0, all.stderr)
      assert.equal(all.stdout, await wholeList(format))
      const one = await cli('get', 'networkpolicy', '-n', 'ns-1', '-o', format)
      assert.equal(one.exitCode, 0, one.stderr)
      assert.ok(one.stdout.length > 0)
      if (format === 'yaml' || format === 'json') assert.equal(one.stdout, await wholeList(format, 'ns-1'))
    })
  }

  test('the paged list has every resource once, in key order', async () => {
    const result = await cli('get', 'networkpolicy', '-A', '-o', 'json')
    const list = JSON.parse(result.stdout) as {items: Array<{metadata: {name: string; namespace: string}}>}
    const keys = list.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`)
    assert.equal(keys.length, COUNT)
    assert.deepEqual(keys, [...keys].sort())
    assert.equal(new Set(keys).size, COUNT)
  })
})
