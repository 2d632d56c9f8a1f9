/**
 * iptables-nft vs iptables-legacy. `auto` follows Felix: use the backend that already holds more
 * rules (kube-proxy's or an earlier Felix's), nft when tied, since Debian's `iptables` is nft.
 * The accepted values are Felix's (`oneof(legacy,nft,auto)`, matched case-insensitively, so the
 * API's `Legacy`/`NFT`/`Auto` and env `FELIX_IPTABLESBACKEND=nft` both parse).
 */
import type {CmdRunner} from '../exec.js'
import type {IptablesBackend} from '../rules/config.js'

export interface IptablesCommands {
  readonly backend: 'nft' | 'legacy'
  readonly save: string
  readonly restore: string
}

export const IPTABLES_BACKENDS: readonly IptablesBackend[] = ['auto', 'nft', 'legacy']

/** The backend a configured value names (case-insensitive; empty means auto), or undefined for an unknown one. */
export function parseIptablesBackend(value: string | undefined): IptablesBackend | undefined {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '') return 'auto'
  return IPTABLES_BACKENDS.find((b) => b === text)
}

/** The save/restore programs a backend runs; `auto` needs one complete pair. */
export const BACKEND_PROGRAMS: Readonly<Record<'nft' | 'legacy', readonly string[]>> = {
  nft: ['iptables-nft-save', 'iptables-nft-restore'],
  legacy: ['iptables-legacy-save', 'iptables-legacy-restore'],
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
