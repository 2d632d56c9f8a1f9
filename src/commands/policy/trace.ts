import {Flags} from '@oclif/core'

import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {datastoreFlags} from '../../cli/flags.js'
import {loadTraceState} from '../../cli/policy-trace/load.js'
import {parsePeer} from '../../cli/policy-trace/peer.js'
import {renderTraceText} from '../../cli/policy-trace/render.js'
import {PolicyInputError, PolicyModel, protocolToNumber, type Flow} from '../../policy/index.js'

/** A whole number in [min, max] from a flag's text, or one clear line. */
function numberFlag(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CliError(`invalid --${name} ${JSON.stringify(text)}: expected a number from ${min} to ${max}`)
  }
  return Number(text)
}

export default class PolicyTrace extends CalicoCommand {
  static summary = 'Trace which tier, policy and rule decide a flow between two endpoints.'
  static description = `Evaluates Calico policy for the first packet of a new connection, over the resources in the
configured datastore: the egress policy of the source (if it is a workload or host endpoint), then
the ingress policy of the destination (if it is one). For each it prints the path through tiers
(by order), policies (by order) and rules, and what decided: a rule, the end of a tier (its default
action), a profile, or the default deny. The verdict is Allow only if every direction allows.

An endpoint is <namespace>/<name> (a WorkloadEndpoint by name, or by its pod when that pod has one
endpoint) or hep:<name> (a HostEndpoint); anything else must be an IP address. Selectors in rules
see an address through every endpoint and (Global)NetworkSet that holds it, as Felix's IP sets do.
Failsafe ports and the encapsulation settings come from FelixConfiguration "default".

The exit code is 0 for any completed trace, whatever the verdict; bad input exits 1.`

  static examples = [
    '<%= config.bin %> policy trace --from shop/frontend --to shop/backend --protocol TCP --port 8080',
    '<%= config.bin %> policy trace --from 198.51.100.7 --to hep:node1-eth0 --protocol TCP --port 443 -o json',
    '<%= config.bin %> policy trace --from shop/frontend --to 10.244.7.1 --protocol ICMP --icmp-type 8 --icmp-code 0',
  ]

  static flags = {
    from: Flags.string({summary: 'Source: <namespace>/<workload-endpoint>, hep:<host-endpoint> or an IP address.', required: true, helpValue: '<PEER>'}),
    to: Flags.string({summary: 'Destination: <namespace>/<workload-endpoint>, hep:<host-endpoint> or an IP address.', required: true, helpValue: '<PEER>'}),
    protocol: Flags.string({summary: 'TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a protocol number.', required: true, helpValue: '<PROTOCOL>'}),
    port: Flags.string({summary: 'Destination port (TCP, UDP, SCTP).', helpValue: '<PORT>'}),
    'src-port': Flags.string({summary: 'Source port; without it, rules that list source ports do not match.', helpValue: '<PORT>'}),
    'icmp-type': Flags.string({summary: 'ICMP type (ICMP, ICMPv6).', helpValue: '<TYPE>'}),
    'icmp-code': Flags.string({summary: 'ICMP code (needs --icmp-type).', helpValue: '<CODE>'}),
    output: Flags.string({char: 'o', summary: 'Output format.', options: ['text', 'json'], default: 'text'}),
    ...datastoreFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(PolicyTrace)
    if (protocolToNumber(flags.protocol) === undefined) {
      throw new CliError(`invalid --protocol ${JSON.stringify(flags.protocol)}: expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number from 0 to 255`)
    }
    const dstPort = numberFlag('port', flags.port, 0, 65535)
    const srcPort = numberFlag('src-port', flags['src-port'], 0, 65535)
    const icmpType = numberFlag('icmp-type', flags['icmp-type'], 0, 255)
    const icmpCode = numberFlag('icmp-code', flags['icmp-code'], 0, 255)
    if (icmpCode !== undefined && icmpType === undefined) throw new CliError('--icmp-code needs --icmp-type')

    const client = await this.client(flags)
    await this.checkVersionMismatch(client, flags)
    const state = await loadTraceState(client)
    const flow: Flow = {
      source: parsePeer('from', flags.from, state.resources),
      destination: parsePeer('to', flags.to, state.resources),
      protocol: flags.protocol,
      ...(dstPort !== undefined ? {dstPort} : {}),
      ...(srcPort !== undefined ? {srcPort} : {}),
      ...(icmpType !== undefined ? {icmp: {type: icmpType, ...(icmpCode !== undefined ? {code: icmpCode} : {})}} : {}),
    }
    let result
    try {
      result = new PolicyModel(state.resources, state.options).evaluate(flow)
    } catch (error) {
      if (error instanceof PolicyInputError) throw new CliError(error.message)
      throw error
    }
    this.out(flags.output === 'json' ? JSON.stringify(result, null, 2) : renderTraceText(result))
  }
}
