/**
 * FelixConfiguration resolution (Felix's config processor + ConfigBatcher, datastore sources only):
 * the node's `node.<nodeName>` resource overrides the global `default` one field by field. Fields
 * are named as Felix names its config parameters (the Go field names, e.g.
 * DefaultEndpointToHostAction) and stringified as libcalico-go's configurationprocessor does:
 * durations in seconds, string lists comma-joined, maps as `k=v,` pairs, ProtoPort lists as
 * `proto:port` / `proto:net:port`, everything else with its plain text form.
 *
 * The resolved map is sent once with the first flush after in-sync and then whenever it changes.
 * Selector-scoped FelixConfigurations (spec.nodeSelector) are not resolved yet (DESIGN.md).
 */
import {goFieldPath, parseGoDuration, type FelixConfigurationSpec} from '../api/index.js'
import type {EventSequencer} from './event-sequencer.js'

const DURATION = /^([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$/

function configName(jsonName: string): string {
  const path = goFieldPath('FelixConfiguration', ['spec', jsonName])
  return path ? path.slice(path.indexOf('.') + 1) : jsonName.charAt(0).toUpperCase() + jsonName.slice(1)
}

function isProtoPort(value: unknown): value is {protocol?: string; port?: number; net?: string} {
  return typeof value === 'object' && value !== null && 'port' in value && !Array.isArray(value)
}

function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') {
    if (value !== '0' && DURATION.test(value)) {
      try {
        return String(Number(parseGoDuration(value)) / 1e9)
      } catch {
        return value
      }
    }
    return value
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) {
    return value
      .map((v) => (isProtoPort(v) ? (v.net ? `${v.protocol ?? ''}:${v.net}:${v.port}` : `${v.protocol ?? ''}:${v.port}`) : typeof v === 'object' ? JSON.stringify(v) : String(v)))
      .join(',')
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.every(([, v]) => typeof v === 'string')) return entries.map(([k, v]) => `${k}=${String(v)},`).join('')
    return JSON.stringify(value)
  }
  return undefined
}

/** One FelixConfiguration spec as Felix config parameters. */
export function configFromSpec(spec: FelixConfigurationSpec): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [jsonName, value] of Object.entries(spec)) {
    if (jsonName === 'nodeSelector') continue
    const text = stringify(value)
    if (text !== undefined) out[configName(jsonName)] = text
  }
  return out
}

export class ConfigResolver {
  private global: Record<string, string> = {}
  private node: Record<string, string> = {}
  private lastSent: string | undefined

  constructor(
    private readonly nodeName: string,
    private readonly sequencer: EventSequencer,
  ) {}

  /** A FelixConfiguration named `name` changed (undefined: deleted). Others names are ignored. */
  update(name: string, spec: FelixConfigurationSpec | undefined): void {
    if (name === 'default') this.global = spec ? configFromSpec(spec) : {}
    else if (name === `node.${this.nodeName}`) this.node = spec ? configFromSpec(spec) : {}
  }

  resolved(): Record<string, string> {
    const merged: Record<string, string> = {...this.global, ...this.node}
    return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }

  flush(): void {
    const config = this.resolved()
    const text = JSON.stringify(config)
    if (text === this.lastSent) return
    this.lastSent = text
    this.sequencer.onConfigUpdate(config)
  }
}
