import {hostname} from 'node:os'

import {Flags} from '@oclif/core'

import {
  AgentStartAborted,
  AgentStartError,
  canAdministerNetwork,
  createDataplane,
  DATAPLANE_KINDS,
  DEFAULT_STATUS_FILE,
  parseAutodetectionMethod,
  startAgent,
  type RunningAgent,
} from '../../agent/index.js'
import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {configFlag} from '../../cli/flags.js'
import {io} from '../../cli/io.js'
import {clientVersion} from '../../cli/version-info.js'

const portFlag = (summary: string) => Flags.integer({summary, min: 0, max: 65535, helpValue: '<PORT>'})

export default class NodeRun extends CalicoCommand {
  static summary = 'Run the Calico node agent on this host, in the foreground.'
  static description = `Registers this host as a Calico Node (name, IPv4 address, AS number), creates the cluster's
ClusterInformation and, when no IPv4 pool exists, the default pool (CALICO_IPV4POOL_CIDR, default
192.168.0.0/16; --no-default-ippools skips it). Then it watches the datastore, computes the policy
for the endpoints on this host and programs the dataplane, until SIGTERM or SIGINT.
Health is served on /liveness and /readiness (FelixConfiguration healthPort, default 9099); ready
after the first complete dataplane apply. Prometheus metrics are served on 9091 when
FelixConfiguration prometheusMetricsEnabled is true or --metrics-port is given. FELIX_<NAME>
environment variables override FelixConfiguration, as for Felix. JSON logs go to stderr; a status
file for "calicoctl node status" is written to --status-file.
When the datastore cannot be reached at start-up, the agent keeps retrying (1 s doubling to 30 s),
logging one line per attempt and reporting not ready on /readiness, and carries on once it answers.
It exits 1 with one line for what can never work: not root (nor CAP_NET_ADMIN) unless
--dataplane=none, iptables/ipset/ip/sysctl missing from PATH, an unknown iptables backend, a bad
configuration file or datastore type.`

  static examples = [
    '<%= config.bin %> node run',
    '<%= config.bin %> node run --name=node1 --ip=autodetect --ip-autodetection-method=can-reach=8.8.8.8',
    '<%= config.bin %> node run --ip=10.0.0.5/24 --as=64512 --log-level=debug',
    '<%= config.bin %> node run --dataplane=none --health-port=0',
  ]

  static flags = {
    config: configFlag,
    name: Flags.string({summary: 'The name of the Calico node; defaults to the hostname.', helpValue: '<NAME>'}),
    ip: Flags.string({summary: 'IPv4 address of this node (address or address/prefix), "autodetect" or "none".', helpValue: '<IP>'}),
    'ip-autodetection-method': Flags.string({
      summary: 'How to autodetect the IPv4 address.',
      description: 'first-found (default), can-reach=<DEST>, interface=<REGEX,...>, skip-interface=<REGEX,...>, cidr=<CIDR,...>.',
      default: 'first-found',
      helpValue: '<METHOD>',
    }),
    as: Flags.string({summary: 'The AS number of this node.', helpValue: '<AS_NUM>'}),
    'no-default-ippools': Flags.boolean({summary: 'Do not create the default IP pool when no pool exists.'}),
    dataplane: Flags.string({summary: 'The dataplane to program.', description: '"none" computes policy but programs nothing.', options: [...DATAPLANE_KINDS], default: 'iptables'}),
    'health-port': portFlag('Port for /liveness and /readiness (overrides FelixConfiguration healthPort; 0 picks a free port).'),
    'metrics-port': portFlag('Serve Prometheus metrics on this port (overrides FelixConfiguration; 0 picks a free port).'),
    'status-file': Flags.string({summary: 'Where to write the agent status read by "node status".', default: DEFAULT_STATUS_FILE, helpValue: '<FILE>'}),
    'log-level': Flags.string({char: 'l', summary: 'Agent log level (panic, fatal, error, warn, info, debug); default FelixConfiguration logSeverityScreen, else info.', helpValue: '<level>'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(NodeRun)
    if (flags.dataplane !== 'none' && !canAdministerNetwork()) this.failOnStdout('Need super user privileges: Operation not permitted')
    if (flags['ip-autodetection-method']) {
      try {
        parseAutodetectionMethod(flags['ip-autodetection-method'])
      } catch (error) {
        throw new CliError((error as Error).message)
      }
    }
    const asNumber = flags.as === undefined ? undefined : Number(flags.as)
    if (asNumber !== undefined && !(Number.isInteger(asNumber) && asNumber > 0 && asNumber <= 4294967295)) throw new CliError(`invalid AS number: ${flags.as}`)
    const client = await this.client(flags)
    // Signals are caught from here on: one arriving while the datastore is awaited ends the start-up.
    const aborter = new AbortController()
    const signals = catchSignals()
    void signals.received.then(() => aborter.abort())
    let agent: RunningAgent | undefined
    // The refresh timer starts after the first apply, so the agent (and its logger) exists by then.
    const dataplane = createDataplane(flags.dataplane === 'none' ? 'none' : 'iptables', {
      onError: (error) => agent?.logger.error({err: String(error)}, 'dataplane refresh failed'),
    })
    try {
      agent = await startAgent({
        datastore: client.datastore,
        dataplane,
        nodeName: flags.name ?? hostname().split('.')[0],
        ip: flags.ip,
        ipAutodetectionMethod: flags['ip-autodetection-method'],
        asNumber,
        noDefaultPools: flags['no-default-ippools'],
        calicoVersion: clientVersion().version,
        healthPort: flags['health-port'],
        metricsPort: flags['metrics-port'],
        logLevel: flags['log-level'],
        statusFile: flags['status-file'],
        logSink: {write: (line) => io.stderr.write(line)},
        requireTools: flags.dataplane !== 'none',
        signal: aborter.signal,
      })
    } catch (error) {
      signals.release()
      await dataplane.close()
      if (error instanceof AgentStartAborted) return
      if (error instanceof AgentStartError) throw new CliError(error.message)
      throw error
    }
    await signals.received
    await agent.stop()
  }
}

/**
 * `received` resolves on the first SIGTERM or SIGINT; the handlers are then removed, so a second
 * signal kills. `release()` removes them without waiting (start-up failed).
 */
function catchSignals(): {received: Promise<void>; release: () => void} {
  let release = () => {}
  const received = new Promise<void>((resolve) => {
    const done = () => {
      release()
      resolve()
    }
    release = () => {
      process.off('SIGTERM', done)
      process.off('SIGINT', done)
    }
    process.on('SIGTERM', done)
    process.on('SIGINT', done)
  })
  return {received, release}
}
