/**
 * The one base class of every calicoctl command. It owns what calicoctl does the same way for
 * every command: writing to stdout/stderr, building the datastore client from -c / environment,
 * the client/cluster version-mismatch check, and the failure doctrine (errors propagate to
 * main(), which prints them and exits 1).
 */
import {io} from './io.js'
import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'

import {Command} from '@oclif/core'

import {MissingConfigFileError, resolveDatastoreConfig} from '../datastore/config.js'
import type {Datastore} from '../datastore/datastore.js'
import {createDatastore} from '../datastore/factory.js'
import {ResourceDoesNotExistError} from '../datastore/resource-errors.js'
import {ResourceClient} from '../datastore/resources.js'
import {CliError, ExitError} from './errors.js'
import {clientVersion} from './version-info.js'
import {parseYamlDocument} from './yaml11.js'

export interface ClientFlags {
  config?: string
  'allow-version-mismatch'?: boolean
  context?: string
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MissingConfigFileError(`Error reading config file: ${path}`)
  }
}

export abstract class CalicoCommand extends Command {
  private openDatastores: Datastore[] = []

  /** Machine output: stdout. */
  protected out(text: string): void {
    io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`)
  }

  /** Diagnostics and errors: stderr. */
  protected err(text: string): void {
    io.stderr.write(text.endsWith('\n') || text === '' ? text : `${text}\n`)
  }

  /** Prints to stdout and ends with exit 1: the calicoctl messages that go to stdout. */
  protected failOnStdout(message: string): never {
    this.out(message)
    throw new ExitError(1)
  }

  /** The typed client over the configured datastore; calicoctl prints client failures to stdout. */
  protected async client(flags: ClientFlags): Promise<ResourceClient> {
    try {
      return await this.clientOrThrow(flags)
    } catch (error) {
      if (error instanceof MissingConfigFileError) return this.failOnStdout(error.message)
      return this.failOnStdout(`Failed to create Calico API client: ${(error as Error).message}`)
    }
  }

  /** As client(), but a failure is thrown to the caller instead of ending the command. */
  protected async clientOrThrow(flags: ClientFlags): Promise<ResourceClient> {
    if (flags.context) process.env.K8S_CURRENT_CONTEXT = flags.context
    const config = resolveDatastoreConfig({
      configPath: flags.config,
      env: process.env,
      home: homedir(),
      readFile: readIfExists,
      parse: parseYamlDocument,
    })
    const datastore = await createDatastore(config)
    this.openDatastores.push(datastore)
    return new ResourceClient(datastore)
  }

  /**
   * calicoctl's CheckVersionMismatch (reference §2.4): compares this client's version with
   * ClusterInformation's calicoVersion, ignoring a leading v and any -suffix.
   */
  protected async checkVersionMismatch(client: ResourceClient, flags: ClientFlags): Promise<void> {
    if (flags['allow-version-mismatch']) return
    let calicoVersion: string
    try {
      const info = await client.get('ClusterInformation', 'default')
      calicoVersion = String((info.spec as {calicoVersion?: string} | undefined)?.calicoVersion ?? '')
    } catch (error) {
      if (error instanceof ResourceDoesNotExistError) return
      throw new CliError(
        `unable to get Cluster Information to verify version mismatch: ${(error as Error).message}\nUse --allow-version-mismatch to override`,
      )
    }
    if (calicoVersion === '') return
    const client_ = clientVersion().version
    const normalise = (v: string) => v.replace(/^v/, '').split('-')[0]
    if (normalise(client_) !== normalise(calicoVersion)) {
      throw new VersionMismatchError(client_, normalise(calicoVersion))
    }
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    const datastores = this.openDatastores
    this.openDatastores = []
    await Promise.allSettled(datastores.map((d) => d.close()))
    return super.finally(error)
  }

  /** Errors go to main(), which owns printing and exit codes. */
  protected async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    throw error
  }
}

export class VersionMismatchError extends CliError {
  constructor(clientVersion: string, clusterVersion: string) {
    super(
      [
        'version mismatch.',
        `Client Version:   ${clientVersion}`,
        `Cluster Version:  ${clusterVersion}`,
        'Use --allow-version-mismatch to override',
      ].join('\n'),
    )
  }
}
