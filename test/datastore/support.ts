/**
 * Helpers for the datastore conformance suite: bounded waiting, watch collectors, and child
 * processes (workers) that are always reaped, also when a test fails.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {DatastoreConfig} from '../../src/datastore/config.js'
import type {Datastore, WatchEvent, WatchHandle} from '../../src/datastore/datastore.js'

const here = dirname(fileURLToPath(import.meta.url))
/** Repository root: `--import tsx` is resolved from the child's working directory. */
export const REPO_ROOT = join(here, '..', '..')

export function workerPath(name: string): string {
  return join(here, 'workers', `${name}.ts`)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `predicate` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(2)
  }
}

/** sha256 of a value body; workers embed it so a torn write would be detected. */
export function checksum(body: string): string {
  return createHash('sha256').update(body).digest('hex')
}

/** Everything a watch delivered, with arrival times, plus its error if it ended. */
export interface Collector {
  readonly events: WatchEvent[]
  /** Date.now() at which each event arrived (parallel to `events`). */
  readonly arrivals: number[]
  /** Number of onEvents calls. */
  calls: number
  error: Error | undefined
  handle: WatchHandle
  waitForCount(count: number, timeoutMs?: number): Promise<void>
  waitForError(timeoutMs?: number): Promise<Error>
}

export function collect(ds: Datastore, prefix: string, fromRevision: number): Collector {
  const c: Collector = {
    events: [],
    arrivals: [],
    calls: 0,
    error: undefined,
    handle: {close: async () => {}},
    async waitForCount(count, timeoutMs = 10_000) {
      await waitFor(`${count} watch events on ${prefix} (have ${c.events.length})`, () => {
        if (c.error !== undefined) throw c.error
        return c.events.length >= count
      }, timeoutMs)
    },
    async waitForError(timeoutMs = 10_000) {
      await waitFor(`watch error on ${prefix}`, () => c.error !== undefined, timeoutMs)
      return c.error as Error
    },
  }
  c.handle = ds.watch(prefix, fromRevision, {
    onEvents(events) {
      c.calls++
      const now = Date.now()
      for (const e of events) {
        c.events.push(e)
        c.arrivals.push(now)
      }
    },
    onError(error) {
      c.error = error
    },
  })
  return c
}

export function eventKey(e: WatchEvent): string {
  return e.type === 'put' ? e.kv.key : e.key
}

export function eventRevision(e: WatchEvent): number {
  return e.type === 'put' ? e.kv.modRevision : e.modRevision
}

/** A running worker process with its output captured. */
export interface Worker {
  readonly child: ChildProcess
  readonly lines: string[]
  stderr(): string
  /** Resolves with the exit code (or signal name); rejects after timeoutMs. */
  exited(timeoutMs?: number): Promise<number | string>
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>
}

/** Owns the datastores and processes a test opens, and releases them all at the end. */
export class Resources {
  private readonly stores: Datastore[] = []
  private readonly workers: Worker[] = []
  private readonly watches: WatchHandle[] = []

  track<T extends Datastore>(ds: T): T {
    this.stores.push(ds)
    return ds
  }

  trackWatch<T extends {handle: WatchHandle}>(c: T): T {
    this.watches.push(c.handle)
    return c
  }

  spawnWorker(name: string, config: DatastoreConfig, args: string[]): Worker {
    const child = spawn(process.execPath, ['--import', 'tsx', workerPath(name), JSON.stringify(config), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, NO_COLOR: '1'},
    })
    const lines: string[] = []
    let partial = ''
    let err = ''
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      lines.push(...parts)
    })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      err += chunk
    })
    const exit = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    })
    const worker: Worker = {
      child,
      lines,
      stderr: () => err,
      async exited(timeoutMs = 60_000) {
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`worker ${name} did not exit within ${timeoutMs} ms; stderr: ${err}`)),
            timeoutMs,
          )
        })
        try {
          return await Promise.race([exit, timeout])
        } finally {
          clearTimeout(timer)
        }
      },
      async waitForLine(predicate, timeoutMs = 30_000) {
        let found: string | undefined
        await waitFor(`a line from worker ${name}`, () => {
          found = lines.find(predicate)
          if (found === undefined && child.exitCode !== null) {
            throw new Error(`worker ${name} exited with ${child.exitCode}; stderr: ${err}`)
          }
          return found !== undefined
        }, timeoutMs)
        return found as string
      },
    }
    this.workers.push(worker)
    return worker
  }

  /** Kills any worker still running, closes watches and stores. Never throws. */
  async release(): Promise<void> {
    for (const w of this.workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL')
        await w.exited(10_000).catch(() => undefined)
      }
    }
    for (const h of this.watches) await h.close().catch(() => undefined)
    for (const ds of this.stores) await ds.close().catch(() => undefined)
  }
}
