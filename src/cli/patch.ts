/**
 * Patch application for `calicoctl patch`. Calico's v3 types carry no list merge keys, so a
 * strategic merge patch behaves as a JSON merge patch (RFC 7386) for them: objects merge
 * recursively, `null` removes a key, lists and scalars replace; the `$patch: replace|delete`
 * directives are honoured. `--type=json` applies an RFC 6902 operation list (beyond calicoctl,
 * which accepts the flag but always merges).
 */

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

function isObject(value: unknown): value is {[key: string]: Json} {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function mergePatch(original: Json | undefined, patch: Json, strategic: boolean): Json | undefined {
  if (!isObject(patch)) return patch
  if (strategic && patch.$patch === 'delete') return undefined
  const replace = strategic && patch.$patch === 'replace'
  const result: {[key: string]: Json} = isObject(original) && !replace ? {...original} : {}
  for (const [key, value] of Object.entries(patch)) {
    if (strategic && key === '$patch') continue
    if (value === null) {
      delete result[key]
      continue
    }
    const merged = mergePatch(result[key], value, strategic)
    if (merged === undefined) delete result[key]
    else result[key] = merged
  }
  return result
}

export class PatchError extends Error {}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`)
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
}

function parentOf(root: Json, path: string[]): {parent: Json; key: string} {
  let node = root
  for (const part of path.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined
    if (next === undefined) throw new PatchError(`path /${path.join('/')} does not exist`)
    node = next
  }
  return {parent: node, key: path[path.length - 1]}
}

function getAt(root: Json, path: string[]): Json {
  if (path.length === 0) return root
  const {parent, key} = parentOf(root, path)
  const value = Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined
  if (value === undefined) throw new PatchError(`path /${path.join('/')} does not exist`)
  return value
}

function removeAt(root: Json, path: string[]): Json {
  const value = getAt(root, path)
  const {parent, key} = parentOf(root, path)
  if (Array.isArray(parent)) parent.splice(Number(key), 1)
  else if (isObject(parent)) delete parent[key]
  return value
}

function addAt(root: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value
  const {parent, key} = parentOf(root, path)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key)
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`index ${key} out of range`)
    parent.splice(index, 0, value)
  } else if (isObject(parent)) {
    parent[key] = value
  } else {
    throw new PatchError(`path /${path.join('/')} does not exist`)
  }
  return root
}

/** Applies an RFC 6902 operation list to a copy of the document. */
export function jsonPatch(document: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError('a json patch must be a list of operations')
  let root = structuredClone(document)
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw new PatchError('each json patch operation needs "op" and "path"')
    }
    const path = decodePointer(operation.path)
    const from = typeof operation.from === 'string' ? decodePointer(operation.from) : undefined
    switch (operation.op) {
      case 'add':
        root = addAt(root, path, structuredClone(operation.value ?? null))
        break
      case 'remove':
        removeAt(root, path)
        break
      case 'replace':
        removeAt(root, path)
        root = addAt(root, path, structuredClone(operation.value ?? null))
        break
      case 'move':
        if (!from) throw new PatchError('move needs "from"')
        root = addAt(root, path, removeAt(root, from))
        break
      case 'copy':
        if (!from) throw new PatchError('copy needs "from"')
        root = addAt(root, path, structuredClone(getAt(root, from)))
        break
      case 'test':
        if (JSON.stringify(getAt(root, path)) !== JSON.stringify(operation.value)) {
          throw new PatchError(`test operation failed at ${operation.path}`)
        }
        break
      default:
        throw new PatchError(`unknown json patch operation "${operation.op}"`)
    }
  }
  return root
}

export type PatchType = 'strategic' | 'merge' | 'json'

export function applyPatch(document: object, patchText: string, type: PatchType): unknown {
  let patch: Json
  try {
    patch = JSON.parse(patchText) as Json
  } catch (error) {
    throw new PatchError((error as Error).message)
  }
  if (type === 'json') return jsonPatch(document as Json, patch)
  return mergePatch(document as Json, patch, type === 'strategic')
}
