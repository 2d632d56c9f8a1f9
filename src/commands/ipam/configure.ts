import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {datastoreFlags} from '../../cli/flags.js'
import {IPAMClient} from '../../ipam/index.js'

/** Go's strconv.ParseBool. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}

export default class IpamConfigure extends CalicoCommand {
  static summary = 'Modify the configuration of Calico IP address management.'
  static description = `--strictaffinity=true forbids borrowing addresses from blocks affine to other nodes.
--max-blocks-per-host limits the blocks a node may claim (0: no configured limit, which means 20;
a non-zero limit requires strict affinity). --kubevirt-ip-persistence is Enabled or Disabled.
StrictAffinity and AutoAllocateBlocks cannot both be off. The configuration is stored at
/calico/ipam/v2/config, where Calico's etcd mode keeps it.`

  static examples = [
    '<%= config.bin %> ipam configure --strictaffinity=true',
    '<%= config.bin %> ipam configure --strictaffinity=true --max-blocks-per-host=4',
  ]

  static flags = {
    strictaffinity: Flags.string({summary: 'Set StrictAffinity to true/false.', helpValue: '<true/false>'}),
    'max-blocks-per-host': Flags.string({summary: 'Set the maximum number of blocks that can be affine to a host.', helpValue: '<number>'}),
    'kubevirt-ip-persistence': Flags.string({
      summary: 'Control whether KubeVirt VMs retain persistent IP addresses across lifecycle events.',
      helpValue: '<Enabled|Disabled>',
    }),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(IpamConfigure)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    let strict: boolean | undefined
    if (flags.strictaffinity !== undefined && flags.strictaffinity !== '') {
      strict = parseGoBool(flags.strictaffinity)
      if (strict === undefined) throw new CliError('invalid value. Use true or false to set strictaffinity')
    }
    let maxBlocks: number | undefined
    if (flags['max-blocks-per-host'] !== undefined && flags['max-blocks-per-host'] !== '') {
      if (!/^[+-]?\d+$/.test(flags['max-blocks-per-host'])) throw new CliError('invalid value for maxblockhost. Use a valid number')
      maxBlocks = Number(flags['max-blocks-per-host'])
    }
    const persistence = flags['kubevirt-ip-persistence']
    if (persistence !== undefined && persistence !== '' && persistence !== 'Enabled' && persistence !== 'Disabled') {
      throw new CliError('invalid value for --kubevirt-ip-persistence. Use Enabled or Disabled')
    }
    if (strict === undefined && maxBlocks === undefined && !persistence) throw new CliError('at least one configuration option must be specified')
    const ipam = new IPAMClient(client.datastore)
    const current = await ipam.getConfig()
    try {
      await ipam.setConfig({
        ...current,
        ...(strict !== undefined ? {strictAffinity: strict} : {}),
        ...(maxBlocks !== undefined ? {maxBlocksPerHost: maxBlocks} : {}),
        ...(persistence ? {kubeVirtVMAddressPersistence: persistence} : {}),
      })
    } catch (error) {
      throw new CliError(`error: ${(error as Error).message}`)
    }
    if (strict !== undefined) this.out(`Successfully set StrictAffinity to: ${strict}`)
    if (maxBlocks !== undefined) this.out(`Successfully set MaxBlocksPerHost to: ${maxBlocks}`)
    if (persistence) this.out(`Successfully set KubeVirtVMAddressPersistence to: ${persistence}`)
  }
}
