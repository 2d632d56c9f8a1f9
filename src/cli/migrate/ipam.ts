/**
 * The IPAM part of a migration file: the raw `/calico/ipam/v2/` keys (reference §4.1) as
 * calicoctl's migrateIPAM marshals them —
 *   {"block_affinities": [{"Key": …, "Value": …, "TTL": 0}], "blocks": […], "handles": […], "config": {…}}
 * with empty groups left out. Values are Calico's own JSON, carried as text (json-text.ts) so a
 * round trip writes back exactly the bytes it read; nothing here interprets them, so this works
 * before (and independently of) the IPAM implementation.
 */
import {AlreadyExistsError, type Datastore, type WriteOp} from '../../datastore/datastore.js'
import {CliError} from '../errors.js'
import {goQuote} from '../output/json.js'
import {compactJson, indentJson, parseJsonWithSource, type JsonNode} from './json-text.js'

export const IPAM_PREFIX = '/calico/ipam/v2/'

/** The groups of the IPAM JSON, in calicoctl's field (and write) order. */
export const IPAM_GROUPS = ['block_affinities', 'blocks', 'handles', 'config'] as const
export type IpamGroup = (typeof IPAM_GROUPS)[number]

/** Which keys belong to each group (libcalico-go model/{block_affinity,block,ipam_handle,ipam_config}.go). */
const KEY_PATTERNS: Record<IpamGroup, RegExp> = {
  block_affinities: /^\/calico\/ipam\/v2\/(host|virtual)\/[^/]+\/ipv[46]\/block\/[^/]+$/,
  blocks: /^\/calico\/ipam\/v2\/assignment\/ipv[46]\/block\/[^/]+$/,
  handles: /^\/calico\/ipam\/v2\/handle\/[^/]+$/,
  config: /^\/calico\/ipam\/v2\/config$/,
}

/** What each group is called in messages. */
const GROUP_NAMES: Record<IpamGroup, string> = {
  block_affinities: 'block affinity',
  blocks: 'IPAM block',
  handles: 'IPAM handle',
  config: 'IPAM config',
}

/** One IPAM key and its value as compact JSON text. */
export interface IpamEntry {
  group: IpamGroup
  key: string
  value: string
}

function groupOf(key: string): IpamGroup | undefined {
  return IPAM_GROUPS.find((group) => KEY_PATTERNS[group].test(key))
}

/**
 * Every IPAM key of the four groups, in group order then key order (as etcd lists them). Keys
 * under the prefix that belong to no group are not Calico IPAM data and are left out, as
 * calicoctl's typed lists leave them out.
 */
export async function readIpam(datastore: Datastore): Promise<IpamEntry[]> {
  const listed = await datastore.list(IPAM_PREFIX)
  const entries: IpamEntry[] = []
  for (const kv of listed.items) {
    const group = groupOf(kv.key)
    if (!group) continue
    let parsed: unknown
    try {
      parsed = JSON.parse(kv.value)
    } catch (error) {
      throw new CliError(`failed to read IPAM data: the value of ${kv.key} is not JSON: ${(error as Error).message}`)
    }
    if (!isObject(parsed)) throw new CliError(`failed to read IPAM data: the value of ${kv.key} is not a JSON object`)
    entries.push({group, key: kv.key, value: compactJson(kv.value)})
  }
  return entries.sort((a, b) => IPAM_GROUPS.indexOf(a.group) - IPAM_GROUPS.indexOf(b.group) || compare(a.key, b.key))
}

/** The IPAM section as Go's json.MarshalIndent prints calicoctl's migrateIPAM (no trailing newline). */
export function renderIpam(entries: readonly IpamEntry[]): string {
  const pair = (e: IpamEntry) => `{"Key":${goQuote(e.key)},"Value":${e.value},"TTL":0}`
  const fields: string[] = []
  for (const group of IPAM_GROUPS) {
    const members = entries.filter((e) => e.group === group)
    if (members.length === 0) continue
    const body = group === 'config' ? pair(members[0]) : `[${members.map(pair).join(',')}]`
    fields.push(`${goQuote(group)}:${body}`)
  }
  return indentJson(`{${fields.join(',')}}`)
}

/**
 * Parses and checks the IPAM section of a migration file: every group known, every pair a
 * {Key, Value[, TTL]} whose Key belongs to its group and whose Value is a JSON object, no key
 * twice. Throws a one-line CliError naming what is wrong.
 */
export function parseIpam(text: string): IpamEntry[] {
  const fail = (reason: string): never => {
    throw new CliError(`failed to read IPAM resources: ${reason}`)
  }
  let root: JsonNode
  try {
    root = parseJsonWithSource(text.trim())
  } catch (error) {
    return fail((error as Error).message)
  }
  if (root.type !== 'object') return fail('the IPAM section is not a JSON object')
  const entries: IpamEntry[] = []
  const seen = new Set<string>()
  for (const [name, node] of root.entries) {
    const group = IPAM_GROUPS.find((g) => g === name)
    if (!group) return fail(`unknown IPAM group "${name}" (expected ${IPAM_GROUPS.join(', ')})`)
    if (group === 'config' && node.type === 'scalar' && node.value === null) continue
    const pairs = group === 'config' ? [node] : node.type === 'array' ? node.items : fail(`"${group}" is not a JSON array`)
    for (const [index, pairNode] of pairs.entries()) {
      const where = group === 'config' ? '"config"' : `"${group}"[${index}]`
      const entry = parsePair(pairNode, group, where, fail)
      if (seen.has(entry.key)) return fail(`${where}: key ${entry.key} appears more than once`)
      seen.add(entry.key)
      entries.push(entry)
    }
  }
  return IPAM_GROUPS.flatMap((group) => entries.filter((e) => e.group === group))
}

function parsePair(node: JsonNode, group: IpamGroup, where: string, fail: (reason: string) => never): IpamEntry {
  if (node.type !== 'object') return fail(`${where} is not a {"Key", "Value"} object`)
  const fields = new Map(node.entries)
  const unknown = [...fields.keys()].filter((k) => k !== 'Key' && k !== 'Value' && k !== 'TTL')
  if (unknown.length > 0) return fail(`${where}: unknown field "${unknown[0]}"`)
  const key = fields.get('Key')
  if (key?.type !== 'scalar' || typeof key.value !== 'string') return fail(`${where}: "Key" must be a string`)
  if (!KEY_PATTERNS[group].test(key.value)) return fail(`${where}: ${key.value} does not belong in "${group}"`)
  const value = fields.get('Value')
  if (value?.type !== 'object') return fail(`${where}: "Value" of ${key.value} must be a JSON object`)
  const ttl = fields.get('TTL')
  if (ttl !== undefined && (ttl.type !== 'scalar' || typeof ttl.value !== 'number')) return fail(`${where}: "TTL" must be a number`)
  return {group, key: key.value, value: compactJson(value.raw)}
}

export interface IpamWriteResult {
  total: number
  applied: number
  errors: string[]
}

const BATCH_SIZE = 500

/**
 * Creates every key, in calicoctl's order (affinities, blocks, handles, config). A key that
 * already holds exactly this value counts as applied, so an interrupted import can be re-run
 * with --allow-non-empty; any other existing value is an error and is left alone.
 */
export async function writeIpam(datastore: Datastore, entries: readonly IpamEntry[]): Promise<IpamWriteResult> {
  const result: IpamWriteResult = {total: entries.length, applied: 0, errors: []}
  for (let start = 0; start < entries.length; start += BATCH_SIZE) {
    const chunk = entries.slice(start, start + BATCH_SIZE)
    const ops: WriteOp[] = chunk.map((e) => ({op: 'create', key: e.key, value: e.value}))
    const outcomes = await datastore.batch(ops)
    for (const [i, outcome] of outcomes.entries()) {
      const entry = chunk[i]
      if (outcome.ok) {
        result.applied++
        continue
      }
      if (outcome.error instanceof AlreadyExistsError && (await datastore.get(entry.key))?.value === entry.value) {
        result.applied++
        continue
      }
      result.errors.push(`error trying to create ${GROUP_NAMES[entry.group]} ${entry.key}: ${outcome.error.message}`)
    }
  }
  return result
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
