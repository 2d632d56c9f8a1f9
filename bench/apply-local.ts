/**
 * `apply -f` of 10,000 NetworkPolicies into a fresh embedded local store (resources/s): the apply
 * pipeline in-process (runFileAction, what the command runs) and `calicoctl apply -f` as a child
 * process, each as creates and again as updates; then `get networkpolicy -A -o json` of the same
 * store (time and peak RSS).
 * Run: node --import tsx bench/apply-local.ts
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {loadBuilt, policyDocuments, timeCli, timeCliWithRss} from './support.js'

const count = Number(process.env.BENCH_POLICIES ?? 10_000)
// The pipeline as the CLI runs it: the compiled dist/ (npm run build), not a tsx transform of src/.
const {runFileAction, createDatastore, ResourceClient} = await loadBuilt()

/** The command's pipeline in this process, into the store at `dir`; wall milliseconds. */
async function applyInProcess(dir: string, file: string): Promise<number> {
  const datastore = await createDatastore({datastoreType: 'local', localDir: dir})
  try {
    const start = process.hrtime.bigint()
    const {results, error} = await runFileAction(new ResourceClient(datastore), 'apply', {filename: file}, () => undefined)
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (error !== undefined || results.handled !== count) throw new Error(`apply failed: ${error}`)
    return ms
  } finally {
    await datastore.close()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-apply-'))
try {
  const file = join(dir, 'policies.yaml')
  writeFileSync(file, policyDocuments(count))
  const inProcessMs = await applyInProcess(join(dir, 'in-process'), file)
  const inProcessUpdateMs = await applyInProcess(join(dir, 'in-process'), file)
  const env = {...process.env, CALICO_DATASTORE_DIR: join(dir, 'store'), DATASTORE_TYPE: 'local'}
  const applyMs = timeCli(['apply', '-f', file], env)
  const reapplyMs = timeCli(['apply', '-f', file], env)
  const get = timeCliWithRss(['get', 'networkpolicy', '-A', '-o', 'json'], env)
  const rate = (ms: number) => ((count / ms) * 1000).toFixed(0)
  console.log(`apply -f of ${count} NetworkPolicies into the local store:`)
  console.log(`  in-process pipeline, create   ${(inProcessMs / 1000).toFixed(2)} s   ${rate(inProcessMs)} resources/s`)
  console.log(`  in-process pipeline, update   ${(inProcessUpdateMs / 1000).toFixed(2)} s   ${rate(inProcessUpdateMs)} resources/s`)
  console.log(`  child process, create         ${(applyMs / 1000).toFixed(2)} s   ${rate(applyMs)} resources/s`)
  console.log(`  child process, update         ${(reapplyMs / 1000).toFixed(2)} s   ${rate(reapplyMs)} resources/s`)
  console.log(`  get -A -o json (child)        ${(get.ms / 1000).toFixed(2)} s   peak RSS ${(get.maxRssKiB / 1024).toFixed(0)} MiB`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
