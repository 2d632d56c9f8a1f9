// CLI start-up: `calicoctl version --client` against `node -e 0`, measured interleaved in one run.
// Also prints a full oclif command start (`validate --help`) for transparency: `version --client`
// is answered before oclif loads, every other command pays oclif's load.
import {bin, median, timeCommand} from './lib.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 30)
const node = []
const version = []
const oclif = []
for (let i = 0; i < 3; i++) timeCommand(process.execPath, [bin, 'version', '--client'])
for (let i = 0; i < runs; i++) {
  node.push(timeCommand(process.execPath, ['-e', '0']))
  version.push(timeCommand(process.execPath, [bin, 'version', '--client']))
  oclif.push(timeCommand(process.execPath, [bin, 'validate', '--help']))
}
const base = median(node)
console.log(`startup (median of ${runs}):`)
console.log(`  node -e 0                       ${base.toFixed(1)} ms`)
console.log(`  calicoctl version --client      ${median(version).toFixed(1)} ms   ratio ${(median(version) / base).toFixed(2)}x (target <= 1.5x)`)
console.log(`  calicoctl validate --help       ${median(oclif).toFixed(1)} ms   ratio ${(median(oclif) / base).toFixed(2)}x (full oclif load)`)
