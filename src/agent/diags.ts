/**
 * `calicoctl node diags`: collects what a Calico support engineer asks for into one tar.gz, with
 * calicoctl's progress lines (commands/node/diags.go). Every command runs through the dataplane's
 * exec shim; a command that fails or is missing is recorded in its file and reported on `warn`,
 * never ends the collection. The datastore dump has every secret-looking field replaced.
 */
import {cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Datastore} from '../datastore/datastore.js'
import {runCmd, type CmdRunner} from '../dataplane/exec.js'

export interface DiagsOptions {
  /** Calico log directory to copy (calicoctl's --log-dir, default /var/log/calico). */
  readonly logDir: string
  /** The datastore to dump; undefined when it could not be opened (the dump is then skipped). */
  readonly datastore?: Datastore
  readonly run?: CmdRunner
  /** Progress lines (stdout). */
  readonly print: (line: string) => void
  /** Warnings (stderr). */
  readonly warn: (line: string) => void
  readonly now?: Date
  /** Parent of the temp dir (default os.tmpdir()). */
  readonly tempParent?: string
}

interface Step {
  readonly announce: string
  readonly file: string
  readonly argv: readonly string[]
  /** Tried when argv is missing (calicoctl's netstat → ss fallback). */
  readonly fallback?: readonly string[]
}

/** calicoctl's order. */
const STEPS: readonly Step[] = [
  {announce: 'Dumping netstat', file: 'netstat', argv: ['netstat', '-a', '-n'], fallback: ['ss', '-a', '-n']},
  {announce: 'Dumping routes (IPv4)', file: 'route', argv: ['ip', '-4', 'route']},
  {announce: 'Dumping routes (IPv6)', file: 'route6', argv: ['ip', '-6', 'route']},
  {announce: 'Dumping interface info (IPv4)', file: 'ip_addr', argv: ['ip', '-4', 'addr']},
  {announce: 'Dumping interface info (IPv6)', file: 'ip6_addr', argv: ['ip', '-6', 'addr']},
  {announce: 'Dumping nftables', file: 'nftables', argv: ['nft', '-n', '-a', 'list', 'ruleset']},
  {announce: 'Dumping iptables (IPv4)', file: 'iptables', argv: ['iptables-save', '-c']},
  {announce: 'Dumping iptables (IPv6)', file: 'ip6tables', argv: ['ip6tables-save', '-c']},
  {announce: 'Dumping ipsets', file: 'ipsets', argv: ['ipset', 'list']},
  {announce: 'Copying journal for calico-node.service', file: 'journalctl', argv: ['journalctl', '-u', 'calico-node.service', '--no-pager']},
]

/** Field names whose values are secrets (BGP passwords, keys, tokens). */
const SECRET_FIELD = /password|secret|token|privatekey|^key$/i

/** A deep copy of a JSON value with every secret-looking field replaced by `<redacted>`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '<redacted>' : redactSecrets(v)]))
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`
}

/** Collects everything and returns the path of the tar.gz. */
export async function collectDiags(options: DiagsOptions): Promise<string> {
  const run = options.run ?? runCmd
  const now = options.now ?? new Date()
  options.print('Collecting diagnostics')
  const temp = mkdtempSync(join(options.tempParent ?? tmpdir(), 'calico'))
  options.print(`Using temp dir: ${temp}`)
  const dir = join(temp, 'diagnostics')
  mkdirSync(dir)
  writeFileSync(join(dir, 'date'), `${now.toString()}\n`)
  writeFileSync(join(dir, 'hostname'), `${hostname()}\n`)

  for (const step of STEPS) {
    options.print(step.announce)
    writeFileSync(join(dir, step.file), await capture(run, step, options.warn))
  }

  options.print('Dumping datastore (secrets removed)')
  writeFileSync(join(dir, 'datastore.json'), await dumpDatastore(options.datastore, options.warn))

  options.print('Copying Calico logs')
  if (existsSync(options.logDir)) cpSync(options.logDir, join(dir, 'logs'), {recursive: true})
  else options.warn(`Calico log directory ${options.logDir} does not exist; no logs copied`)

  const tarFile = join(temp, `diags-${stamp(now)}.tar.gz`)
  await run({argv: ['tar', '-czf', tarFile, '-C', temp, 'diagnostics']})
  options.print('')
  options.print(`Diags saved to ${tarFile}`)
  options.print('If required, you can upload the diagnostics bundle to a file sharing service.')
  return tarFile
}

async function capture(run: CmdRunner, step: Step, warn: (line: string) => void): Promise<string> {
  for (const argv of step.fallback ? [step.argv, step.fallback] : [step.argv]) {
    try {
      return (await run({argv, timeoutMs: 60_000})).stdout
    } catch (error) {
      if (argv === step.argv && step.fallback) continue
      warn(`Failed to run command: ${(error as Error).message}`)
      return `# ${(error as Error).message}\n`
    }
  }
  return ''
}

async function dumpDatastore(datastore: Datastore | undefined, warn: (line: string) => void): Promise<string> {
  if (!datastore) {
    warn('Datastore not available; the datastore dump is skipped')
    return '[]\n'
  }
  try {
    const list = await datastore.list('/calico/')
    const entries = list.items.map((kv) => {
      let value: unknown
      try {
        value = JSON.parse(kv.value)
      } catch {
        value = '<not JSON>'
      }
      return {key: kv.key, modRevision: kv.modRevision, value: redactSecrets(value)}
    })
    return `${JSON.stringify({revision: list.revision, entries}, null, 2)}\n`
  } catch (error) {
    warn(`Failed to dump the datastore: ${(error as Error).message}`)
    return '[]\n'
  }
}
