import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {datastoreFlags} from '../../cli/flags.js'
import {IPAMClient, parseAddr, parseNet, type AssignedIP, type Net} from '../../ipam/index.js'

export default class IpamAssign extends CalicoCommand {
  static summary = 'Allocate addresses from Calico IPAM for a node, under a handle (not in calicoctl).'
  static description = `For bare-metal workloads and CI that need Calico-managed addresses without a CNI plugin.
Addresses come from the node's affine blocks first, then new blocks, then (without strict affinity)
borrowed from other blocks, exactly as the CNI plugin's allocations do; pools are chosen by their
nodeSelector (the Node resource's labels; a node without a Node resource has no labels), or named with
--pool. --num addresses are allocated per family; the families are those of the --pool CIDRs, else
--family. The request is all or nothing: if any family comes up short, everything this run took is
released again and the command fails. --ip allocates one given address instead. The allocated
addresses are printed one per line. Release them with \`ipam release --handle\`.`

  static examples = [
    '<%= config.bin %> ipam assign --node=rack1-host3 --handle=bm-web-1',
    '<%= config.bin %> ipam assign --node=rack1-host3 --handle=bm-web-1 --num=4 --family=dual',
    '<%= config.bin %> ipam assign --node=rack1-host3 --handle=bm-db --ip=10.65.0.20 --attr namespace=db',
  ]

  static flags = {
    node: Flags.string({summary: 'Node (host) the addresses are for.', required: true, helpValue: '<NODE>'}),
    handle: Flags.string({summary: 'Allocation handle to record the addresses under.', required: true, helpValue: '<HANDLE>'}),
    ip: Flags.string({summary: 'Allocate this specific address.', helpValue: '<IP>', exclusive: ['num', 'pool', 'family']}),
    pool: Flags.string({summary: 'Allocate from this pool CIDR (repeatable).', helpValue: '<CIDR>', multiple: true}),
    num: Flags.integer({summary: 'Number of addresses per family.', default: 1, helpValue: '<K>'}),
    family: Flags.string({summary: 'Address families when no --pool is given.', options: ['4', '6', 'dual'], default: '4'}),
    attr: Flags.string({summary: 'Attribute KEY=VALUE stored with the allocation (repeatable), e.g. namespace=prod.', multiple: true}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(IpamAssign)
    const attrs = parseAttrs(flags.attr ?? [])
    if (flags.handle === '' || flags.handle.includes('/')) throw new CliError(`invalid handle ${JSON.stringify(flags.handle)}: it must be non-empty and contain no "/"`)
    if (flags.node === '' || flags.node.includes('/')) throw new CliError(`invalid node name ${JSON.stringify(flags.node)}`)
    if (flags.num < 1) throw new CliError(`invalid --num ${flags.num}: it must be at least 1`)
    const pools: Net[] = (flags.pool ?? []).map((text) => {
      const net = parseNet(text)
      if (!net) throw new CliError(`invalid pool CIDR: ${text}`)
      return net
    })
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    await client.ensureInitialized()
    const ipam = new IPAMClient(client.datastore)
    let assigned: AssignedIP[]
    if (flags.ip !== undefined) {
      const addr = parseAddr(flags.ip)
      if (!addr) this.failOnStdout(`Error executing command: invalid IP address specified: ${flags.ip}`)
      assigned = [await ipam.assignIP({addr, host: flags.node, handleId: flags.handle, attrs})]
    } else {
      const families = pools.length > 0 ? new Set(pools.map((p) => p.version)) : new Set(flags.family === 'dual' ? [4, 6] : [Number(flags.family)])
      const result = await ipam.assign({
        host: flags.node,
        handleId: flags.handle,
        attrs,
        pools,
        num4: families.has(4) ? flags.num : 0,
        num6: families.has(6) ? flags.num : 0,
      })
      assigned = [...result.v4, ...result.v6]
    }
    this.out(assigned.map((ip) => ip.address).join('\n'))
  }
}

function parseAttrs(pairs: readonly string[]): Record<string, string> {
  const attrs: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new CliError(`invalid attribute ${pair}: expected KEY=VALUE`)
    const key = pair.slice(0, eq)
    if (key === 'node') throw new CliError('the node attribute is set from --node')
    attrs[key] = pair.slice(eq + 1)
  }
  return attrs
}
