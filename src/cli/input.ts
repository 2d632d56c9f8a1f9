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
  // The text between separator lines, without the newline that ends the last line before one.
  let documentStart = 0
  for (let lineStart = 0; ; ) {
    const newline = text.indexOf('\n', lineStart)
    if (text.startsWith('---', lineStart)) {
      documents.push(lineStart > documentStart ? text.slice(documentStart, lineStart - 1) : '')
      documentStart = newline < 0 ? text.length + 1 : newline + 1
    }
    if (newline < 0) break
    lineStart = newline + 1
  }
  documents.push(documentStart <= text.length ? text.slice(documentStart) : '')
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

/** Decodes the text of one file (or stdin) into per-document entries, lazily, in order. */
export function* iterateText(text: string, source: string): Generator<InputDocument> {
  let index = 0
  for (const docText of splitDocuments(text)) {
    const position = `document ${++index}`
    let value: unknown
    try {
      value = parseYamlDocument(docText)
    } catch (error) {
      yield {source, error: `${source} ${position}: ${(error as Error).message.split('\n')[0]}`}
      continue
    }
    if (value !== null && value !== undefined) yield* decodeObject(value, source, position)
  }
}

/** Decodes the text of one file (or stdin) into per-document entries. */
export function decodeText(text: string, source: string): InputDocument[] {
  return [...iterateText(text, source)]
}

/** The documents of `-f` in input order, with the number of raw documents (a progress estimate). */
export interface InputStream extends Iterable<InputDocument> {
  readonly expected: number
}

/**
 * All documents of `-f`, decoded as they are iterated. Files are read (and I/O errors thrown) at
 * once. A single file or stdin is decoded lazily: its emptiness is known only at the end, when the
 * iteration throws `no resources specified` having yielded nothing. A directory is decoded whole
 * first, so an empty file in it fails before any document is used. With skipEmpty, empty inputs
 * yield nothing (the caller prints `No resources specified`).
 */
export function iterateResourceInput(options: ReadOptions): InputStream {
  const {filename, recursive = false, skipEmpty = false} = options
  let isDirectory = false
  if (filename !== '-') {
    try {
      isDirectory = statSync(filename).isDirectory()
    } catch {
      // Reported by readText with calicoctl's wording.
    }
  }
  if (isDirectory) {
    const docs = readDirectory(filename, recursive, skipEmpty)
    return Object.assign(docs, {expected: docs.length})
  }
  const source = filename === '-' ? 'stdin' : filename
  const text = filename === '-' ? (options.readStdin ? options.readStdin() : readFileSync(0, 'utf8')) : readText(filename)
  return {
    expected: countDocuments(text),
    *[Symbol.iterator]() {
      let count = 0
      for (const doc of iterateText(text, source)) {
        count++
        yield doc
      }
      if (count === 0 && !skipEmpty) throw new CliError(`no resources specified in file ${filename}`)
    },
  }
}

/** The number of `---`-separated documents with content (what splitDocuments would return). */
function countDocuments(text: string): number {
  return text.length === 0 ? 0 : (text.match(/^---/gm)?.length ?? 0) + 1
}

function readDirectory(filename: string, recursive: boolean, skipEmpty: boolean): InputDocument[] {
  const docs: InputDocument[] = []
  for (const file of listInputFiles(filename, recursive)) {
    const fileDocs = decodeText(readText(file), file)
    if (fileDocs.length === 0 && !skipEmpty) throw new CliError(`no resources specified in file ${file}`)
    docs.push(...fileDocs)
  }
  if (docs.length === 0 && !skipEmpty) throw new CliError(`no resources specified in directory ${filename}`)
  return docs
}

/**
 * All documents of `-f`, decoded at once. Empty inputs fail as calicoctl does, unless skipEmpty
 * (then the result is empty and the caller prints `No resources specified`).
 */
export function readResourceInput(options: ReadOptions): InputDocument[] {
  return [...iterateResourceInput(options)]
}
