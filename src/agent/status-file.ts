/**
 * The agent's status file: what `calicoctl node status` reads. Written atomically (temp file +
 * rename) after every apply, so a reader never sees half a file. The format is a contract with
 * src/commands/node/status.ts, which keeps its own copy of the field names (commands may not
 * import the agent): change both together.
 */
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

export const DEFAULT_STATUS_FILE = '/var/run/calico/agent-status.json'

export interface AgentStatus {
  readonly pid: number
  readonly nodeName: string
  readonly startedAt: string
  readonly ready: boolean
  /** Reasons the agent is not ready ('' entries never appear). */
  readonly notReady: readonly string[]
  /** ISO time of the last successful apply; undefined before the first. */
  readonly lastApply?: string
  readonly lastApplyDurationMs?: number
  readonly endpoints: number
  readonly policies: number
  readonly ipsets: number
}

export function writeStatusFile(path: string, status: AgentStatus): void {
  mkdirSync(dirname(path), {recursive: true})
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(status, null, 2)}\n`)
  renameSync(temp, path)
}

export function removeStatusFile(path: string): void {
  rmSync(path, {force: true})
}
