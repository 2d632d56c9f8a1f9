/**
 * Checks made before the agent touches the kernel, shared by `node run` (which refuses to start)
 * and `node checksystem` (which reports): the privilege to program the network, and the programs
 * the iptables dataplane runs, looked up on PATH exactly as the exec shim will look them up (no
 * extra directories, so "found here" means "runnable by the agent").
 */
import {accessSync, constants, readFileSync} from 'node:fs'
import {delimiter, join} from 'node:path'

import {BACKEND_PROGRAMS} from '../dataplane/iptables/backend.js'
import type {IptablesBackend} from '../dataplane/rules/config.js'

/** Linux capability number of CAP_NET_ADMIN (include/uapi/linux/capability.h). */
const CAP_NET_ADMIN = 12

/** Programs the iptables dataplane runs besides the iptables save/restore pair. */
export const COMMON_TOOLS = ['ip', 'ipset', 'sysctl'] as const

/**
 * Whether this process may program the network: effective uid 0, or CAP_NET_ADMIN in its
 * effective set (read from /proc/self/status; `statusText` lets tests pass their own).
 */
export function canAdministerNetwork(statusText?: string): boolean {
  if (process.geteuid?.() === 0) return true
  let text = statusText
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8')
    } catch {
      return false
    }
  }
  const hex = /^CapEff:\s*([0-9a-f]+)$/im.exec(text)?.[1]
  if (hex === undefined) return false
  return ((BigInt(`0x${hex}`) >> BigInt(CAP_NET_ADMIN)) & 1n) === 1n
}

/** Whether `tool` is an executable file in one of PATH's directories. */
export function onPath(tool: string, path: string | undefined): boolean {
  return (path ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        accessSync(join(dir, tool), constants.X_OK)
        return true
      } catch {
        return false
      }
    })
}

export interface ToolFinding {
  readonly name: string
  readonly found: boolean
}

/**
 * The programs the iptables dataplane needs with `backend`, each found or not. For `auto` the
 * pair listed is the first complete one (nft before legacy, as detection prefers nft on a tie);
 * when neither is complete, the nft pair is listed, so its missing programs are named.
 */
export function toolFindings(backend: IptablesBackend, path: string | undefined): ToolFinding[] {
  const pair = (name: 'nft' | 'legacy') => BACKEND_PROGRAMS[name].map((tool) => ({name: tool, found: onPath(tool, path)}))
  let iptables: ToolFinding[]
  if (backend === 'auto') {
    const nft = pair('nft')
    const legacy = pair('legacy')
    iptables = nft.every((t) => t.found) || !legacy.every((t) => t.found) ? nft : legacy
  } else {
    iptables = pair(backend)
  }
  return [...COMMON_TOOLS.map((tool) => ({name: tool, found: onPath(tool, path)})), ...iptables]
}

/** Names of the programs the dataplane needs that are not on PATH; [] when all are there. */
export function missingTools(backend: IptablesBackend, path: string | undefined): string[] {
  return toolFindings(backend, path)
    .filter((t) => !t.found)
    .map((t) => t.name)
}

/** The one line `node run` prints when programs are missing. */
export function missingToolsMessage(missing: readonly string[]): string {
  return `Cannot run the iptables dataplane: ${missing.join(', ')} not found on PATH`
}
