/**
 * iptables-nft vs iptables-legacy. `auto` follows Felix: use the backend that already holds more
 * rules (kube-proxy's or an earlier Felix's), nft when tied, since Debian's `iptables` is nft.
 */
import type {CmdRunner} from '../exec.js'
import type {IptablesBackend} from '../rules/config.js'

export interface IptablesCommands {
  readonly backend: 'nft' | 'legacy'
  readonly save: string
  readonly restore: string
}

export const commandsFor = (backend: 'nft' | 'legacy'): IptablesCommands => ({
  backend,
  save: `iptables-${backend}-save`,
  restore: `iptables-${backend}-restore`,
})

async function ruleCount(run: CmdRunner, save: string): Promise<number> {
  try {
    const {stdout} = await run({argv: [save], timeoutMs: 10_000})
    return stdout.split('\n').filter((l) => l.startsWith('-A ')).length
  } catch {
    return -1
  }
}

export async function detectBackend(run: CmdRunner, configured: IptablesBackend): Promise<IptablesCommands> {
  if (configured !== 'auto') return commandsFor(configured)
  const [nft, legacy] = await Promise.all([ruleCount(run, 'iptables-nft-save'), ruleCount(run, 'iptables-legacy-save')])
  if (nft < 0 && legacy < 0) throw new Error('neither iptables-nft-save nor iptables-legacy-save works; install the iptables package')
  return commandsFor(legacy > nft ? 'legacy' : 'nft')
}
