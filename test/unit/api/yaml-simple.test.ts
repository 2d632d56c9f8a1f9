/**
 * The fast reader for plain block YAML (src/cli/yaml-simple.ts) against js-yaml: every document
 * it accepts must come out exactly as js-yaml reads it, and what it declines must be left to
 * js-yaml. (It lives beside the api tests because it feeds the api decoder.)
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'

import jsYaml from 'js-yaml'

import {splitDocuments} from '../../../src/cli/input.js'
import {type ImplicitType, SimpleYamlReader} from '../../../src/cli/yaml-simple.js'
import {parseYamlDocument, YAML_1_1_SCHEMA} from '../../../src/cli/yaml11.js'
import {policyDocuments} from '../../../bench/support.js'

const root = join(import.meta.dirname, '..', '..', '..')

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yamlFiles(path, out)
    else if (/\.ya?ml$/.test(name)) out.push(path)
  }
  return out
}

/** What js-yaml gives with the CLI's schema; errors as their message. */
function reference(text: string): unknown {
  try {
    return jsYaml.load(text, {schema: YAML_1_1_SCHEMA})
  } catch (error) {
    return {error: (error as Error).message}
  }
}

function actual(text: string): unknown {
  try {
    return parseYamlDocument(text)
  } catch (error) {
    return {error: (error as Error).message}
  }
}

const reader = new SimpleYamlReader((YAML_1_1_SCHEMA as unknown as {compiledImplicit: ImplicitType[]}).compiledImplicit)

const SNIPPETS = [
  'a: 1\nb: yes\nc: No\nd: ~\ne: null\nf:\ng: 0x1F\nh: 1e3\ni: .inf\nj: 2001-12-14\nk: 010\nl: +5\nm: 1_000',
  'list:\n- a\n- b\n-\n- - nested\nafter: x',
  'list:\n  - a: 1\n    b: 2\n  - c: 3\n  -   d: 4\n      e: 5\n',
  'flow: [80, 443, "8000:8100", \'it\'\'s\', yes, ~, 1.5]\nmap: {a: b, c: "d, e", f: 1}\nempty: []\nnone: {}',
  'q: "a \\"b\\" \\\\ \\n \\t \\/"\ns: \'single \'\' quote\'\nplain: app == "x" && has(y)\nspaces: a  b',
  'key: value:\n',
  'dup: 1\ndup: 2',
  'a:\n  b: 1\n c: 2',
  'a: 1\n  b: 2',
  'a: [1, [2]]',
  'a: {b: {c: d}}',
  'a: [1, 2,]',
  'a: "unterminated',
  'a: &anchor 1\nb: *anchor',
  'a: !!str 1',
  'a: |\n  block\n',
  'a: multi\n  line',
  '"quoted key": 1',
  '? complex\n: key',
  '<<: {a: 1}',
  'on: 1',
  '80: http',
  'a: 1 # comment',
  'a:\tb',
  'a: b\r\nc: d',
  'a: caf\u00e9',
  '{"json": true, "n": 1}',
  '[1, 2]',
  'just a scalar',
  '  indented: 1\n  doc: 2',
  'a:\n- 1\nb: 2\n- 3',
  'a: -1\nb: -x\nc: :x\nd: x:y\ne: x, y\nf: a[b]',
  '__proto__: 1',
  'key : spaced',
  'a: "x" trailing',
  'a: \'x\' trailing',
  'a: {b: "c"} trailing',
  'a: [b] trailing',
  'a: ...',
  '...',
  'a:\n  -\n    b: 1\n  - c',
]

describe('yaml-simple: the fast path reads what js-yaml reads', () => {
  test('the policy workload is read by the fast path, identically', () => {
    for (const doc of splitDocuments(policyDocuments(50))) {
      const fast = reader.read(doc)
      assert.notEqual(fast, undefined, `declined:\n${doc}`)
      assert.deepStrictEqual(fast, reference(doc))
    }
  })

  test('every fixture and example document reads identically', () => {
    let accepted = 0
    const files = [...yamlFiles(join(root, 'test', 'fixtures')), ...yamlFiles(join(root, 'examples'))]
    for (const file of files) {
      for (const doc of splitDocuments(readFileSync(file, 'utf8'))) {
        assert.deepStrictEqual(actual(doc), reference(doc), `${file}:\n${doc}`)
        if (reader.read(doc) !== undefined) accepted++
      }
    }
    assert.ok(accepted > 0, 'the fast path declined every fixture')
  })

  for (const snippet of SNIPPETS) {
    test(`same value or same error: ${JSON.stringify(snippet).slice(0, 60)}`, () => {
      const fast = reader.read(snippet)
      if (fast !== undefined) assert.deepStrictEqual(fast, reference(snippet))
      assert.deepStrictEqual(actual(snippet), reference(snippet))
    })
  }
})

describe('splitDocuments', () => {
  /** The line-by-line definition: a line starting with `---` ends a document. */
  function byLines(text: string): string[] {
    const documents: string[] = []
    let current: string[] = []
    for (const line of text.split('\n')) {
      if (line.startsWith('---')) {
        documents.push(current.join('\n'))
        current = []
      } else current.push(line)
    }
    documents.push(current.join('\n'))
    return documents.filter((doc) => doc.trim() !== '')
  }

  test('splits exactly as the line-by-line definition', () => {
    const cases = [
      '',
      '---',
      '---\n',
      'a: 1',
      'a: 1\n---\nb: 2\n',
      '---\na: 1\n---\n---\nb: 2',
      'a: 1\n--- x\nb: 2\n----\nc: 3\n---',
      'a: 1\n  ---\nb: 2',
      ' \n---\n \n---\n\n',
      'a\n--\n---b\nc\n',
    ]
    for (const text of cases) assert.deepEqual(splitDocuments(text), byLines(text), JSON.stringify(text))
    const workload = policyDocuments(20)
    assert.deepEqual(splitDocuments(workload), byLines(workload))
  })
})
