/**
 * Kernel/iptables feature detection, as Felix's iptables/feature_detect.go decides it from version
 * numbers: MASQUERADE `--random-fully` needs iptables ≥ 1.6.2 and kernel ≥ 3.14. Read once per
 * dataplane (`iptables-<backend> --version`, `uname -r`) through the exec shim; a failed read means
 * "not supported" (plain MASQUERADE is always valid).
 */
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

/** Raw inputs of feature detection: each candidate backend's `--version` and `uname -r`. */
export interface FeatureProbe {
  readonly versions: Readonly<Partial<Record<IptablesCommands['backend'], string>>>
  readonly kernel: string
}

/**
 * Reads the versions of every backend the detection may choose, so the probe runs alongside the
 * backend detection instead of after it.
 */
export async function probeFeatures(run: CmdRunner, backends: readonly IptablesCommands['backend'][]): Promise<FeatureProbe> {
  const read = async (argv: string[]): Promise<string> => {
    try {
      const {stdout, stderr} = await run({argv, timeoutMs: 10_000})
      return `${stdout}\n${stderr}`
    } catch {
      return ''
    }
  }
  const [kernel, ...versions] = await Promise.all([read(['uname', '-r']), ...backends.map((b) => read([`iptables-${b}`, '--version']))])
  return {kernel, versions: Object.fromEntries(backends.map((b, i) => [b, versions[i]]))}
}

export const featuresFor = (probe: FeatureProbe, cmds: IptablesCommands): IptablesFeatures => featuresFrom(probe.versions[cmds.backend] ?? '', probe.kernel)
