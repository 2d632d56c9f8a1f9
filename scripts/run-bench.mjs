#!/usr/bin/env node
// Runs every benchmark in bench/ (*.mjs directly, *.ts through tsx) except the shared lib, one after
// another. A name on the command line runs only the benchmarks whose file name contains it.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'

let failed = false
const only = process.argv.slice(2)
const benches = readdirSync('bench')
  .filter((f) => (f.endsWith('.mjs') || f.endsWith('.ts')) && !f.startsWith('lib.') && f !== 'support.ts')
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
  .sort()
for (const file of benches) {
  console.log(`== bench/${file}`)
  const loader = file.endsWith('.ts') ? ['--import', 'tsx'] : []
  const result = spawnSync(process.execPath, [...loader, `bench/${file}`], {stdio: 'inherit'})
  failed ||= result.status !== 0
}
process.exit(failed ? 1 : 0)
