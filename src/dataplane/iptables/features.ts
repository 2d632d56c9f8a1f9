/**
 * Kernel/iptables feature detection, as Felix's iptables/feature_detect.go decides it from version
 * numbers: MASQUERADE `--random-fully` needs iptables ≥ 1.6.2 and kernel ≥ 3.14. Read once per
 * dataplane, when a pool first needs NAT outgoing; a failed read means "not supported" (plain
 * MASQUERADE is always valid).
 */
import {release} from 'node:os'

import type {CmdRunner} from '../exec.js'
import type {IptablesCommands} from './backend.js'

export interface IptablesFeatures {
  readonly randomFully: boolean
}

type Version = readonly [number, number, number]

/** The first `a.b[.c]` in the text. */
export function parseVersion(text: string): Version | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')]
}

const atLeast = (v: Version | undefined, min: Version): boolean => {
  if (v === undefined) return false
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i]
  return true
}

export function featuresFrom(iptablesVersion: string, kernelRelease: string): IptablesFeatures {
  return {randomFully: atLeast(parseVersion(iptablesVersion), [1, 6, 2]) && atLeast(parseVersion(kernelRelease), [3, 14, 0])}
}

/**
 * Reads the backend's version (`iptables-<backend> --version`) and the kernel release (the same
 * in every network namespace, so read from this process).
 */
export async function probeFeatures(run: CmdRunner, cmds: IptablesCommands): Promise<IptablesFeatures> {
  let version = ''
  try {
    const {stdout, stderr} = await run({argv: [`iptables-${cmds.backend}`, '--version'], timeoutMs: 10_000})
    version = `${stdout}\n${stderr}`
  } catch {
    // Unknown version: plain MASQUERADE, which every version accepts.
  }
  return featuresFrom(version, release())
}
