#!/usr/bin/env node
// Runs every bench/*.mjs benchmark except the shared lib, one after another.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'

let failed = false
for (const file of readdirSync('bench').filter((f) => f.endsWith('.mjs') && f !== 'lib.mjs').sort()) {
  console.log(`== bench/${file}`)
  const result = spawnSync(process.execPath, [`bench/${file}`], {stdio: 'inherit'})
  failed ||= result.status !== 0
}
process.exit(failed ? 1 : 0)
