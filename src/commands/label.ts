import {Args, Flags} from '@oclif/core'

import {kindFromAlias} from '../api/registry.js'
import type {Resource} from '../api/resource.js'
import {CalicoCommand} from '../cli/base-command.js'
import {errorText} from '../cli/config-command.js'
import {CliError} from '../cli/errors.js'
import {datastoreFlags, namespaceFlag} from '../cli/flags.js'
import {handleNamespace} from '../cli/resource-actions.js'
import {ResourceDoesNotExistError} from '../datastore/resource-errors.js'

export default class Label extends CalicoCommand {
  static summary = 'Add, update or remove a label on a resource.'
  static description = `Sets KEY=VALUE on the resource's labels (an existing key needs --overwrite unless the value is the
same), or removes KEY with --remove. The resource must exist.`

  static examples = [
    '<%= config.bin %> label workloadendpoint host1-k8s-frontend-eth0 app=web --namespace=prod',
    '<%= config.bin %> label node node1 rack=r1 --overwrite',
    '<%= config.bin %> label node node1 rack --remove',
  ]

  static args = {
    kind: Args.string({required: true, description: 'Resource type.'}),
    name: Args.string({required: true, description: 'Resource name.'}),
    label: Args.string({required: true, description: 'KEY=VALUE to set, or KEY with --remove.'}),
  }

  static flags = {
    overwrite: Flags.boolean({summary: 'Overwrite the value when the key is already present.', exclusive: ['remove']}),
    remove: Flags.boolean({summary: 'Remove the specified key from the labels; it is an error if it does not exist.'}),
    namespace: namespaceFlag,
    ...datastoreFlags,
  }

  async run(): Promise<Resource> {
    const {args, flags} = await this.parse(Label)
    const {kind, name} = args
    let key = args.label
    let value = ''
    if (!flags.remove) {
      const parts = args.label.split('=')
      if (parts.length !== 2) throw new CliError(`invalid label ${args.label}`)
      ;[key, value] = parts
    }
    const info = kindFromAlias(kind)
    if (!info) throw new CliError(`failed to get ${kind} ${name}, error resource type '${kind}' is not supported`)
    const client = await this.client(flags)
    try {
      await this.checkVersionMismatch(client, flags)
    } catch (error) {
      throw new CliError(`failed to get ${kind} ${name}, error ${errorText(error)}`)
    }
    const target: Resource = {apiVersion: 'projectcalico.org/v3', kind: info.kind, metadata: {name}}
    let current: Resource
    try {
      handleNamespace(target, {namespace: flags.namespace})
      current = await client.get(info.kind, name, target.metadata.namespace)
    } catch (error) {
      if (error instanceof ResourceDoesNotExistError) throw new CliError(`${kind} ${name} not found`)
      throw new CliError(`${errorText(error)}\n${kind} ${name} not found`)
    }
    const labels = {...current.metadata.labels}
    let overwritten = false
    if (flags.remove) {
      if (!(key in labels)) throw new CliError(`cannot remove label of ${kind} ${name}, key ${key} does not exist`)
      delete labels[key]
    } else if (key in labels) {
      if (!flags.overwrite && labels[key] !== value) {
        throw new CliError(
          `failed to update label of ${kind} ${name}, key ${key} is already present. please use '--overwrite' to set a new value`,
        )
      }
      labels[key] = value
      overwritten = true
    } else {
      labels[key] = value
    }
    let updated: Resource
    try {
      updated = await client.update({...current, metadata: {...current.metadata, labels}})
    } catch {
      throw new CliError(`failed to update ${kind} ${name}, label not changed`)
    }
    if (flags.remove) this.out(`Successfully removed label ${key} from ${kind} ${name}`)
    else if (overwritten) this.out(`Successfully updated label ${key} on ${kind} ${name}`)
    else this.out(`Successfully set label ${key} on ${kind} ${name}`)
    return updated
  }
}
