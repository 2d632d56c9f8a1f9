#!/usr/bin/env node
// Records the git commit the build was made from, for `calicoctl version` (dist/build-info.json).
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'

let gitCommit = 'unknown'
try {
  gitCommit = execFileSync('git', ['rev-parse', '--short=8', 'HEAD'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
} catch {
  // Not a git checkout (e.g. an npm tarball): keep "unknown".
}
mkdirSync('dist', {recursive: true})
writeFileSync('dist/build-info.json', JSON.stringify({gitCommit}) + '\n')
