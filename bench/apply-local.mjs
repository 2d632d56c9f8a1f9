// `calicoctl apply -f` of 10,000 NetworkPolicies into a fresh embedded local store (resources/s),
// with `get networkpolicy -A -o json` of the same store for scale.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {bin, timeCommand} from './lib.mjs'

const count = Number(process.env.BENCH_POLICIES ?? 10_000)
const dir = mkdtempSync(join(tmpdir(), 'bench-apply-'))
try {
  const docs = []
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: policy-${i}
  namespace: ns-${i % 50}
spec:
  order: ${i}
  selector: app == "app-${i % 200}"
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: role == "frontend-${i % 20}"
    destination:
      ports: [80, 443, "8000:8100"]
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports: [53]
`)
  }
  const file = join(dir, 'policies.yaml')
  writeFileSync(file, docs.join('---\n'))
  const env = {...process.env, CALICO_DATASTORE_DIR: join(dir, 'store')}
  const applyMs = timeCommand(process.execPath, [bin, 'apply', '-f', file], {env})
  const reapplyMs = timeCommand(process.execPath, [bin, 'apply', '-f', file], {env})
  const getMs = timeCommand(process.execPath, [bin, 'get', 'networkpolicy', '-A', '-o', 'json'], {env, maxBuffer: 1 << 30})
  console.log(`apply -f of ${count} NetworkPolicies into the local store:`)
  console.log(`  create   ${(applyMs / 1000).toFixed(2)} s   ${((count / applyMs) * 1000).toFixed(0)} resources/s`)
  console.log(`  update   ${(reapplyMs / 1000).toFixed(2)} s   ${((count / reapplyMs) * 1000).toFixed(0)} resources/s`)
  console.log(`  get -A -o json ${(getMs / 1000).toFixed(2)} s`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
