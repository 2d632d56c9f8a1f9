import {Flags} from '@oclif/core'

import {CalicoCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'
import {allowVersionMismatchFlag, configFlag, logLevelFlag} from '../cli/flags.js'
import {clientVersionLines} from '../cli/version-info.js'
import {parseGoDuration} from '../cli/duration.js'

export default class Version extends CalicoCommand {
  static summary = 'Display the version of this binary and of the Calico cluster.'
  static description = `Prints the client version and git commit, then the cluster's Calico version and type from
ClusterInformation "default" (or "unknown"). --poll re-reads the cluster at that interval and prints
the cluster lines again only when they change. The version-mismatch check is never run here.`

  static examples = ['<%= config.bin %> version', '<%= config.bin %> version --client', '<%= config.bin %> version --poll=5s']

  static flags = {
    config: configFlag,
    poll: Flags.string({summary: 'Poll the cluster version at this interval (a Go duration such as 1s or 2m).', helpValue: '<POLL>'}),
    client: Flags.boolean({summary: 'Display the client version only.'}),
    'allow-version-mismatch': allowVersionMismatchFlag,
    'log-level': logLevelFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Version)
    this.out(clientVersionLines().join('\n'))
    if (flags.client) return
    const pollMs = flags.poll === undefined ? undefined : parseGoDuration(flags.poll)
    if (pollMs === null) throw new CliError(`invalid poll duration specified: time: invalid duration "${flags.poll}"`)
    let client
    try {
      client = await this.clientOrThrow(flags)
    } catch {
      this.out('Unable to detect installed Calico version')
      return
    }
    let previous = ''
    for (;;) {
      let lines: string
      try {
        lines = await this.clusterLines(client)
      } catch (error) {
        if (pollMs === undefined) throw new CliError(`unable to retrieve Cluster Version or Type: ${(error as Error).message}`)
        this.err(`unable to retrieve Cluster Version or Type: ${(error as Error).message}`)
        lines = previous
      }
      if (lines !== previous) this.out(lines)
      previous = lines
      if (pollMs === undefined) return
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
  }

  private async clusterLines(client: Awaited<ReturnType<Version['clientOrThrow']>>): Promise<string> {
    const info = await client.getOptional('ClusterInformation', 'default')
    const spec = (info?.spec ?? {}) as {calicoVersion?: string; clusterType?: string}
    return [`Cluster Version:   ${spec.calicoVersion || 'unknown'}`, `Cluster Type:      ${spec.clusterType || 'unknown'}`].join('\n')
  }
}
