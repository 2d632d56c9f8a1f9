#!/usr/bin/env node
// Fails when the committed oclif.manifest.json differs from the one `npm run build` just wrote.
import {execFileSync} from 'node:child_process'

try {
  execFileSync('git', ['rev-parse', '--is-inside-work-tree'], {stdio: 'ignore'})
} catch {
  console.error('check-manifest: not a git checkout; nothing to compare against')
  process.exit(0)
}
try {
  execFileSync('git', ['ls-files', '--error-unmatch', 'oclif.manifest.json'], {stdio: 'ignore'})
} catch {
  console.error('oclif.manifest.json is not committed: run `npm run build` and commit it')
  process.exit(1)
}
try {
  execFileSync('git', ['diff', '--exit-code', '--stat', '--', 'oclif.manifest.json'], {stdio: 'inherit'})
} catch {
  console.error('oclif.manifest.json is stale: run `npm run build` and commit the result')
  process.exit(1)
}
