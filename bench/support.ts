/** What the benchmarks share: timing of whole commands, plain statistics, the policy workload. */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

const root = join(import.meta.dirname, '..')
export const bin = join(root, 'bin', 'run.js')

/** A module of the compiled dist/ (what bin/run.js runs), by its path under dist/. */
const loadDist = (path: string): Promise<unknown> => import(pathToFileURL(join(root, 'dist', path)).href)

/**
 * The apply pipeline and what it needs, from the compiled dist/ that bin/run.js runs (so `npm run
 * build` first), for benchmarks that call the command's code in-process.
 */
export async function loadBuilt(): Promise<{
  runFileAction: typeof import('../src/cli/file-action.js').runFileAction
  createDatastore: typeof import('../src/datastore/factory.js').createDatastore
  ResourceClient: typeof import('../src/datastore/resources.js').ResourceClient
}> {
  const [action, factory, resources] = await Promise.all([
    loadDist('cli/file-action.js') as Promise<typeof import('../src/cli/file-action.js')>,
    loadDist('datastore/factory.js') as Promise<typeof import('../src/datastore/factory.js')>,
    loadDist('datastore/resources.js') as Promise<typeof import('../src/datastore/resources.js')>,
  ])
  return {runFileAction: action.runFileAction, createDatastore: factory.createDatastore, ResourceClient: resources.ResourceClient}
}

/**
 * The calc graph and the iptables dataplane from the compiled dist/ that `calicoctl node run`
 * runs (so `npm run build` first), for benchmarks that drive them in-process.
 */
export async function loadBuiltDataplane(): Promise<{
  CalcGraph: typeof import('../src/calc/index.js').CalcGraph
  keyOf: typeof import('../src/calc/index.js').keyOf
  IptablesDataplane: typeof import('../src/dataplane/index.js').IptablesDataplane
  inNetns: typeof import('../src/dataplane/index.js').inNetns
  runCmd: typeof import('../src/dataplane/index.js').runCmd
}> {
  const [calc, dataplane] = await Promise.all([
    loadDist('calc/index.js') as Promise<typeof import('../src/calc/index.js')>,
    loadDist('dataplane/index.js') as Promise<typeof import('../src/dataplane/index.js')>,
  ])
  return {CalcGraph: calc.CalcGraph, keyOf: calc.keyOf, IptablesDataplane: dataplane.IptablesDataplane, inNetns: dataplane.inNetns, runCmd: dataplane.runCmd}
}

/** Runs a command to completion; returns wall milliseconds. Throws if it fails. */
export function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, args, {env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000})
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Runs `calicoctl ARGS` (bin/run.js) to completion; returns wall milliseconds. */
export function timeCli(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  return timeCommand(process.execPath, [bin, ...args], env)
}

/**
 * Runs `calicoctl ARGS` through GNU time's -f %M, so the peak resident set size of that one
 * process is known too; stdout is discarded. Returns wall milliseconds and peak RSS in KiB.
 */
export function timeCliWithRss(args: string[], env: NodeJS.ProcessEnv = process.env): {ms: number; maxRssKiB: number} {
  const start = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 30,
    timeout: 600_000,
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`calicoctl ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  const lines = result.stderr.trim().split('\n')
  return {ms, maxRssKiB: Number(lines.at(-1))}
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The NetworkPolicy workload the apply benchmarks share: `count` realistic policies as one YAML stream. */
export function policyDocuments(count: number): string {
  const docs: string[] = []
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: policy-${i}
  namespace: ns-${i % 50}
spec:
  order: ${i}
  selector: app == "app-${i % 200}"
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: role == "frontend-${i % 20}"
    destination:
      ports: [80, 443, "8000:8100"]
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports: [53]
`)
  }
  return docs.join('---\n')
}
