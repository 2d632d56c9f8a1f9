#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx), in two
// phases: the hermetic files two at a time, then the heavy ones (real etcd servers, many
// processes) one at a time, so a 2-core machine never has both kinds competing. Prints the spec
// report, then one closing line with the totals of both phases.
// Usage: node scripts/run-tests.mjs [path-prefix ...]  (default: the whole test/ tree)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Files that start real servers or many processes. */
const HEAVY = [/etcd/, /test\/ipam\/concurrency/, /test\/e2e\//]

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
const heavy = files.filter((f) => HEAVY.some((pattern) => pattern.test(f)))
const light = files.filter((f) => !heavy.includes(f))

const scratch = mkdtempSync(join(tmpdir(), 'run-tests-'))
const totals = {pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0}
let status = 0
try {
  for (const [phase, group, concurrency] of [
    ['hermetic', light, 2],
    ['heavy', heavy, 1],
  ]) {
    if (group.length === 0) continue
    const tap = join(scratch, `${phase}.tap`)
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        ...group,
      ],
      {stdio: 'inherit', env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0'}},
    )
    if (result.status !== 0) status = result.status ?? 1
    const summary = readFileSync(tap, 'utf8')
    for (const key of Object.keys(totals)) {
      const match = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(summary)
      if (match) totals[key] += Number(match[1])
    }
  }
} finally {
  rmSync(scratch, {recursive: true, force: true})
}
if (totals.pass + totals.fail === 0) status ||= 1
console.log(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`)
process.exit(status)
