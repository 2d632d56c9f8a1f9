/**
 * Client version facts, readable without loading oclif (the `version --client` start-up path).
 * The git commit is recorded at build time in dist/build-info.json by scripts/write-build-info.mjs.
 */
import {readFileSync} from 'node:fs'

export interface ClientVersion {
  version: string
  gitCommit: string
}

function readJson(url: URL): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

let cached: ClientVersion | undefined

export function clientVersion(): ClientVersion {
  if (!cached) {
    const pkg = readJson(new URL('../../package.json', import.meta.url))
    const build = readJson(new URL('../build-info.json', import.meta.url))
    cached = {
      version: `v${String(pkg?.version ?? '0.0.0')}`,
      gitCommit: String(build?.gitCommit ?? 'unknown'),
    }
  }
  return cached
}

/** The client lines of `calicoctl version` (Go's Println spacing reproduced exactly). */
export function clientVersionLines(): string[] {
  const {version, gitCommit} = clientVersion()
  return [`Client Version:    ${version}`, `Git commit:        ${gitCommit}`]
}
