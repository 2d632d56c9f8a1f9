import {readFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../cli/base-command.js'
import {allowVersionMismatchFlag} from '../../cli/flags.js'

/** src/agent/status-file.ts writes this (commands may not import the agent; keep the two in step). */
const DEFAULT_STATUS_FILE = '/var/run/calico/agent-status.json'

interface AgentStatusFile {
  pid?: number
  nodeName?: string
  startedAt?: string
  ready?: boolean
  notReady?: string[]
  lastApply?: string
  lastApplyDurationMs?: number
  endpoints?: number
  policies?: number
  ipsets?: number
}

export default class NodeStatus extends CalicoCommand {
  static summary = 'Check the status of the Calico node agent on this host.'
  static description = `Reads the status file the agent writes ("node run --status-file") and checks that its
process is alive. Prints "Calico process is running." with readiness, the last dataplane apply and
the local endpoint and active policy counts, or "Calico process is not running." and exits 1.
BGP peer status comes with the BIRD integration; until then the BGP line reports BIRD as not
running. Needs root.`

  static examples = ['<%= config.bin %> node status', '<%= config.bin %> node status --status-file=/tmp/agent-status.json']

  static flags = {
    'allow-version-mismatch': allowVersionMismatchFlag,
    'status-file': Flags.string({summary: 'The agent status file to read.', default: DEFAULT_STATUS_FILE, helpValue: '<FILE>'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(NodeStatus)
    if (process.getuid?.() !== 0) this.failOnStdout('Need super user privileges: Operation not permitted')
    const status = readStatus(flags['status-file'])
    if (!status || status.pid === undefined || !processAlive(status.pid)) this.failOnStdout('Calico process is not running.')
    this.out('Calico process is running.')
    this.out('\n')
    this.out('Agent status')
    const rows: Array<[string, string]> = [
      ['Node name', status.nodeName ?? ''],
      ['PID', String(status.pid)],
      ['Started', status.startedAt ?? ''],
      ['Ready', status.ready ? 'yes' : `no (${(status.notReady ?? []).join('; ')})`],
      ['Last apply', status.lastApply ? `${status.lastApply} (${status.lastApplyDurationMs ?? 0} ms)` : 'never'],
      ['Local endpoints', String(status.endpoints ?? 0)],
      ['Active policies', String(status.policies ?? 0)],
      ['Active IP sets', String(status.ipsets ?? 0)],
    ]
    for (const [name, value] of rows) this.out(`  ${`${name}:`.padEnd(17)}${value}`)
    this.out('\n')
    this.out('The BGP backend process (BIRD) is not running.')
    this.out('\n')
  }
}

function readStatus(path: string): AgentStatusFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AgentStatusFile
  } catch {
    return undefined
  }
}

/** Signal 0 checks existence; EPERM means it exists but belongs to someone else. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
