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

/** What `auto` detection found: the backend, and that backend's whole `iptables-save` output. */
export interface DetectedBackend {
  readonly cmds: IptablesCommands
  /** Every table as the chosen backend saved it during detection (undefined when configured). */
  readonly saved: string | undefined
}

/** The full save of one backend, or undefined when that backend does not work here. */
async function saveAll(run: CmdRunner, save: string): Promise<string | undefined> {
  try {
    return (await run({argv: [save], timeoutMs: 10_000})).stdout
  } catch {
    return undefined
  }
}

const ruleCount = (saved: string | undefined): number => (saved === undefined ? -1 : saved.split('\n').filter((l) => l.startsWith('-A ')).length)

/**
 * The configured backend, or for `auto` the one holding more rules. Detection saves every table
 * of both backends; the chosen backend's save is returned so the first apply need not read again.
 */
export async function detectBackend(run: CmdRunner, configured: IptablesBackend): Promise<DetectedBackend> {
  if (configured !== 'auto') return {cmds: commandsFor(configured), saved: undefined}
  const [nft, legacy] = await Promise.all([saveAll(run, 'iptables-nft-save'), saveAll(run, 'iptables-legacy-save')])
  if (nft === undefined && legacy === undefined) throw new Error('neither iptables-nft-save nor iptables-legacy-save works; install the iptables package')
  return ruleCount(legacy) > ruleCount(nft) ? {cmds: commandsFor('legacy'), saved: legacy} : {cmds: commandsFor('nft'), saved: nft}
}
