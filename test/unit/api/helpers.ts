// Shared builders for the api tests: documents are built as parsed YAML would give them and go
// through decodeResource, so every case also exercises strict decoding and normalisation.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'
import {parse} from 'yaml'

import {decodeResource, validateResource, type Resource} from '../../../src/api/index.js'

export type Doc = Record<string, unknown>

const NAMESPACED = new Set(['NetworkPolicy', 'NetworkSet', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'WorkloadEndpoint'])

/** A document of `kind` with the given spec; metadata defaults to a valid name (and namespace). */
export function doc(kind: string, spec: Doc | undefined, metadata: Doc = {}): Doc {
  const meta: Doc = {name: 'test-name', ...(NAMESPACED.has(kind) ? {namespace: 'default'} : {}), ...metadata}
  const out: Doc = {apiVersion: 'projectcalico.org/v3', kind, metadata: meta}
  if (spec !== undefined) out.spec = spec
  return out
}

/** Decodes then validates; returns the validation message or 'valid'. */
export function verdict(document: Doc): string {
  const res = decodeResource(document)
  return validateResource(res)?.message ?? 'valid'
}

export interface Case {
  name: string
  doc: Doc
  /** 'valid', or the exact ValidationError message. */
  want: string
}

/** One single-error message as Calico renders it. */
export function one(field: string, value: string | undefined, reason: string): string {
  const v = value === undefined ? field : `${field} = '${value}'`
  return `error with field ${reason === '' ? v : `${v} (${reason})`}`
}

/** A several-error message as Calico renders it. */
export function many(...lines: Array<[string, string | undefined, string]>): string {
  const body = lines.map(([field, value, reason]) => `-  ${value === undefined ? field : `${field} = '${value}'`} (${reason})\n`)
  return `error with the following fields:\n${body.join('')}`
}

/** The reason go-playground gives for a failed tag. */
export function tag(field: string, name: string): string {
  return `Reason: failed to validate Field: ${field} because of Tag: ${name} `
}

/** Registers one test per case, asserting the exact verdict. */
export function runCases(group: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${group}: ${c.name}`, () => assert.equal(verdict(c.doc), c.want))
  }
}

export function fixture(name: string): Doc {
  return parse(readFileSync(new URL(`../../fixtures/api/${name}`, import.meta.url), 'utf8')) as Doc
}

export function decoded(document: Doc): Resource {
  return decodeResource(document)
}
