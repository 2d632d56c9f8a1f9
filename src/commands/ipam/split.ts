import {randomUUID} from 'node:crypto'

import {Args, Flags} from '@oclif/core'

import type {ClusterInformation, IPPool} from '../../api/index.js'
import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {datastoreFlags} from '../../cli/flags.js'
import {resourceKey, type ResourceClient} from '../../datastore/resources.js'
import {splitCIDR, SplitError} from '../../ipam/index.js'

export default class IpamSplit extends CalicoCommand {
  static summary = 'Split an IP pool into a power-of-two number of equal smaller pools.'
  static description = `Requires a locked data store (\`calicoctl datastore migrate lock\`). Disables the old pool, creates
pools named split-<name>-<i> with equal consecutive CIDRs and the old pool's other settings, then
deletes the old pool. Existing allocations and blocks are left as they are.`

  static examples = ['<%= config.bin %> ipam split --cidr=172.0.0.0/8 2', '<%= config.bin %> ipam split --name=default-ipv4-ippool 4']

  static args = {
    number: Args.string({required: true, description: 'Number of pools to split into (a power of 2).'}),
  }

  static flags = {
    cidr: Flags.string({summary: 'CIDR of the IP pool to split.', helpValue: '<CIDR>'}),
    name: Flags.string({summary: 'Name of the IP pool to split.', helpValue: '<POOL_NAME>'}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(IpamSplit)
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const oldCIDR = flags.cidr ?? ''
    const oldName = flags.name ?? ''
    if (oldCIDR === '' && oldName === '') throw new CliError('no name or CIDR provided. Provide a name or CIDR to denote the IP pool to split')
    let info: ClusterInformation
    try {
      info = (await client.get('ClusterInformation', 'default')) as ClusterInformation
    } catch (error) {
      throw new CliError(`error while checking if datastore was locked: error retrieving ClusterInformation: ${(error as Error).message}`)
    }
    if (info.spec?.datastoreReady !== false) {
      throw new CliError('datastore is not locked. Run the `calicoctl datastore migrate lock` command in order split the IP pools')
    }
    const pool = await findPool(client, oldName, oldCIDR)
    const parts = /^[+-]?\d+$/.test(args.number) ? Number(args.number) : NaN
    if (Number.isNaN(parts)) {
      throw new CliError(`error reading number to split IP pools into. ${args.number} is not a valid number: strconv.Atoi: parsing ${JSON.stringify(args.number)}: invalid syntax`)
    }
    const cidr = pool.spec?.cidr ?? ''
    let cidrs: string[]
    try {
      cidrs = splitCIDR(cidr, parts)
    } catch (error) {
      if (error instanceof SplitError) throw new CliError(`error splitting the CIDR ${cidr} into ${parts} CIDRs: ${error.message}`)
      throw error
    }
    // calicoctl disables the old pool before computing the split; here the split is checked first,
    // so a bad NUMBER leaves the pool as it was.
    let disabled: IPPool
    try {
      disabled = (await client.update({...pool, spec: {...pool.spec, disabled: true}})) as IPPool
    } catch {
      throw new CliError(`error disabling IP pool ${oldCIDR}`)
    }
    const name = disabled.metadata.name ?? ''
    const created: Array<{name: string; cidr: string}> = []
    for (const [i, child] of cidrs.entries()) {
      let newName = `split-${name}-${i}`
      if (newName.length > 253) newName = `split-${name.slice(0, 245)}-${i}`
      const {resourceVersion: _rv, uid: _uid, creationTimestamp: _ts, generation: _gen, ...metadata} = disabled.metadata as Record<string, unknown>
      const res = {...disabled, metadata: {...metadata, name: newName}, spec: {...disabled.spec, cidr: child, disabled: false}}
      try {
        await unsafeCreate(client, res as IPPool)
      } catch (error) {
        throw new CliError(`error using unsafe create to make split pool with cidr ${child}: ${(error as Error).message}`)
      }
      created.push({name: newName, cidr: child})
    }
    try {
      await client.delete('IPPool', name)
    } catch (error) {
      throw new CliError(`error removing the IP pool that was split ${name}: ${(error as Error).message}`)
    }
    this.out(`IP Pool ${name} was successfully split into ${parts} smaller pools.${created.map((c) => `Created ${c.name} with CIDR ${c.cidr}.\n`).join('')}Please refer to the documentation for final steps.`)
  }
}

async function findPool(client: ResourceClient, name: string, cidr: string): Promise<IPPool> {
  if (name !== '') {
    try {
      return (await client.get('IPPool', name)) as IPPool
    } catch (error) {
      throw new CliError(`unable to find IP pool with name ${name}: ${(error as Error).message}`)
    }
  }
  const {items} = await client.list('IPPool')
  const found = (items as IPPool[]).filter((p) => p.spec?.cidr === cidr).pop()
  if (!found) throw new CliError(`unable to find IP pool ${name} covering the specified CIDR ${cidr}`)
  return found
}

/**
 * clientv3's UnsafeCreate: the pool is defaulted and validated, but the overlap check against the
 * old (now disabled) pool is skipped, since the children lie inside it until it is deleted.
 */
async function unsafeCreate(client: ResourceClient, pool: IPPool): Promise<void> {
  // An "update" against itself runs defaults and validation without the create-time overlap check.
  const prepared = await client.prepareWrite(pool, 'update', pool)
  const {resourceVersion: _rv, ...metadata} = prepared.metadata
  const stored = {...prepared, metadata: {...metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z')}}
  await client.datastore.create(resourceKey('IPPool', prepared.metadata.name ?? ''), JSON.stringify(stored))
}
