/** Workload routes and interface sysctls (src/dataplane/routes), against a fake kernel behind the exec shim. */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {CalcMessage, WorkloadEndpoint} from '../../src/calc/messages.js'
import {readStdin, type CmdRunner} from '../../src/dataplane/exec.js'
import {IptablesDataplane} from '../../src/dataplane/index.js'
import {RouteManager} from '../../src/dataplane/routes/index.js'

interface FakeRoute {
  dst: string
  dev: string
  proto: number
}

/** Just enough of `ip -j link/route` and `ip -batch` to stand in for the kernel. */
class FakeKernel {
  links = new Map<string, {index: number; up: boolean}>()
  routes: FakeRoute[] = []
  sysctls = new Map<string, string>()
  /** Every command, with its stdin read whole. */
  calls: {argv: readonly string[]; stdin: string}[] = []
  private nextIndex = 10

  addLink(name: string, up = true): void {
    this.links.set(name, {index: this.nextIndex++, up})
  }

  delLink(name: string): void {
    this.links.delete(name)
    this.routes = this.routes.filter((r) => r.dev !== name)
  }

  readonly run: CmdRunner = async (cmd) => {
    const stdin = await readStdin(cmd)
    this.calls.push({argv: cmd.argv, stdin})
    const argv = cmd.argv.join(' ')
    if (argv === 'ip -j link show') {
      const out = [...this.links].map(([ifname, l]) => ({ifindex: l.index, ifname, flags: l.up ? ['BROADCAST', 'UP', 'LOWER_UP'] : ['BROADCAST'], operstate: l.up ? 'UP' : 'DOWN'}))
      return {stdout: JSON.stringify(out), stderr: ''}
    }
    const show = /^ip -j -4 route show table main proto (\d+)$/.exec(argv)
    if (show) {
      const out = this.routes.filter((r) => r.proto === Number(show[1])).map((r) => ({dst: r.dst.replace(/\/32$/, ''), dev: r.dev, scope: 'link', flags: []}))
      return {stdout: JSON.stringify(out), stderr: ''}
    }
    if (argv === 'ip -force -batch -') {
      for (const line of stdin.trim().split('\n')) {
        const [, op, dst, , dev] = line.split(' ')
        const proto = Number(/proto (\d+)/.exec(line)?.[1] ?? 3)
        if (op === 'replace') {
          if (!this.links.has(dev)) throw new Error(`Cannot find device "${dev}"`)
          this.routes = this.routes.filter((r) => r.dst !== dst)
          this.routes.push({dst, dev, proto})
        } else if (op === 'del') {
          this.routes = this.routes.filter((r) => !(r.dst === dst && r.dev === dev && r.proto === proto))
        }
      }
      return {stdout: '', stderr: ''}
    }
    if (cmd.argv[0] === 'sysctl') {
      for (const kv of cmd.argv.slice(3)) {
        const [k, v] = kv.split('=')
        this.sysctls.set(k, v)
      }
      return {stdout: '', stderr: ''}
    }
    return {stdout: '', stderr: ''}
  }

  routeTable(): string[] {
    return this.routes.map((r) => `${r.dst} dev ${r.dev} proto ${r.proto}`).sort()
  }

  writes(): {argv: readonly string[]; stdin: string}[] {
    return this.calls.filter((c) => c.argv[0] === 'sysctl' || c.argv.includes('-batch'))
  }
}

const wep = (iface: string, ips: string[], spoof: string[] = []): WorkloadEndpoint => ({
  state: 'active',
  name: iface,
  mac: '',
  profileIds: [],
  ipv4Nets: ips,
  ipv6Nets: [],
  tiers: [],
  ipv4Nat: [],
  ipv6Nat: [],
  allowSpoofedSourcePrefixes: spoof,
})

describe('route manager', () => {
  it('routes up interfaces, sets their sysctls once, and writes nothing when nothing changed', async () => {
    const k = new FakeKernel()
    k.addLink('eth0')
    k.addLink('caliA')
    k.addLink('caliB', false)
    const m = new RouteManager(k.run)
    m.onWorkloadUpdate('a', wep('caliA', ['10.65.0.1/32']))
    m.onWorkloadUpdate('b', wep('caliB', ['10.65.0.2/32']))
    await m.apply()
    assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 80'])
    assert.deepEqual(m.pendingInterfaces, ['caliB'])
    assert.equal(k.sysctls.get('net/ipv4/ip_forward'), '1')
    assert.equal(k.sysctls.get('net/ipv4/conf/caliA/proxy_arp'), '1')
    assert.equal(k.sysctls.get('net/ipv4/neigh/caliA/proxy_delay'), '0')
    assert.equal(k.sysctls.get('net/ipv4/conf/caliA/rp_filter'), '1')
    assert.equal(k.sysctls.get('net/ipv4/conf/caliA/forwarding'), '1')
    assert.equal(k.sysctls.has('net/ipv4/conf/caliB/proxy_arp'), false)
    const batch = k.calls.find((c) => c.argv.includes('-batch'))
    assert.equal(batch?.stdin, 'route replace 10.65.0.1/32 dev caliA scope link proto 80\n')

    // The interface comes up: the retry finds it, routes it and configures only it.
    k.links.set('caliB', {index: k.links.get('caliB')?.index ?? 0, up: true})
    const before = k.writes().length
    await m.apply()
    assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 80', '10.65.0.2/32 dev caliB proto 80'])
    assert.deepEqual(m.pendingInterfaces, [])
    const sysctlCall = k.writes().slice(before).find((c) => c.argv[0] === 'sysctl')
    assert.ok(sysctlCall?.argv.every((a) => !a.includes('caliA') && !a.includes('ip_forward')))

    // Nothing changed, nothing awaited: no command at all; a resync reads but writes nothing.
    const calls = k.calls.length
    await m.apply()
    assert.equal(k.calls.length, calls)
    const writes = k.writes().length
    m.markResync()
    await m.apply()
    assert.equal(k.writes().length, writes)
    assert.equal(m.stats.routes, 2)
  })

  it('repairs a deleted route on resync and removes only routes it owns', async () => {
    const k = new FakeKernel()
    k.addLink('caliA')
    k.addLink('caliB')
    k.addLink('eth0')
    // Not Calico's: another protocol on a cali interface, and proto 80 on a non-cali interface.
    k.routes.push({dst: '10.99.0.1/32', dev: 'caliA', proto: 3}, {dst: '10.98.0.0/24', dev: 'eth0', proto: 80})
    const m = new RouteManager(k.run)
    m.onWorkloadUpdate('a', wep('caliA', ['10.65.0.1/32']))
    m.onWorkloadUpdate('b', wep('caliB', ['10.65.0.2/32', '10.65.0.3/32']))
    await m.apply()
    k.routes = k.routes.filter((r) => r.dst !== '10.65.0.3/32')
    m.markResync()
    await m.apply()
    assert.ok(k.routeTable().includes('10.65.0.3/32 dev caliB proto 80'))

    m.onWorkloadRemove('b')
    await m.apply()
    assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 80', '10.98.0.0/24 dev eth0 proto 80', '10.99.0.1/32 dev caliA proto 3'])
    m.removeAll()
    await m.apply()
    assert.deepEqual(k.routeTable(), ['10.98.0.0/24 dev eth0 proto 80', '10.99.0.1/32 dev caliA proto 3'])
  })

  it('follows DeviceRouteProtocol, IPForwarding, spoofing and recreated interfaces', async () => {
    const k = new FakeKernel()
    k.addLink('caliA')
    const m = new RouteManager(k.run)
    m.setConfig({DeviceRouteProtocol: '3', IPForwarding: 'Disabled'})
    m.onWorkloadUpdate('a', wep('caliA', ['10.65.0.1/32'], ['10.0.0.0/8']))
    await m.apply()
    assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 3'])
    assert.equal(k.sysctls.has('net/ipv4/ip_forward'), false)
    assert.equal(k.sysctls.get('net/ipv4/conf/caliA/rp_filter'), '0')

    // The veth is deleted and recreated (new ifindex): its sysctls are written again.
    k.delLink('caliA')
    k.sysctls.clear()
    k.addLink('caliA')
    m.markResync()
    await m.apply()
    assert.equal(k.sysctls.get('net/ipv4/conf/caliA/proxy_arp'), '1')
    assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 3'])
  })

  it('a failed route write rejects and is retried by the next apply', async () => {
    const k = new FakeKernel()
    k.addLink('caliA')
    let fail = true
    const run: CmdRunner = async (cmd) => {
      if (fail && cmd.argv.includes('-batch')) throw new Error('RTNETLINK answers: No such device')
      return k.run(cmd)
    }
    const m = new RouteManager(run)
    m.onWorkloadUpdate('a', wep('caliA', ['10.65.0.1/32']))
    await assert.rejects(m.apply(), /No such device/)
    fail = false
    await m.apply()
    assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 80'])
  })
})

describe('IptablesDataplane routes', () => {
  const inSync = (endpoints: Record<string, WorkloadEndpoint>): CalcMessage[] => [
    {type: 'ConfigUpdate', config: {IptablesBackend: 'Legacy'}},
    ...Object.entries(endpoints).map(
      ([name, endpoint]): CalcMessage => ({type: 'WorkloadEndpointUpdate', id: {orchestratorId: 'k8s', workloadId: `default/${name}`, endpointId: 'eth0'}, endpoint}),
    ),
    {type: 'InSync'},
  ]

  it('programs routes after the filter table and retries until a late interface appears', async () => {
    const k = new FakeKernel()
    k.addLink('caliA')
    const dp = new IptablesDataplane({run: k.run, interfaceRetryMs: 20, writeSysctls: async () => undefined})
    try {
      for (const msg of inSync({a: wep('caliA', ['10.65.0.1/32']), b: wep('caliB', ['10.65.0.2/32'])})) dp.onUpdate(msg)
      await dp.apply()
      const order = k.calls.map((c) => c.argv[0] + (c.argv.includes('-batch') ? ' batch' : '')).filter((c) => c === 'iptables-legacy-restore' || c === 'ip batch')
      // One restore for raw, mangle and nat, one for filter, then the routes.
      assert.deepEqual(order, ['iptables-legacy-restore', 'iptables-legacy-restore', 'ip batch'])
      assert.equal(k.calls.filter((c) => c.argv[0] === 'iptables-legacy-restore').at(-1)?.stdin?.startsWith('*filter'), true)
      assert.deepEqual(dp.status().pendingInterfaces, ['caliB'])
      k.addLink('caliB')
      const deadline = Date.now() + 5000
      while (dp.status().pendingInterfaces.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      assert.deepEqual(k.routeTable(), ['10.65.0.1/32 dev caliA proto 80', '10.65.0.2/32 dev caliB proto 80'])
      assert.equal(dp.status().routes, 2)

      await dp.removeAll()
      assert.deepEqual(k.routeTable(), [])
    } finally {
      await dp.close()
    }
  })
})
