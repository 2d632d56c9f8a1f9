// Large create/apply inputs are decoded and prepared by worker threads (src/cli/prepare). The
// same input run with workers and without, each into its own fresh store, must give the same
// report, the same error text and the same stored objects (uid and creationTimestamp aside),
// across every path a resource can take: prepared creates, refusals before and after the tier
// check, decode errors, kinds written alone, apply of existing objects, skip flags.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {runFileAction, type FileAction, type FileActionOptions} from '../../src/cli/file-action.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {PreparePool} from '../../src/cli/prepare/pool.js'
import {ResourceClient} from '../../src/datastore/resources.js'

const POLICIES = 1200

function policy(i: number, extra = ''): string {
  return `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: p-${i}
  namespace: ns-${i % 7}
  labels: {team: t${i % 3}}
spec:
  order: ${i}
  selector: app == "a-${i % 11}"
  ingress:
  - action: Allow
    protocol: TCP
    destination:
      ports: [80, "8000:8100"]
${extra}`
}

/** Mostly plain policies, with one of each special case every so often. */
function mixedInput(): string {
  const docs: string[] = []
  for (let i = 0; i < POLICIES; i++) {
    switch (i % 100) {
      case 3:
        docs.push(policy(i).replace('action: Allow', 'action: Allw')) // validation failure
        break
      case 5:
        docs.push(policy(i).replace('order:', 'ordr:')) // decode failure (unknown field)
        break
      case 7:
        docs.push(policy(i).replace('spec:\n', 'spec:\n  tier: missing\n')) // tier check fails first
        break
      case 9:
        docs.push(policy(i).replace('spec:\n', 'spec:\n  tier: missing\n').replace('action: Allow', 'action: Nope')) // tier error wins
        break
      case 11:
        docs.push(policy(i).replace('  namespace: ns', '  resourceVersion: "12"\n  namespace: ns')) // create refuses resourceVersion
        break
      case 13:
        docs.push(policy(i).replace('name: p-', 'name: knp.default.p-')) // not writable
        break
      case 15:
        docs.push(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: tier-${i}\nspec:\n  order: ${i}\n`) // written alone
        break
      case 17:
        docs.push(`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g-${i}\nspec:\n  tier: tier-${i - 2}\n  selector: all()\n`)
        break
      case 19:
        docs.push(`apiVersion: projectcalico.org/v3\nkind: NetworkPolicyList\nitems:\n- metadata: {name: l-${i}, namespace: x}\n  spec: {selector: all()}\n`)
        break
      case 21:
        docs.push('kind: [not, a, kind]\n') // not a resource
        break
      case 23:
        docs.push(policy(i).replace('  namespace: ns-' + (i % 7) + '\n', '')) // namespace from the flag or default
        break
      default:
        docs.push(policy(i))
    }
  }
  return docs.join('---\n')
}

interface Run {
  lines: string[]
  error?: string
  handled: number
  total: number
  stored: string[]
}

describe('prepare workers', () => {
  let dir: string
  const stores: Datastore[] = []
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'calicoctl-workers-'))
  })
  after(async () => {
    for (const store of stores) await store.close()
    rmSync(dir, {recursive: true, force: true})
  })

  let storeCount = 0
  async function freshClient(): Promise<ResourceClient> {
    const store = await createDatastore({datastoreType: 'local', localDir: join(dir, `store-${storeCount++}`)})
    stores.push(store)
    return new ResourceClient(store)
  }

  /** Stored values without the per-write stamps, in key order. */
  async function storedObjects(client: ResourceClient): Promise<string[]> {
    const {items} = await client.datastore.list('/calico/resources/v3/projectcalico.org/')
    return items.map((kv) => {
      const value = JSON.parse(kv.value) as {metadata: Record<string, unknown>; spec?: Record<string, unknown>}
      delete value.metadata.uid
      delete value.metadata.creationTimestamp
      // Random per store (ClusterInformation).
      delete value.spec?.clusterGUID
      return `${kv.key} ${JSON.stringify(value)}`
    })
  }

  async function run(client: ResourceClient, action: FileAction, options: FileActionOptions): Promise<Run> {
    const lines: string[] = []
    const {results, error} = await runFileAction(client, action, options, (line) => lines.push(line))
    return {lines, error, handled: results.handled, total: results.total, stored: await storedObjects(client)}
  }

  const file = () => {
    const path = join(dir, 'mixed.yaml')
    writeFileSync(path, mixedInput())
    return path
  }

  for (const [action, extra] of [
    ['create', {}],
    ['apply', {}],
    ['apply', {namespace: 'ns-3'}],
    ['create', {skipExists: true}],
  ] as Array<[FileAction, Partial<FileActionOptions>]>) {
    test(`${action} ${JSON.stringify(extra)}: with workers as without, on a fresh store and again on the same`, async () => {
      const filename = file()
      const [alone, pooled] = [await freshClient(), await freshClient()]
      // The second run meets every object the first one wrote: apply updates, create refuses.
      for (let pass = 0; pass < 2; pass++) {
        const want = await run(alone, action, {filename, workers: 0, ...extra})
        const jobsBefore = PreparePool.shared(2).jobsDone
        const got = await run(pooled, action, {filename, workers: 2, ...extra})
        assert.ok(PreparePool.shared(2).jobsDone >= jobsBefore + POLICIES / 200, 'the workers prepared the input')
        assert.deepEqual(got, want)
        assert.ok(want.total >= POLICIES)
        if (pass === 0) assert.ok(want.handled > 0 && want.error, `some written, failures reported (${want.handled} of ${want.total})`)
      }
    })
  }

  test('an input below the worker threshold runs on the main thread', async () => {
    const small = join(dir, 'small.yaml')
    writeFileSync(small, [policy(1), policy(2), policy(3)].join('---\n'))
    const [a, b] = [await freshClient(), await freshClient()]
    const jobsBefore = PreparePool.shared(2).jobsDone
    assert.deepEqual(await run(a, 'apply', {filename: small, workers: 2}), await run(b, 'apply', {filename: small, workers: 0}))
    assert.equal(PreparePool.shared(2).jobsDone, jobsBefore, 'no worker job for a small input')
  })
})
