/**
 * `calicoctl policy trace` end to end against a local store: the README's worked example run
 * exactly as printed there, the JSON form, and one-line failures for bad input.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {runCli, tempStore} from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')

/** The `console` block of the README's policy trace section: commands (`$ calicoctl …`) and their output. */
function readmeExample(): Array<{args: string[]; output: string}> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## `policy trace`'))
  const block = /```console\n([\s\S]*?)```/.exec(section)?.[1]
  assert.ok(block, 'README has a console block in its policy trace section')
  const steps: Array<{args: string[]; output: string}> = []
  for (const line of block.split('\n')) {
    if (line.startsWith('$ calicoctl ')) steps.push({args: line.slice('$ calicoctl '.length).split(' '), output: ''})
    else if (steps.length > 0) steps[steps.length - 1].output += `${line}\n`
  }
  // The block's last line ends before the fence: no trailing newline beyond the output's own.
  steps[steps.length - 1].output = steps[steps.length - 1].output.replace(/\n$/, '')
  return steps
}

describe('policy trace', () => {
  let store: ReturnType<typeof tempStore>
  const cli = (...args: string[]) => runCli(args, {env: store.env})

  before(() => {
    store = tempStore()
  })
  after(() => store.cleanup())

  test('the README example, exactly', async () => {
    const steps = readmeExample()
    assert.ok(steps.length >= 3)
    for (const step of steps) {
      const args = step.args.map((a) => (a.startsWith('examples/') ? join(root, a) : a))
      const r = await cli(...args)
      assert.deepEqual({exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr}, {exitCode: 0, stdout: step.output, stderr: ''}, step.args.join(' '))
    }
  })

  test('-o json: the trace as a document', async () => {
    const r = await cli('policy', 'trace', '--from', 'shop/frontend', '--to', 'shop/backend', '--protocol', 'TCP', '--port', '22', '-o', 'json')
    assert.equal(r.exitCode, 0, r.stderr)
    const trace = JSON.parse(r.stdout) as {
      verdict: string
      flow: {protocol: number; dstPort: number}
      destination: {name: string; labels: Record<string, string>}
      directions: Array<{direction: string; verdict: string; decision: {step: string; tier?: string; action?: string}}>
    }
    assert.equal(trace.verdict, 'Deny')
    assert.deepEqual([trace.flow.protocol, trace.flow.dstPort], [6, 22])
    assert.equal(trace.destination.name, 'node1-k8s-backend-eth0')
    assert.equal(trace.destination.labels['pcns.projectcalico.org/name'], 'shop')
    assert.deepEqual(
      trace.directions.map((d) => [d.direction, d.verdict, d.decision.step]),
      [
        ['egress', 'Allow', 'profile-rule'],
        ['ingress', 'Deny', 'end-of-tier'],
      ],
    )
  })

  test('an endpoint by resource name, a named-port flow, ICMP and an IP-to-IP flow', async () => {
    const byName = await cli('policy', 'trace', '--from', 'shop/node1-k8s-backend-eth0', '--to', '10.1.2.3', '--protocol', 'UDP', '--port', '53')
    assert.equal(byName.exitCode, 0, byName.stderr)
    assert.match(byName.stdout, /NetworkPolicy shop\/allow-frontend: egress\[0\] Allow {2}=> Allow/)
    const icmp = await cli('policy', 'trace', '--from', 'shop/frontend', '--to', 'shop/backend', '--protocol', 'ICMP', '--icmp-type', '8', '--icmp-code', '0')
    assert.equal(icmp.exitCode, 0, icmp.stderr)
    assert.match(icmp.stdout, /^Flow: ICMP type 8 code 0 10\.244\.1\.10 -> 10\.244\.1\.20 \(IPv4\)$/m)
    assert.match(icmp.stdout, /^Verdict: Deny$/m)
    const ips = await cli('policy', 'trace', '--from', '192.0.2.1', '--to', '192.0.2.2', '--protocol', '17', '--port', '53')
    assert.equal(ips.exitCode, 0, ips.stderr)
    assert.match(ips.stdout, /neither end is a Calico endpoint/)
  })

  test('bad input: one line on stderr, exit 1', async () => {
    const base = ['policy', 'trace']
    const cases: Array<[string[], string]> = [
      [['--from', 'shop/nope', '--to', 'shop/backend', '--protocol', 'TCP'], '--from shop/nope: WorkloadEndpoint shop/nope not found'],
      [['--from', 'shop/frontend', '--to', 'hep:nope', '--protocol', 'TCP'], '--to hep:nope: HostEndpoint nope not found'],
      [['--from', '10.0.0.300', '--to', 'shop/backend', '--protocol', 'TCP'], '--from 10.0.0.300: invalid IP address'],
      [['--from', 'frontend', '--to', 'shop/backend', '--protocol', 'TCP'], '--from frontend: expected <namespace>/<workload-endpoint>, hep:<host-endpoint> or an IP address'],
      [['--from', 'shop/frontend', '--to', 'shop/backend', '--protocol', 'HTTP'], 'invalid --protocol "HTTP": expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number from 0 to 255'],
      [['--from', 'shop/frontend', '--to', 'shop/backend', '--protocol', 'TCP', '--port', '70000'], 'invalid --port "70000": expected a number from 0 to 65535'],
      [['--from', 'shop/frontend', '--to', 'shop/backend', '--protocol', 'ICMP', '--icmp-code', '0'], '--icmp-code needs --icmp-type'],
      [['--from', 'shop/frontend', '--to', 'shop/backend', '--protocol', 'ICMP', '--port', '80'], 'a destination port needs protocol TCP, UDP or SCTP, not ICMP'],
      [['--from', 'shop/frontend', '--to', 'fd00::1', '--protocol', 'TCP'], 'source and destination have no addresses of the same IP version'],
    ]
    for (const [args, message] of cases) {
      const r = await cli(...base, ...args)
      assert.deepEqual({exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr}, {exitCode: 1, stdout: '', stderr: `${message}\n`}, args.join(' '))
    }
  })
})
