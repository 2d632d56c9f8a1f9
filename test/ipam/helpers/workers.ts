/**
 * Runs N allocate workers (test/ipam/workers/allocate.ts) in parallel against one datastore:
 * starts them all, releases them together, and collects their results. Every child is killed if
 * the caller's run fails or times out.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import type {DatastoreConfig} from '../../../src/datastore/config.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')
const WORKER = join(import.meta.dirname, '..', 'workers', 'allocate.ts')

export interface WorkerResult {
  ips: string[]
  ms: number
  errors: string[]
}

export interface RunResult {
  workers: WorkerResult[]
  /** Wall time from "go" until the last worker finished. */
  wallMs: number
}

/** On each host, one worker is a long-lived caching client and the next reads afresh per request. */
export async function runAllocators(config: DatastoreConfig, workers: number, perWorker: number, hosts: number): Promise<RunResult> {
  const children: ChildProcess[] = []
  try {
    const started = Array.from({length: workers}, (_, w) => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config), String(perWorker), `node-${w % hosts}`, `w${w}`, Math.floor(w / hosts) % 2 === 0 ? 'cache' : 'fresh'], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      children.push(child)
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
      const lines = createInterface({input: child.stdout as NodeJS.ReadableStream})
      const ready = new Promise<void>((resolve, reject) => {
        lines.once('line', (line) => (line === 'ready' ? resolve() : reject(new Error(`worker ${w}: ${line}`))))
        child.once('exit', (code) => reject(new Error(`worker ${w} exited ${code} before ready: ${stderr}`)))
      })
      const done = new Promise<WorkerResult>((resolve, reject) => {
        lines.on('line', (line) => {
          if (line !== 'ready') resolve(JSON.parse(line) as WorkerResult)
        })
        child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker ${w} exited ${code}: ${stderr}`))))
      })
      return {child, ready, done}
    })
    await Promise.all(started.map((s) => s.ready))
    const go = performance.now()
    for (const s of started) s.child.stdin?.write('go\n')
    const results = await Promise.all(started.map((s) => s.done))
    return {workers: results, wallMs: performance.now() - go}
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  }
}
