import {Args, Flags} from '@oclif/core'

import {decodeResource} from '../api/index.js'
import {kindFromAlias} from '../api/registry.js'
import type {Resource} from '../api/resource.js'
import {CalicoCommand} from '../cli/base-command.js'
import {errorText} from '../cli/config-command.js'
import {CliError, massageError} from '../cli/errors.js'
import {datastoreFlags, namespaceFlag} from '../cli/flags.js'
import {applyPatch, type PatchType} from '../cli/patch.js'
import {handleNamespace} from '../cli/resource-actions.js'

export default class Patch extends CalicoCommand {
  static summary = 'Patch a pre-existing resource in place.'
  static description = `Reads the resource, applies the patch and writes the result back. The default (strategic) patch
merges objects and replaces lists, as calicoctl does for Calico types; --type=merge is a JSON merge
patch and --type=json an RFC 6902 operation list.`

  static examples = [
    `<%= config.bin %> patch ippool default-pool --patch='{"spec":{"natOutgoing":true}}'`,
    `<%= config.bin %> patch networkpolicy allow-web --namespace=prod --patch='{"metadata":{"labels":{"team":"web"}}}'`,
  ]

  static args = {
    kind: Args.string({required: true, description: 'Resource type.'}),
    name: Args.string({required: true, description: 'Resource name.'}),
  }

  static flags = {
    patch: Flags.string({char: 'p', required: true, summary: 'The JSON patch to apply to the resource.', helpValue: '<PATCH>'}),
    type: Flags.string({char: 't', options: ['strategic', 'json', 'merge'], default: 'strategic', summary: 'Format of the patch.'}),
    namespace: namespaceFlag,
    ...datastoreFlags,
  }

  async run(): Promise<Resource> {
    const {args, flags} = await this.parse(Patch)
    const info = kindFromAlias(args.kind)
    if (!info) throw new CliError(`resource type '${args.kind}' is not supported`)
    if (args.name === '') throw new CliError('resource name may not be empty')
    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    try {
      const target: Resource = {apiVersion: 'projectcalico.org/v3', kind: info.kind, metadata: {name: args.name}}
      handleNamespace(target, {namespace: flags.namespace})
      const current = await client.get(info.kind, args.name, target.metadata.namespace)
      let patched: Resource
      try {
        patched = decodeResource(applyPatch(current, flags.patch, flags.type as PatchType))
      } catch (error) {
        throw new Error(`performing strategic merge patch: ${massageError(errorText(error))}`)
      }
      const updated = await client.update({...patched, metadata: {...patched.metadata, resourceVersion: current.metadata.resourceVersion}})
      this.out(`Successfully patched 1 '${info.kind}' resource`)
      return updated
    } catch (error) {
      throw new CliError(`hit error: ${errorText(error)}`)
    }
  }
}
