// Shared by the agent tests: a fresh local store, a second connection to it (another "process"
// writing), and a datastore wrapper whose connection can be cut and restored.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Resource} from '../../src/api/resource.js'
import {UnavailableError, type Datastore, type WatchHandle, type WatchListener} from '../../src/datastore/datastore.js'
import {createDatastore} from '../../src/datastore/factory.js'
import {ResourceClient} from '../../src/datastore/resources.js'
import {RecordingDataplane} from '../../src/dataplane/recording.js'

export interface TempStore {
  readonly dir: string
  open(): Promise<Datastore>
  cleanup(): void
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'agent-test-'))
  return {
    dir,
    open: () => createDatastore({datastoreType: 'local', localDir: join(dir, 'store')}),
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/**
 * A Datastore whose link can be cut: while down, every call fails with UnavailableError and open
 * watches report it (as an etcd client does when the server goes away).
 */
export class FlakyDatastore implements Datastore {
  readonly type = 'local' as const
  private down = false
  private readonly listeners = new Set<WatchListener>()

  constructor(private readonly inner: Datastore) {}

  cut(): void {
    this.down = true
    for (const listener of this.listeners) listener.onError(new UnavailableError('connection refused'))
    this.listeners.clear()
  }

  /** Ends every open watch with `error` while the store stays up (e.g. a CompactedError). */
  breakWatches(error: Error): void {
    for (const listener of this.listeners) listener.onError(error)
    this.listeners.clear()
  }

  restore(): void {
    this.down = false
  }

  private check(): void {
    if (this.down) throw new UnavailableError('connection refused')
  }

  async get(key: string) {
    this.check()
    return this.inner.get(key)
  }
  async getMany(keys: readonly string[]) {
    this.check()
    return this.inner.getMany(keys)
  }
  async list(prefix: string, options?: Parameters<Datastore['list']>[1]) {
    this.check()
    return this.inner.list(prefix, options)
  }
  async create(key: string, value: string) {
    this.check()
    return this.inner.create(key, value)
  }
  async update(key: string, value: string, expectedRevision?: number) {
    this.check()
    return this.inner.update(key, value, expectedRevision)
  }
  async delete(key: string, expectedRevision?: number) {
    this.check()
    return this.inner.delete(key, expectedRevision)
  }
  async batch(ops: Parameters<Datastore['batch']>[0]) {
    this.check()
    return this.inner.batch(ops)
  }
  async transact(ops: Parameters<Datastore['transact']>[0]) {
    this.check()
    return this.inner.transact(ops)
  }
  async revision() {
    this.check()
    return this.inner.revision()
  }
  watch(prefix: string, fromRevision: number, listener: WatchListener): WatchHandle {
    if (this.down) {
      queueMicrotask(() => listener.onError(new UnavailableError('connection refused')))
      return {close: async () => undefined}
    }
    const own: WatchListener = {
      onEvents: (events) => {
        if (!this.down) listener.onEvents(events)
      },
      onError: (error) => listener.onError(error),
    }
    this.listeners.add(listener)
    const handle = this.inner.watch(prefix, fromRevision, own)
    return {
      close: async () => {
        this.listeners.delete(listener)
        await handle.close()
      },
    }
  }
  async compact(revision: number) {
    return this.inner.compact(revision)
  }
  async close() {
    return this.inner.close()
  }
}

export const wep = (name: string, node: string, ip: string, labels: Record<string, string> = {}): Resource => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'WorkloadEndpoint',
  metadata: {name: `${node}-k8s-${name}-eth0`, namespace: 'default', labels: {'projectcalico.org/namespace': 'default', ...labels}},
  spec: {node, orchestrator: 'k8s', pod: name, endpoint: 'eth0', interfaceName: `cali${name}`, ipNetworks: [`${ip}/32`], profiles: ['kns.default']},
})

export const gnp = (name: string, selector: string): Resource => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: {name},
  spec: {selector, ingress: [{action: 'Allow', source: {selector: 'role == "client"'}}], types: ['Ingress']},
})

/** Polls until check() returns true (bounded); the failure names what was awaited. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting for: ${what}`)
}

export const clientOf = (datastore: Datastore) => new ResourceClient(datastore)

/** A recording dataplane whose apply() can be held until released, or made to fail a number of times. */
export class GatedDataplane extends RecordingDataplane {
  failures = 0
  failWith = 'iptables-restore: exit status 4'
  private gate?: Promise<void>
  private release?: () => void
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve))
  }
  open(): void {
    this.release?.()
    this.gate = undefined
  }
  override async apply(): Promise<void> {
    await this.gate
    if (this.failures > 0) {
      this.failures--
      throw new Error(this.failWith)
    }
    return super.apply()
  }
}
