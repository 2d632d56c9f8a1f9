/** What the benchmarks share: timing of whole commands, plain statistics, the policy workload. */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'

export const bin = join(import.meta.dirname, '..', 'bin', 'run.js')

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
