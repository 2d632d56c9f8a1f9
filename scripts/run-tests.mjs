#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-prefix ...]  (default: the whole test/ tree)
import {spawnSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

const prefixes = process.argv.slice(2)
const files = collect('test', []).filter((f) => prefixes.length === 0 || prefixes.some((p) => f.startsWith(p)))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  {stdio: 'inherit', env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0'}},
)
process.exit(result.status ?? 1)
