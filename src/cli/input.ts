/**
 * Reads `-f FILE|DIR|-` into decoded resources, one entry per document (calicoctl's file.Iter and
 * resourcemgr.CreateResourcesFromFile). Files split on lines starting with `---`; a document may
 * be one object, an array of objects, or a `<Kind>List`. YAML is read as YAML 1.1, as Go does
 * (so `yes`/`no` are booleans; see yaml11.ts).
 *
 * Unlike calicoctl, a document that fails to decode does not fail the whole input: it becomes an
 * entry with an error that names its kind, name and field, and the other documents still run.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'


import {decodeResource} from '../api/index.js'
import {kindInfo} from '../api/registry.js'
import {resourceIdentifier, type Resource} from '../api/resource.js'
import {CliError, massageError} from './errors.js'
import {parseYamlDocument} from './yaml11.js'

export interface InputDocument {
  /** Where it came from, for messages: a file path or `stdin`. */
  source: string
  resource?: Resource
  /** Set when the document could not be decoded; the resource is then absent. */
  error?: string
  /** The kind as written, even when decoding failed (for calicoctl's single-kind messages). */
  kind?: string
}

export interface ReadOptions {
  filename: string
  recursive?: boolean
  skipEmpty?: boolean
  readStdin?: () => string
}

const INPUT_EXTENSIONS = /\.(ya?ml|json)$/i

function listInputFiles(dir: string, recursive: boolean): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (recursive) files.push(...listInputFiles(path, recursive))
    } else if (INPUT_EXTENSIONS.test(entry.name)) {
      files.push(path)
    }
  }
  return files
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(code)
    throw new CliError(`failed to execute command: open ${path}: ${reason}`)
  }
}

/** Splits on lines that start with `---`, as calicoctl's YAML separator does. */
export function splitDocuments(text: string): string[] {
  const documents: string[] = []
  let current: string[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) {
      documents.push(current.join('\n'))
      current = []
    } else {
      current.push(line)
    }
  }
  documents.push(current.join('\n'))
  return documents.filter((doc) => doc.trim() !== '')
}

function describe(raw: Record<string, unknown>): {kind?: string; label: string | undefined} {
  const kind = typeof raw.kind === 'string' ? raw.kind : undefined
  const metadata = (raw.metadata ?? {}) as Record<string, unknown>
  const name = typeof metadata.name === 'string' ? metadata.name : undefined
  if (!kind) return {kind, label: undefined}
  const namespace = kindInfo(kind)?.namespaced && typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  return {kind, label: resourceIdentifier(kind, name ?? '', namespace)}
}

function decodeObject(raw: unknown, source: string, position: string): InputDocument[] {
  if (Array.isArray(raw)) return raw.flatMap((item, i) => decodeObject(item, source, `${position}[${i}]`))
  if (raw === null || typeof raw !== 'object') {
    return [{source, error: `${source} ${position}: document is not a resource object`}]
  }
  const object = raw as Record<string, unknown>
  if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
    return object.items.flatMap((item, i) => decodeObject(item, source, `${position} item ${i}`))
  }
  const {kind, label} = describe(object)
  try {
    return [{source, kind, resource: decodeResource(object)}]
  } catch (error) {
    const reason = massageError((error as Error).message)
    return [{source, kind, error: label ? `${label}: ${reason}` : `${source} ${position}: ${reason}`}]
  }
}

/** Decodes the text of one file (or stdin) into per-document entries. */
export function decodeText(text: string, source: string): InputDocument[] {
  return splitDocuments(text).flatMap((docText, index) => {
    const position = `document ${index + 1}`
    let value: unknown
    try {
      value = parseYamlDocument(docText)
    } catch (error) {
      return [{source, error: `${source} ${position}: ${(error as Error).message.split('\n')[0]}`}]
    }
    return value === null || value === undefined ? [] : decodeObject(value, source, position)
  })
}

/**
 * All documents of `-f`. Empty inputs fail as calicoctl does, unless skipEmpty (then the result
 * is empty and the caller prints `No resources specified`).
 */
export function readResourceInput(options: ReadOptions): InputDocument[] {
  const {filename, recursive = false, skipEmpty = false} = options
  if (filename === '-') {
    const docs = decodeText(options.readStdin ? options.readStdin() : readFileSync(0, 'utf8'), 'stdin')
    if (docs.length === 0 && !skipEmpty) throw new CliError('no resources specified in file -')
    return docs
  }
  let isDirectory = false
  try {
    isDirectory = statSync(filename).isDirectory()
  } catch {
    // Reported by readText with calicoctl's wording.
  }
  if (!isDirectory) {
    const docs = decodeText(readText(filename), filename)
    if (docs.length === 0 && !skipEmpty) throw new CliError(`no resources specified in file ${filename}`)
    return docs
  }
  const docs: InputDocument[] = []
  for (const file of listInputFiles(filename, recursive)) {
    const fileDocs = decodeText(readText(file), file)
    if (fileDocs.length === 0 && !skipEmpty) throw new CliError(`no resources specified in file ${file}`)
    docs.push(...fileDocs)
  }
  if (docs.length === 0 && !skipEmpty) throw new CliError(`no resources specified in directory ${filename}`)
  return docs
}
