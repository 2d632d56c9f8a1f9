import {readFileSync} from 'node:fs'
import {release} from 'node:os'
import {join} from 'node:path'

import {Flags} from '@oclif/core'

import {iptablesBackendOf, toolFindings} from '../../agent/index.js'
import {CalicoCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'

/** calicoctl's list (commands/node/checksystem.go). */
const REQUIRED_MODULES = [
  'ip_set',
  'ip6_tables',
  'ip_tables',
  'ipt_ipvs',
  'vfio-pci',
  'xt_bpf',
  'ipt_REJECT',
  'ipt_rpfilter',
  'xt_rpfilter',
  'ipt_set',
  'nf_conntrack_netlink',
  'xt_addrtype',
  'xt_conntrack',
  'xt_icmp',
  'xt_icmp6',
  'xt_mark',
  'xt_multiport',
  'xt_set',
  'xt_u32',
]

const MIN_KERNEL = [2, 6, 24]

export default class NodeChecksystem extends CalicoCommand {
  static summary = 'Verify the compatibility of this host to run the Calico node agent.'
  static description = `Checks the kernel version (at least 2.6.24), the kernel modules calicoctl checks (loaded in
/proc/modules, built in per modules.builtin, or loadable per modules.dep under /lib/modules/<release>),
and the programs the iptables dataplane runs, found on PATH as "node run" checks them (ip, ipset,
sysctl, and iptables-nft-save/-restore or iptables-legacy-save/-restore as FELIX_IPTABLESBACKEND
asks; with auto, whichever pair is complete). One line per item with OK or FAIL; exits 1 when
anything fails. Needs root.`

  static examples = ['<%= config.bin %> node checksystem']

  static flags = {
    'kernel-config': Flags.string({char: 'f', summary: 'Accepted for compatibility; the module files are read instead.', helpValue: '<FILE>'}),
  }

  async run(): Promise<void> {
    await this.parse(NodeChecksystem)
    if (process.getuid?.() !== 0) this.failOnStdout('Need super user privileges: Operation not permitted')
    let ok = true
    this.out('Checking kernel version...')
    const kernel = release()
    const kernelOk = kernelAtLeast(kernel, MIN_KERNEL)
    ok &&= kernelOk
    this.out(result(kernel, kernelOk))
    this.out('Checking kernel modules...')
    const modules = availableModules(kernel)
    for (const module of REQUIRED_MODULES) {
      const found = modules.has(normalise(module))
      ok &&= found
      this.out(result(module, found))
    }
    this.out('Checking tools...')
    let backend: ReturnType<typeof iptablesBackendOf> = 'auto'
    try {
      backend = iptablesBackendOf({nodeName: ''}, process.env)
    } catch (error) {
      ok = false
      this.out(result('iptables backend', false))
      this.err((error as Error).message)
    }
    for (const tool of toolFindings(backend, process.env.PATH)) {
      ok &&= tool.found
      this.out(result(tool.name, tool.found))
    }
    if (!ok) throw new CliError("system doesn't meet one or more minimum systems requirements to run Calico")
    this.out('System meets minimum system requirements to run Calico!')
  }
}

/** calicoctl's printResult layout: two tabs, the name padded to 20, then the verdict. */
function result(name: string, found: boolean): string {
  return `\t\t${name.padEnd(20)}\t\t\t\t\t${found ? 'OK' : 'FAIL'}`
}

function kernelAtLeast(text: string, minimum: readonly number[]): boolean {
  const parts = (text.match(/^(\d+)\.(\d+)(?:\.(\d+))?/) ?? []).slice(1).map((p) => Number(p ?? 0))
  if (parts.length === 0) return false
  for (let i = 0; i < minimum.length; i++) {
    if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) > minimum[i]
  }
  return true
}

/** The kernel treats - and _ in module names alike. */
const normalise = (name: string) => name.replaceAll('-', '_')

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** Loaded, built-in or loadable module names. */
function availableModules(kernel: string): Set<string> {
  const names = new Set<string>()
  for (const line of readOrEmpty('/proc/modules').split('\n')) if (line) names.add(normalise(line.split(' ')[0]))
  const dir = join('/lib/modules', kernel)
  for (const file of ['modules.builtin', 'modules.dep']) {
    for (const line of readOrEmpty(join(dir, file)).split('\n')) {
      const path = line.split(':')[0].trim()
      const match = path.match(/([^/]+)\.ko(?:\.(?:xz|zst|gz))?$/)
      if (match) names.add(normalise(match[1]))
    }
  }
  return names
}
