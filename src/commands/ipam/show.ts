import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../cli/base-command.js'
import {datastoreFlags} from '../../cli/flags.js'
import {formatFloat} from '../../cli/output/gofloat.js'
import {addrString, IPAMClient, netString, nthAddr, parseAddr, renderBoxTable, type Attribute} from '../../ipam/index.js'

export default class IpamShow extends CalicoCommand {
  static summary = 'Show IP address usage, one address, borrowed addresses or the IPAM configuration.'
  static description = `Without options, prints one row per IP pool with its total, in-use and free addresses (as
calicoctl: capacity is the pool size, in-use is summed over its blocks). --show-blocks adds a row per
block, --show-borrowed lists addresses a node took from a block affine to another node, and
--show-configuration prints the IPAM configuration. --ip reports whether one address is allocated and
with which handle and attributes. When several options are given, the first of --ip, --show-blocks,
--show-borrowed, --show-configuration wins.`

  static examples = [
    '<%= config.bin %> ipam show',
    '<%= config.bin %> ipam show --show-blocks',
    '<%= config.bin %> ipam show --ip=10.65.0.3',
    '<%= config.bin %> ipam show --show-configuration',
  ]

  static flags = {
    ip: Flags.string({summary: 'Report whether this specific IP address is in use.', helpValue: '<IP>'}),
    'show-blocks': Flags.boolean({summary: 'Show detailed information for IP blocks as well as pools.'}),
    'show-borrowed': Flags.boolean({summary: 'Show detailed information for "borrowed" IP addresses.'}),
    'show-configuration': Flags.boolean({summary: 'Show current Calico IPAM configuration.'}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(IpamShow)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const ipam = new IPAMClient(client.datastore)
    if (flags.ip !== undefined) return this.showIP(ipam, flags.ip)
    if (flags['show-blocks']) return this.showUtilization(ipam, true)
    if (flags['show-borrowed']) return this.showBorrowed(ipam)
    if (flags['show-configuration']) return this.showConfiguration(ipam)
    return this.showUtilization(ipam, false)
  }

  private async showIP(ipam: IPAMClient, text: string): Promise<void> {
    const addr = parseAddr(text)
    if (!addr) this.failOnStdout(`Error executing command: invalid IP address specified: ${text}`)
    const attr = await ipam.getAssignmentAttributes(addr)
    const ip = addrString(addr)
    if (!attr) {
      this.out(`${ip} is not assigned`)
      return
    }
    this.out(`IP ${ip} is in use`)
    this.out(attr.handleId !== null ? `Handle ID: ${attr.handleId}` : 'Handle ID: <none>')
    this.out(ownerAttrs('Active Owner Attributes', attr.secondary) ?? 'No Active Owner attributes defined')
    const alternate = ownerAttrs('Alternate Owner Attributes', alternateOf(attr))
    if (alternate) this.out(alternate)
  }

  private async showUtilization(ipam: IPAMClient, showBlocks: boolean): Promise<void> {
    const rows: string[][] = []
    for (const pool of await ipam.getUtilization()) {
      const blockRows = pool.blocks.map((b) => usageRow('Block', netString(b.cidr), b.capacity - b.available, b.capacity))
      const inUse = pool.blocks.reduce((n, b) => n + b.capacity - b.available, 0)
      if (pool.cidr.prefix > 0) rows.push(usageRow('IP Pool', pool.cidrText, inUse, 2 ** ((pool.cidr.version === 4 ? 32 : 128) - pool.cidr.prefix)))
      if (showBlocks) rows.push(...blockRows)
    }
    this.out(renderBoxTable(['GROUPING', 'CIDR', 'IPS TOTAL', 'IPS IN USE', 'IPS FREE'], rows))
  }

  private async showBorrowed(ipam: IPAMClient): Promise<void> {
    const rows: string[][] = []
    let unclassified = 0
    for (const {value: b} of await ipam.ctx.store.listBlocks()) {
      const owner = b.affinity === null ? '' : (b.affinity.split(':')[1] ?? b.affinity)
      b.allocations.forEach((index, ordinal) => {
        if (index === null) return
        const attrs = b.attributes[index]?.secondary ?? {}
        const node = attrs.node
        if (node === undefined) {
          unclassified++
          return
        }
        if (node === owner) return
        const ns = attrs.namespace ?? ''
        let type = ''
        let to = ''
        if (attrs['vmi-name'] !== undefined) [type, to] = ['vmi', `${ns}/${attrs['vmi-name']}`]
        else if (attrs.pod !== undefined) [type, to] = ['pod', `${ns}/${attrs.pod}`]
        else if (attrs.type !== undefined) type = attrs.type
        const ip = addrString(nthAddr(b.cidr, ordinal))
        rows.push([ip, node, netString(b.cidr), owner, type, to])
      })
    }
    this.out(renderBoxTable(['IP', 'BORROWING-NODE', 'BLOCK', 'BLOCK OWNER', 'TYPE', 'ALLOCATED-TO'], rows))
    if (unclassified !== 0) {
      this.out(`\nNote: found ${unclassified} IP allocations without an explicit node association. Unable to determine if they are borrowed.`)
    }
  }

  private async showConfiguration(ipam: IPAMClient): Promise<void> {
    const config = await ipam.getConfig()
    const persistence = config.kubeVirtVMAddressPersistence
    this.out(
      renderBoxTable(
        ['PROPERTY', 'VALUE'],
        [
          ['StrictAffinity', String(config.strictAffinity)],
          ['AutoAllocateBlocks', String(config.autoAllocateBlocks)],
          ['MaxBlocksPerHost', String(config.maxBlocksPerHost)],
          ['KubeVirtVMAddressPersistence', persistence === undefined ? '<nil>' : JSON.stringify(persistence)],
        ],
      ),
    )
  }
}

/** show.go genRow: %.5g numbers; in-use and free followed by their rounded share in percent. */
function usageRow(kind: string, cidr: string, inUse: number, capacity: number): string[] {
  const g = (x: number) => formatFloat(x, 'g', 5)
  const pct = (x: number) => formatFloat((100 * x) / capacity, 'f', 0)
  return [kind, cidr, g(capacity), `${g(inUse)} (${pct(inUse)}%)`, `${g(capacity - inUse)} (${pct(capacity - inUse)}%)`]
}

function ownerAttrs(title: string, attrs: Readonly<Record<string, string>> | null | undefined): string | undefined {
  if (!attrs || Object.keys(attrs).length === 0) return undefined
  const keys = Object.keys(attrs).sort()
  return [`${title}:`, ...keys.map((k) => `  ${k}: ${attrs[k]}`)].join('\n')
}

function alternateOf(attr: Attribute): Record<string, string> | undefined {
  const raw = attr.extra?.alternateOwnerAttrs ?? attr.extra?.alternate
  if (typeof raw !== 'object' || raw === null) return undefined
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
}
