import {Flags} from '@oclif/core'

import {collectDiags} from '../../agent/index.js'
import {CalicoCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/flags.js'
import type {Datastore} from '../../datastore/datastore.js'

export default class NodeDiags extends CalicoCommand {
  static summary = 'Gather a diagnostics bundle for this Calico node.'
  static description = `Collects routes, addresses, iptables-save, ip6tables-save, nftables and ipset listings, socket
state, the calico-node journal, the Calico log directory and a dump of the datastore with secrets
(passwords, keys, tokens) removed into diags-<time>.tar.gz in a temporary directory, and prints its
path. A command that is missing or fails is noted in the bundle and on stderr. Needs root.`

  static examples = ['<%= config.bin %> node diags', '<%= config.bin %> node diags --log-dir=/var/log/calico']

  static flags = {
    config: configFlag,
    'log-dir': Flags.string({summary: 'The directory containing Calico logs.', default: '/var/log/calico', helpValue: '<LOG_DIR>'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(NodeDiags)
    if (process.getuid?.() !== 0) this.failOnStdout('Need super user privileges: Operation not permitted')
    let datastore: Datastore | undefined
    try {
      datastore = (await this.clientOrThrow(flags)).datastore
    } catch (error) {
      this.err(`Unable to open the datastore: ${(error as Error).message}`)
    }
    await collectDiags({
      logDir: flags['log-dir'],
      datastore,
      print: (line) => this.out(line === '' ? '\n' : line),
      warn: (line) => this.err(line),
    })
  }
}
