import {readFileSync} from 'node:fs'

import {Args, Flags} from '@oclif/core'

import {kindFromAlias, kindInfo} from '../api/registry.js'
import type {Resource} from '../api/resource.js'
import {CalicoCommand} from '../cli/base-command.js'
import {errorText, resourcesFromArgs, runConfigCommand} from '../cli/config-command.js'
import {CliError, invalidOptionMessage} from '../cli/errors.js'
import {io} from '../cli/io.js'
import {datastoreFlags, filenameFlag, namespaceFlag, recursiveFlag, skipEmptyFlag} from '../cli/flags.js'
import {readResourceInput, type InputDocument} from '../cli/input.js'
import {
  OutputError,
  OutputFormatError,
  outputNeedsAsNumber,
  parseOutputFormat,
  renderGetOutput,
  streamList,
  type GetOutputRequest,
  type StreamFormat,
} from '../cli/output/index.js'
import type {ResourceClient} from '../datastore/resources.js'

const DEFAULT_AS_NUMBER = '64512'

export interface GetResult {
  resources: Resource[]
  errors: string[]
}

export default class Get extends CalicoCommand {
  static summary = 'Display one or many resources identified by file, stdin or resource type and name.'
  static description = `Without a name, lists every resource of KIND (in the namespace from -n, "default" by default, or in
all namespaces with -A). Output formats: ps (default), wide, yaml, json, custom-columns=COL1,COL2,
go-template=TEMPLATE and go-template-file=PATH (templates use Go field names such as .ObjectMeta.Name
and run over the list of results). yaml and json output can be used as input to apply.`

  static examples = [
    '<%= config.bin %> get ippools',
    '<%= config.bin %> get networkpolicy --all-namespaces --output=wide',
    '<%= config.bin %> get globalnetworkpolicy allow-dns --output=yaml --export',
    '<%= config.bin %> get ippool --output=custom-columns=NAME,CIDR',
    `<%= config.bin %> get nodes --output='go-template={{range .Items}}{{.ObjectMeta.Name}}{{"\\n"}}{{end}}'`,
  ]

  static args = {
    kind: Args.string({description: 'Resource type (case-insensitive; aliases such as gnp, ippool, wep work).'}),
  }

  static strict = false

  static flags = {
    filename: filenameFlag,
    recursive: recursiveFlag,
    'skip-empty': skipEmptyFlag,
    output: Flags.string({char: 'o', default: 'ps', summary: 'Output format: ps, wide, yaml, json, custom-columns=…, go-template=…, go-template-file=…', helpValue: '<OUTPUT>'}),
    namespace: namespaceFlag,
    'all-namespaces': Flags.boolean({char: 'A', summary: 'List the requested object(s) across all namespaces.'}),
    export: Flags.boolean({summary: 'Strip cluster-specific metadata (only when names are given), for re-use with apply.'}),
    ...datastoreFlags,
  }

  async run(): Promise<GetResult> {
    const {flags, argv} = await this.parse(Get)
    const positional = argv as string[]
    if (flags.filename ? positional.length > 0 : positional.length === 0) {
      throw new CliError(invalidOptionMessage(this.config.bin, this.argv))
    }
    let format
    try {
      format = parseOutputFormat(flags.output)
    } catch (error) {
      if (error instanceof OutputFormatError) throw new CliError(error.message)
      throw error
    }
    const client = await this.client(flags)
    try {
      await this.checkVersionMismatch(client, flags)
    } catch (error) {
      throw new CliError(`failed to get resources: ${errorText(error)}`)
    }

    let docs: InputDocument[]
    try {
      docs = flags.filename
        ? readResourceInput({filename: flags.filename, recursive: flags.recursive, skipEmpty: flags['skip-empty']})
        : resourcesFromArgs(positional[0], positional.slice(1))
    } catch (error) {
      if (flags.filename) throw error
      throw new CliError(`failed to get resources: ${errorText(error)}`)
    }

    const fromArgs = !flags.filename
    const names = fromArgs ? positional.slice(1) : []
    const isList = fromArgs && names.length === 0
    const options = {namespace: flags.namespace, allNamespaces: flags['all-namespaces']}
    let resources: Resource[]
    let errors: string[]
    let listResourceVersion: string | undefined
    const listKind = fromArgs ? kindFromAlias(positional[0])?.kind : undefined
    if (isList && listKind && (format.kind === 'yaml' || format.kind === 'json' || format.kind === 'ps' || format.kind === 'wide')) {
      const streamed = await this.streamList(client, listKind, format.kind, options)
      if (streamed) return streamed
    }
    if (isList && listKind) {
      ;({resources, errors, listResourceVersion} = await this.list(client, listKind, options))
    } else {
      const refused: string[] = []
      const singles = docs.filter((doc) => this.checkSingleGet(doc, options.allNamespaces, refused))
      const results = await runConfigCommand(client, 'get', singles, {...options, fromArgs})
      resources = results.resources
      errors = [...refused, ...results.errors]
      if (flags.export && names.length > 0) resources = resources.map(exportable)
    }

    const request: GetOutputRequest = {
      format,
      results: resources,
      isList,
      listKind,
      listResourceVersion,
      namespaceColumn: Boolean(flags['all-namespaces'] || flags.namespace),
      templateText: format.kind === 'go-template-file' ? readTemplate(format.path) : undefined,
    }
    if (outputNeedsAsNumber(request)) request.asNumber = await globalAsNumber(client)
    let rendered: string
    try {
      rendered = renderGetOutput(request)
    } catch (error) {
      if (!(error instanceof OutputError)) throw error
      if (error.partial) io.stdout.write(error.partial)
      throw new CliError(error.message)
    }
    io.stdout.write(rendered)
    if (errors.length > 0) throw new CliError(errors.join('\n'))
    return {resources, errors}
  }

  private checkSingleGet(doc: InputDocument, allNamespaces: boolean | undefined, errors: string[]): boolean {
    const res = doc.resource
    if (res?.metadata.name && allNamespaces && kindInfo(res.kind)?.namespaced) {
      errors.push('cannot use --all-namespace flag for getting a single resource')
      return false
    }
    return true
  }

  /**
   * A LIST printed page by page as it is read (see output/stream.ts), so 10,000 resources are
   * never all held decoded and rendered at once. Undefined when the list must be printed whole
   * instead: a refused namespace combination, or Node in a table (its ASN column needs a
   * lookup decided by the rows). The typed result carries no resources in this case.
   */
  private async streamList(
    client: ResourceClient,
    kind: string,
    format: StreamFormat,
    options: {namespace?: string; allNamespaces?: boolean},
  ): Promise<GetResult | undefined> {
    const info = kindInfo(kind)
    if (!info?.namespaced && (options.namespace || options.allNamespaces)) return undefined
    if (options.namespace && options.allNamespaces) return undefined
    if (kind === 'Node' && (format === 'ps' || format === 'wide')) return undefined
    const namespace = info?.namespaced && !options.allNamespaces ? (options.namespace ?? 'default') : undefined
    await streamList(client.listPages(kind, namespace), {
      format,
      kind,
      namespaceColumn: Boolean(options.allNamespaces || options.namespace),
      write: (text) => io.stdout.write(text),
    })
    return {resources: [], errors: []}
  }

  private async list(
    client: ResourceClient,
    kind: string,
    options: {namespace?: string; allNamespaces?: boolean},
  ): Promise<{resources: Resource[]; errors: string[]; listResourceVersion?: string}> {
    const info = kindInfo(kind)
    if (!info?.namespaced && (options.namespace || options.allNamespaces)) {
      return {resources: [], errors: [`${kind} is not namespaced`]}
    }
    if (options.namespace && options.allNamespaces) {
      return {resources: [], errors: ['cannot use both --namespace and --all-namespaces flags at the same time']}
    }
    const namespace = info?.namespaced && !options.allNamespaces ? (options.namespace ?? 'default') : undefined
    const listed = await client.list(kind, namespace)
    return {resources: listed.items, errors: [], listResourceVersion: String(listed.revision)}
  }
}

/** `--export`: what calicoctl strips from named gets so the output can be applied elsewhere. */
function exportable(res: Resource): Resource {
  const {namespace: _ns, uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, ...metadata} =
    res.metadata
  return {...res, metadata}
}

function readTemplate(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new CliError(`open ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : errorText(error)}`)
  }
}

/** `config "asnumber"` in templates: the global BGP AS number, or 64512. */
async function globalAsNumber(client: ResourceClient): Promise<string> {
  const bgp = await client.getOptional('BGPConfiguration', 'default')
  const asNumber = (bgp?.spec as {asNumber?: number} | undefined)?.asNumber
  return asNumber === undefined ? DEFAULT_AS_NUMBER : String(asNumber)
}
