/**
 * CLI start-up: `calicoctl version --client` against `node -e 0`, measured interleaved in one run.
 * Also a full oclif command start (`validate --help`), for transparency: `version --client` is
 * answered before oclif loads, every other command pays oclif's load.
 * Run: node --import tsx bench/startup.ts
 */
import {bin, median, timeCommand} from './support.js'

const runs = Number(process.env.BENCH_RUNS ?? 30)
const node: number[] = []
const version: number[] = []
const oclif: number[] = []
for (let i = 0; i < 3; i++) timeCommand(process.execPath, [bin, 'version', '--client'])
for (let i = 0; i < runs; i++) {
  node.push(timeCommand(process.execPath, ['-e', '0']))
  version.push(timeCommand(process.execPath, [bin, 'version', '--client']))
  oclif.push(timeCommand(process.execPath, [bin, 'validate', '--help']))
}
const base = median(node)
const line = (label: string, values: number[], note: string) =>
  console.log(`  ${label.padEnd(30)} ${median(values).toFixed(1)} ms   ratio ${(median(values) / base).toFixed(2)}x ${note}`)
console.log(`startup (median of ${runs}):`)
console.log(`  ${'node -e 0'.padEnd(30)} ${base.toFixed(1)} ms`)
line('calicoctl version --client', version, '(target <= 1.5x)')
line('calicoctl validate --help', oclif, '(full oclif load)')
