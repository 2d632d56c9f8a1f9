// The fused decode+marshal fast path against the generic decoder it stands in for: wherever the
// fast path answers, its output (key order included) is the generic marshalStruct(decodeStrict);
// wherever the generic decoder fails, the fast path gives up. Documents are generated with the
// values that take the unusual branches: nulls, YAML scalars for strings, case-folded and
// unknown keys, wrong types, custom types with bad texts, empty lists and objects.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import fc from 'fast-check'
import {parseAllDocuments} from 'yaml'

import {decodeStrict, GoDecodeFailure, marshalStruct} from '../../../src/api/codec/decode.js'
import {decodeMarshalled} from '../../../src/api/codec/fused.js'
import {kindSchema} from '../../../src/api/schema/index.js'
import {doc} from './helpers.js'

type Doc = Record<string, unknown>

/** The generic path's result as JSON text, or 'error' when it fails. */
function generic(document: Doc): string {
  const schema = kindSchema(document.kind as string)
  assert.ok(schema)
  try {
    const decoded = decodeStrict(document, schema)
    decoded.kind = document.kind
    decoded.apiVersion = document.apiVersion
    return JSON.stringify(marshalStruct(decoded, schema))
  } catch (error) {
    if (error instanceof GoDecodeFailure) return 'error'
    throw error
  }
}

function fused(document: Doc): string | undefined {
  const schema = kindSchema(document.kind as string)
  assert.ok(schema)
  const out = decodeMarshalled(document, schema)
  return out === undefined ? undefined : JSON.stringify(out)
}

/** Asserts the contract; says whether the generic decoder accepted it and the fast path answered. */
function agrees(document: Doc): {accepted: boolean; answered: boolean} {
  const want = generic(document)
  const got = fused(document)
  if (got === undefined) return {accepted: want !== 'error', answered: false}
  assert.notEqual(want, 'error', `the fast path accepted what the generic decoder rejects: ${JSON.stringify(document)}`)
  assert.equal(got, want)
  return {accepted: true, answered: true}
}

const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({min: -5, max: 70000}), fc.double({noNaN: true, noDefaultInfinity: true}), fc.constantFrom('', 'x', '80', '1:2', 'TCP', '5s', 'bad'))
const port = fc.oneof(fc.integer({min: 0, max: 65535}), fc.constantFrom('80', '1:2', 'http', '0:0', 'x:y', -1, null))
/** Mostly `arb`, now and then any scalar (usually the wrong type). */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({weight: 30, arbitrary: arb}, {weight: 1, arbitrary: scalar})
/** Now and then, a key the generic decoder must handle: unknown, or matching only case-insensitively. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({weight: 30, arbitrary: fc.constant(undefined)}, {weight: 1, arbitrary: arb})
const entity = fc.record(
  {
    nets: maybe(fc.array(fc.constantFrom('10.0.0.0/8', 'fd00::/64', null), {maxLength: 2})),
    ports: maybe(fc.array(port, {maxLength: 3})),
    selector: maybe(fc.constantFrom("app == 'a'", 'all()', 7)),
    Selector: rarely(fc.constantFrom('global()')),
    serviceAccounts: maybe(fc.record({names: fc.array(fc.constantFrom('a', 'b', 1)), selector: fc.constant('')}, {requiredKeys: []})),
    bogus: rarely(fc.constant(1)),
  },
  {requiredKeys: []},
)
const rule = fc.record(
  {
    action: maybe(fc.constantFrom('Allow', 'Deny', 'allow')),
    protocol: maybe(fc.constantFrom('TCP', 6, '17', 'GRE')),
    ipVersion: maybe(fc.constantFrom(4, 6)),
    icmp: maybe(fc.record({type: maybe(fc.integer({min: 0, max: 300})), code: fc.integer({min: 0, max: 10})}, {requiredKeys: []})),
    source: maybe(entity),
    destination: maybe(entity),
    metadata: maybe(fc.record({annotations: fc.dictionary(fc.constantFrom('a', 'b', 'c'), scalar)}, {requiredKeys: []})),
  },
  {requiredKeys: []},
)
const spec = fc.record(
  {
    order: maybe(fc.double({min: -1e6, max: 1e6, noNaN: true})),
    tier: maybe(fc.constantFrom('default', 'security')),
    selector: maybe(fc.constantFrom("app == 'x'", '')),
    types: maybe(fc.array(fc.constantFrom('Ingress', 'Egress', null), {maxLength: 3})),
    ingress: maybe(fc.array(rule, {maxLength: 3})),
    egress: maybe(fc.array(rule, {maxLength: 2})),
    doNotTrack: maybe(fc.boolean()),
    performanceHints: maybe(fc.array(fc.constantFrom('AssumeNeededOnEveryNode'), {maxLength: 1})),
  },
  {requiredKeys: []},
)
const metadata = fc.record(
  {
    name: maybe(fc.constantFrom('p1', 'p2')),
    namespace: fc.constantFrom('ns'),
    labels: maybe(fc.dictionary(fc.constantFrom('app', 'tier', 'z'), scalar)),
    annotations: maybe(fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'))),
    creationTimestamp: maybe(fc.constantFrom('2024-01-02T03:04:05Z', '2024-01-02T03:04:05.5+01:00', 'yesterday')),
    Name: rarely(fc.constant('folded')),
  },
  {requiredKeys: []},
)

test('the fast path answers as the generic decoder, or leaves it to it', () => {
  let accepted = 0
  let answered = 0
  fc.assert(
    fc.property(fc.constantFrom('NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy'), spec, metadata, (kind, s, m) => {
      const verdict = agrees(JSON.parse(JSON.stringify({...doc(kind, s), metadata: m})) as Doc)
      if (verdict.accepted) accepted++
      if (verdict.answered) answered++
    }),
    {numRuns: 2000},
  )
  // Only the rare case-folded keys make the fast path give up on a document the generic accepts
  // (about one in ten here).
  assert.ok(accepted > 150, `the generators gave only ${accepted} decodable documents`)
  assert.ok(answered >= accepted * 0.75, `the fast path answered ${answered} of ${accepted} decodable documents`)
})

test('the fast path answers every fixture document of every kind as the generic decoder does', () => {
  const dir = join(import.meta.dirname, '..', '..', 'fixtures')
  const files = readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((f) => /\.ya?ml$/.test(f))
  let answered = 0
  for (const file of files) {
    for (const parsed of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const value = parsed.toJS() as unknown
      if (typeof value !== 'object' || value === null || Array.isArray(value)) continue
      const document = value as Doc
      if (document.apiVersion !== 'projectcalico.org/v3' || typeof document.kind !== 'string' || !kindSchema(document.kind)) continue
      const verdict = agrees(document)
      if (verdict.answered) answered++
      else assert.ok(!verdict.accepted, `the fast path gave up on ${file}: ${JSON.stringify(document)}`)
    }
  }
  assert.ok(answered > 20, `only ${answered} fixture documents took the fast path`)
})
