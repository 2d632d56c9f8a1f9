/**
 * `calicoctl apply -f` of 10,000 NetworkPolicies into a fresh embedded local store (resources/s),
 * again as updates, and `get networkpolicy -A -o json` of the same store.
 * Run: node --import tsx bench/apply-local.ts
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {policyDocuments, timeCli} from './support.js'

const count = Number(process.env.BENCH_POLICIES ?? 10_000)


const dir = mkdtempSync(join(tmpdir(), 'bench-apply-'))
try {
  const file = join(dir, 'policies.yaml')
  writeFileSync(file, policyDocuments(count))
  const env = {...process.env, CALICO_DATASTORE_DIR: join(dir, 'store'), DATASTORE_TYPE: 'local'}
  const applyMs = timeCli(['apply', '-f', file], env)
  const reapplyMs = timeCli(['apply', '-f', file], env)
  const getMs = timeCli(['get', 'networkpolicy', '-A', '-o', 'json'], env)
  const rate = (ms: number) => ((count / ms) * 1000).toFixed(0)
  console.log(`apply -f of ${count} NetworkPolicies into the local store:`)
  console.log(`  create           ${(applyMs / 1000).toFixed(2)} s   ${rate(applyMs)} resources/s`)
  console.log(`  update           ${(reapplyMs / 1000).toFixed(2)} s   ${rate(reapplyMs)} resources/s`)
  console.log(`  get -A -o json   ${(getMs / 1000).toFixed(2)} s`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
