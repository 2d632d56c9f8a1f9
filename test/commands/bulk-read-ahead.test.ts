// A re-apply reads the current objects of the batch being gathered a chunk at a time, before the
// batch is complete (bulk-actions.ts readAhead), except chunks that share a key with the batch in
// flight, which are read only after it. Against a store that records its calls: the reads ahead
// happen, each chunk's read comes after every write of its keys that precedes it in the input,
// and the result is what one-at-a-time applies give.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

import {runFileAction} from '../../src/cli/file-action.js'
import type {Datastore} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {ResourceClient} from '../../src/datastore/resources.js'

const NAMES = 700

function documents(count: number, offset: number): string {
  return Array.from(
    {length: count},
    (_, i) =>
      `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p-${i % NAMES}, namespace: ns}\n` +
      `spec:\n  selector: all()\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination: {ports: [${i + offset}]}\n`,
  ).join('---\n')
}

let dir: string
let store: Datastore
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'calicoctl-read-ahead-'))
  store = await createDatastore({datastoreType: 'local', localDir: join(dir, 'store')})
})
after(async () => {
  await store.close()
  rmSync(dir, {recursive: true, force: true})
})

test('a re-apply reads ahead while gathering, never before an earlier write of the same key', async () => {
  const client = new ResourceClient(store)
  const first = join(dir, 'first.yaml')
  writeFileSync(first, documents(NAMES, 1))
  assert.equal((await runFileAction(client, 'apply', {filename: first}, () => undefined)).error, undefined)

  // 2,000 documents over 700 names: every name exists, and most recur within a batch or two.
  const again = join(dir, 'again.yaml')
  writeFileSync(again, documents(2000, 10_000))
  const events: Array<{call: 'read' | 'write' | 'get'; keys: string[]}> = []
  const recorder = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (property === 'getMany') {
        return (keys: string[]) => {
          events.push({call: 'read', keys})
          return target.getMany(keys)
        }
      }
      if (property === 'get') {
        return (key: string) => {
          events.push({call: 'get', keys: [key]})
          return target.get(key)
        }
      }
      if (property === 'batch') {
        return async (ops: Parameters<Datastore['batch']>[0]) => {
          // As on etcd, a write in flight is not applied at once: a read made meanwhile misses it.
          await new Promise((resolve) => setTimeout(resolve, 60))
          const results = await target.batch(ops)
          events.push({call: 'write', keys: ops.map((op) => op.key)})
          return results
        }
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  const lines: string[] = []
  const {error} = await runFileAction(new ResourceClient(recorder), 'apply', {filename: again}, (line) => lines.push(line))
  assert.equal(error, undefined)
  assert.deepEqual(lines, ["Successfully applied 2000 'NetworkPolicy' resource(s)"])

  const chunkReads = events.filter((e) => e.call === 'read' && e.keys.length === 100)
  assert.ok(chunkReads.length >= 5, `chunks were read ahead (${chunkReads.length})`)
  // A read made before an earlier document's write of the same key would make the update
  // conflict, and the resource would be retried alone (a get and a one-op write): none was.
  const retries = events.filter((e) => e.call === 'get' && e.keys[0].includes('/networkpolicies/'))
  assert.deepEqual(retries, [], 'no update was retried alone')
  // Documents i and i + 700 share a key, so the values tell the order: each is the last document's.
  const listed = await client.list('NetworkPolicy', 'ns')
  assert.equal(listed.items.length, NAMES)
  for (const item of listed.items) {
    const n = Number((item.metadata.name ?? '').slice(2))
    const last = n + NAMES * Math.floor((1999 - n) / NAMES)
    const port = (item.spec as {ingress: Array<{destination: {ports: number[]}}>}).ingress[0].destination.ports[0]
    assert.equal(port, last + 10_000, `${item.metadata.name} holds its last document's port`)
  }
})
