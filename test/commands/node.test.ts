// node status / checksystem / diags through the built CLI, and `node run` as a real process
// (--dataplane=none): started, seen by `node status`, stopped with SIGTERM.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCli, tempStore} from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')

describe('calicoctl node', () => {
  const store = tempStore()
  const statusFile = join(store.dir, 'agent-status.json')
  before(() => mkdirSync(join(store.dir, 'tmp')))
  after(() => store.cleanup())

  describe('status', () => {
    it('reports not running without a status file, or with a dead pid, and exits 1', async () => {
      const missing = await runCli(['node', 'status', `--status-file=${statusFile}`], {env: store.env})
      assert.deepEqual([missing.stdout, missing.exitCode], ['Calico process is not running.\n', 1])
      writeFileSync(statusFile, JSON.stringify({pid: 999_999_999, nodeName: 'n'}))
      const dead = await runCli(['node', 'status', `--status-file=${statusFile}`], {env: store.env})
      assert.deepEqual([dead.stdout, dead.exitCode], ['Calico process is not running.\n', 1])
    })

    it('reports a running agent with readiness, last apply and counts', async () => {
      writeFileSync(
        statusFile,
        JSON.stringify({pid: process.pid, nodeName: 'node1', startedAt: '2026-01-01T00:00:00.000Z', ready: true, notReady: [], lastApply: '2026-01-01T00:00:01.000Z', lastApplyDurationMs: 12, endpoints: 3, policies: 2, ipsets: 1}),
      )
      const result = await runCli(['node', 'status', `--status-file=${statusFile}`], {env: store.env})
      assert.equal(result.exitCode, 0)
      assert.equal(
        result.stdout,
        [
          'Calico process is running.',
          '',
          'Agent status',
          '  Node name:       node1',
          `  PID:             ${process.pid}`,
          '  Started:         2026-01-01T00:00:00.000Z',
          '  Ready:           yes',
          '  Last apply:      2026-01-01T00:00:01.000Z (12 ms)',
          '  Local endpoints: 3',
          '  Active policies: 2',
          '  Active IP sets:  1',
          '',
          'The BGP backend process (BIRD) is not running.',
          '',
          '',
        ].join('\n'),
      )
    })
  })

  describe('checksystem', () => {
    it('prints the kernel, each module and each tool with OK or FAIL, then the verdict', async () => {
      const result = await runCli(['node', 'checksystem'], {env: store.env})
      const lines = result.stdout.split('\n')
      assert.equal(lines[0], 'Checking kernel version...')
      assert.match(lines[1], /^\t\t\S+\s+\t\t\t\t\tOK$/)
      assert.equal(lines[2], 'Checking kernel modules...')
      for (const module of ['ip_set', 'ip_tables', 'xt_set', 'xt_u32']) assert.ok(lines.some((l) => new RegExp(`^\\t\\t${module}\\s+\\t+(OK|FAIL)$`).test(l)), module)
      assert.ok(lines.includes('Checking tools...'))
      for (const tool of ['ip', 'ipset', 'sysctl']) assert.ok(lines.some((l) => new RegExp(`^\\t\\t${tool}\\s+\\t+(OK|FAIL)$`).test(l)), tool)
      assert.ok(lines.some((l) => /^\t\tiptables-(nft|legacy)-restore\s*\t+(OK|FAIL)$/.test(l)), result.stdout)
      const failed = lines.some((l) => l.endsWith('FAIL'))
      if (failed) {
        assert.equal(result.exitCode, 1)
        assert.match(result.stderr, /system doesn't meet one or more minimum systems requirements to run Calico/)
      } else {
        assert.equal(result.exitCode, 0)
        assert.equal(lines.at(-2), 'System meets minimum system requirements to run Calico!')
      }
    })

    it('reports what node run would refuse: programs missing from PATH and an unknown iptables backend', async () => {
      const bin = onlyNode()
      try {
        const result = await runCli(['node', 'checksystem'], {env: {...store.env, PATH: bin, FELIX_IPTABLESBACKEND: 'bogus'}})
        assert.equal(result.exitCode, 1)
        const tools = result.stdout.split('Checking tools...\n')[1]
        assert.deepEqual(
          tools.trimEnd().split('\n').map((l) => l.replace(/\s+/g, ' ').trim()),
          ['iptables backend FAIL', 'ip FAIL', 'ipset FAIL', 'sysctl FAIL', 'iptables-nft-save FAIL', 'iptables-nft-restore FAIL'],
        )
        assert.match(result.stderr, /^environment variable FELIX_IPTABLESBACKEND: unknown iptables backend "bogus" \(expected Auto, NFT or Legacy\)$/m)
      } finally {
        rmSync(bin, {recursive: true, force: true})
      }
    })
  })

  describe('diags', () => {
    it("writes a tar.gz with calicoctl's lines and a datastore dump without secrets", async () => {
      const peer = join(store.dir, 'peer.yaml')
      writeFileSync(peer, 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p1\nspec:\n  peerIP: 10.0.0.9\n  asNumber: 64512\n  password:\n    secretKeyRef:\n      name: bgp-secrets\n      key: peer-password\n')
      const created = await runCli(['create', '-f', peer], {env: store.env})
      assert.equal(created.exitCode, 0, created.stderr + created.stdout)
      const result = await runCli(['node', 'diags', `--log-dir=${join(store.dir, 'nologs')}`], {env: {...store.env, TMPDIR: join(store.dir, 'tmp')}})
      assert.equal(result.exitCode, 0, result.stderr)
      const lines = result.stdout.split('\n')
      assert.equal(lines[0], 'Collecting diagnostics')
      assert.match(lines[1], /^Using temp dir: /)
      for (const line of ['Dumping routes (IPv4)', 'Dumping iptables (IPv4)', 'Dumping ipsets', 'Dumping datastore (secrets removed)', 'Copying Calico logs']) assert.ok(lines.includes(line), line)
      const saved = lines.find((l) => l.startsWith('Diags saved to '))
      assert.ok(saved)
      const tarFile = saved.slice('Diags saved to '.length)
      assert.match(tarFile, /diags-\d{8}_\d{6}\.tar\.gz$/)
      assert.equal(lines.at(-2), 'If required, you can upload the diagnostics bundle to a file sharing service.')
      const out = join(store.dir, 'untar')
      mkdirSync(out)
      assert.equal(spawnSync('tar', ['-xzf', tarFile, '-C', out]).status, 0)
      for (const file of ['route', 'iptables', 'ipsets', 'hostname', 'datastore.json']) assert.ok(existsSync(join(out, 'diagnostics', file)), file)
      const dump = readFileSync(join(out, 'diagnostics', 'datastore.json'), 'utf8')
      assert.match(dump, /bgppeers\/p1/)
      assert.doesNotMatch(dump, /peer-password|bgp-secrets/)
      assert.match(dump, /"password": "<redacted>"/)
    })
  })

  describe('run', () => {
    it('runs in the foreground, is seen by node status, and exits 0 on SIGTERM', async () => {
      const runStatus = join(store.dir, 'run-status.json')
      const child = spawn(
        process.execPath,
        [join(root, 'bin', 'run.js'), 'node', 'run', '--dataplane=none', '--name=node-run-test', '--ip=10.1.2.3/24', '--health-port=0', `--status-file=${runStatus}`, '--log-level=info'],
        {env: {...process.env, ...Object.fromEntries(Object.entries(store.env).filter(([, v]) => v !== undefined))}, stdio: ['ignore', 'pipe', 'pipe']},
      )
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      const deadline = Date.now() + 20_000
      while (!(existsSync(runStatus) && (JSON.parse(readFileSync(runStatus, 'utf8')) as {lastApply?: string}).lastApply)) {
        assert.ok(Date.now() < deadline, `agent did not apply: ${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const status = await runCli(['node', 'status', `--status-file=${runStatus}`], {env: store.env})
      assert.equal(status.exitCode, 0)
      assert.match(status.stdout, /^Calico process is running\.\n/)
      assert.match(status.stdout, new RegExp(`PID: +${child.pid}\\n`))
      assert.match(status.stdout, /Node name: +node-run-test/)
      const started = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as {msg: string; level: number})
      assert.ok(started.some((l) => l.msg === 'agent started' && l.level === 30), stderr)
      child.kill('SIGTERM')
      assert.equal(await exited, 0, stderr)
      assert.equal(existsSync(runStatus), false)
      const node = await runCli(['get', 'node', 'node-run-test', '-o', 'yaml'], {env: store.env})
      assert.match(node.stdout, /ipv4Address: 10\.1\.2\.3\/24/)
    })

    it('refuses to run as a user without root or CAP_NET_ADMIN, with one line and exit 1', () => {
      const home = mkdtempSync(join(tmpdir(), 'nobody-home-'))
      try {
        chownSync(home, 65_534, 65_534)
        const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(root, 'bin', 'run.js'), 'node', 'run', '--dataplane=iptables'], {
          env: {...process.env, ...definedEnv(store.env), HOME: home},
          encoding: 'utf8',
        })
        assert.equal(result.error, undefined, 'setpriv (util-linux) is needed')
        assert.deepEqual([result.stdout, result.status], ['Need super user privileges: Operation not permitted\n', 1], result.stderr)
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
      } finally {
        rmSync(home, {recursive: true, force: true})
      }
    })

    it('refuses to run when the dataplane programs are not on PATH, naming them', async () => {
      const bin = onlyNode()
      try {
        const result = await runCli(['node', 'run', '--health-port=0', `--status-file=${join(store.dir, 'never.json')}`], {env: {...store.env, PATH: bin}})
        assert.deepEqual([result.exitCode, result.stderr.trim(), result.stdout], [1, 'Cannot run the iptables dataplane: ip, ipset, sysctl, iptables-nft-save, iptables-nft-restore not found on PATH', ''])
        assert.equal(existsSync(join(store.dir, 'never.json')), false)
      } finally {
        rmSync(bin, {recursive: true, force: true})
      }
    })

    it('refuses an unknown iptables backend in FELIX_IPTABLESBACKEND with one line', async () => {
      const result = await runCli(['node', 'run', '--health-port=0'], {env: {...store.env, FELIX_IPTABLESBACKEND: 'nftables'}})
      assert.deepEqual([result.exitCode, result.stderr.trim()], [1, 'environment variable FELIX_IPTABLESBACKEND: unknown iptables backend "nftables" (expected Auto, NFT or Legacy)'])
    })

    it('fails with one line for configuration that can never work: unreadable config file, unknown datastore type', async () => {
      const missing = await runCli(['node', 'run', '--dataplane=none', '--config=/nonexistent/calicoctl.cfg'], {env: store.env})
      assert.deepEqual([missing.exitCode, missing.stdout + missing.stderr], [1, 'Error reading config file: /nonexistent/calicoctl.cfg\n'])
      const badType = await runCli(['node', 'run', '--dataplane=none'], {env: {...store.env, DATASTORE_TYPE: 'zookeeper'}})
      assert.equal(badType.exitCode, 1)
      assert.equal((badType.stdout + badType.stderr).trim().split('\n').length, 1, badType.stdout + badType.stderr)
      assert.match(badType.stdout, /^Failed to create Calico API client: invalid datastore type: zookeeper/)
    })

    it('fails with one line for a bad autodetection method', async () => {
      const result = await runCli(['node', 'run', '--dataplane=none', '--ip=autodetect', '--ip-autodetection-method=magic'], {env: store.env})
      assert.deepEqual([result.exitCode, result.stderr.trim()], [1, 'Invalid IP autodetection method: magic'])
    })

  })
})

/** A directory holding only a `node` link: a PATH without iptables, ipset, ip or sysctl. */
function onlyNode(): string {
  const dir = mkdtempSync(join(tmpdir(), 'only-node-'))
  symlinkSync(process.execPath, join(dir, 'node'))
  return dir
}

const definedEnv = (env: Record<string, string | undefined>): Record<string, string> => Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
