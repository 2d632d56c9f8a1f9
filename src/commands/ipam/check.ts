import {writeFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {datastoreFlags} from '../../cli/flags.js'
import {io} from '../../cli/io.js'
import {startProgress} from '../../cli/progress.js'
import {clientVersion} from '../../cli/version-info.js'
import {analyse, encodeReport, IPAMClient, loadCheckInputs} from '../../ipam/index.js'

export default class IpamCheck extends CalicoCommand {
  static summary = 'Check the integrity of the IPAM data against the nodes and workload endpoints using addresses.'
  static description = `Prints calicoctl's progress lines and counts: addresses allocated in IPAM but used by nothing
(leaked), addresses in use but not allocated (inside or outside the active pools), handles with no
addresses, and handles named in blocks that do not exist. "In use" means a node tunnel address
(VXLAN, WireGuard, IPIP) or a WorkloadEndpoint address. The exit code is 0 even when problems are
found. -o writes the JSON report that \`ipam release --from-report\` takes; generate it while the data
store is locked. On a terminal a progress bar is drawn on stderr for large stores.`

  static examples = [
    '<%= config.bin %> ipam check',
    '<%= config.bin %> ipam check --show-problem-ips',
    '<%= config.bin %> ipam check -o report.json',
  ]

  static flags = {
    output: Flags.string({char: 'o', summary: 'Path to output report file.', helpValue: '<FILE>'}),
    'show-all-ips': Flags.boolean({summary: 'Print all IPs that are checked.'}),
    'show-problem-ips': Flags.boolean({summary: 'Print all IPs that are leaked or not allocated properly.'}),
    kubeconfig: Flags.string({summary: 'Path to Kubeconfig file (accepted for compatibility; not used).', helpValue: '<KUBECONFIG>'}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(IpamCheck)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const ipam = new IPAMClient(client.datastore)
    const inputs = await loadCheckInputs(ipam.ctx)
    const progress = await startProgress('Checking IPAM blocks', inputs.blocks.length)
    // While a bar is drawn on the terminal, stdout lines wait so the two do not interleave.
    const buffered = io.stdout.isTTY && io.stderr.isTTY
    const lines: string[] = []
    const print = buffered ? (line: string) => void lines.push(line) : (line: string) => this.out(`${line}\n`)
    const showAll = flags['show-all-ips']
    const result = analyse(
      inputs,
      {showAllIPs: showAll, showProblemIPs: showAll || flags['show-problem-ips'], version: clientVersion().version, onBlock: () => progress.advance()},
      print,
    )
    progress.stop()
    if (buffered) this.out(`${lines.join('\n')}\n`)
    if (flags.output !== undefined) {
      try {
        writeFileSync(flags.output, encodeReport(result.report), {mode: 0o777})
      } catch (error) {
        throw new CliError(`failed to write the report to ${flags.output}: ${(error as Error).message}`)
      }
    }
  }
}
